"""The one helper every XLSX and CSV export writes its cells through."""

from __future__ import annotations

import pytest

from notify.spreadsheet_cells import safe_cell, safe_row


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("http://evil.example","x")',
        "+1+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(A1)",
        "\t=1",
        "\r=1",
        "+",
    ],
)
def test_text_a_spreadsheet_would_run_is_quoted(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["+8613903540000", "-5", "-0.5", "秀水镇", "", 42, -3, None])
def test_values_and_plain_text_pass_unchanged(value):
    # A signed number alone is a value: the bureau dials the +86 phones of its export.
    assert safe_cell(value) == value


def test_a_row_is_made_safe_cell_by_cell():
    assert safe_row(["=1+1", "+8613903540000", 7]) == ["'=1+1", "+8613903540000", 7]
