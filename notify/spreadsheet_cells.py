"""Cells written to XLSX and CSV exports, made safe to open in a spreadsheet.

Text from citizens and responders (a school head's name typed on a public page) ends up in the
office's exports; a cell that starts with = + - @ (or a tab or carriage return, which some programs
skip before reading a formula) would run as a formula when the file is opened. Prefixing a quote
keeps the text as typed and makes it inert (OWASP "CSV injection").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# A signed number alone is a value, not a formula: E.164 phones (+86…), which the education bureau
# dials from its export, stay as they are. "-2+3" is a formula and is quoted.
_SIGNED_NUMBER = re.compile(r"[+-]\d+(\.\d+)?")


def safe_cell(value: Any) -> Any:
    """The value to write into a cell: text that a spreadsheet would read as a formula is quoted;
    numbers, dates and everything else pass through unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS) and not _SIGNED_NUMBER.fullmatch(value):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    """A row of cells, each made safe as by safe_cell."""
    return [safe_cell(v) for v in values]
