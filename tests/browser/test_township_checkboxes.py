"""In a real browser, at desktop and phone widths: on the draft and revise forms every township
checkbox sits on the same line as its own name, just left of it (not at the end of the line of
the township before, which left the first township without a box of its own)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from notify.extensions import db
from tests.browser.conftest import console_login

pytestmark = pytest.mark.browser

# The box's rectangle and the first line of its own label's text, for every township box.
POSITIONS = """() => Array.from(document.querySelectorAll('input[name=townships]')).map(box => {
  const label = document.querySelector('label[for="' + box.id + '"]');
  const range = document.createRange();
  range.selectNodeContents(label);
  const text = range.getClientRects()[0];
  const b = box.getBoundingClientRect();
  return {id: box.id, name: label.textContent.trim(),
          box: {left: b.left, right: b.right, top: b.top, bottom: b.bottom},
          text: {left: text.left, right: text.right, top: text.top, bottom: text.bottom}};
})"""
# How far a name may start from the right edge of its box: a small gap, never a column away.
MAX_GAP_PX = 16


def _assert_each_box_beside_its_label(page, width: int):
    page.set_viewport_size({"width": width, "height": 900})
    rows = page.evaluate(POSITIONS)
    assert len(rows) == 13  # Yu County's townships
    for row in rows:
        box, text = row["box"], row["text"]
        middle = (box["top"] + box["bottom"]) / 2
        assert text["top"] <= middle <= text["bottom"], (width, row)  # on the name's (first) line
        gap = text["left"] - box["right"]
        assert 0 <= gap <= MAX_GAP_PX, (width, row)  # just left of it
        # No other township's name sits between the box and its own name.
        for other in rows:
            if other is row:
                continue
            o = other["text"]
            same_line = o["top"] <= middle <= o["bottom"]
            assert not (same_line and box["right"] <= o["left"] < text["left"]), (width, row, other)
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1


@pytest.mark.parametrize("width", [1280, 390])
def test_township_boxes_sit_beside_their_names_on_the_draft_and_revise_forms(
    width, page, sample_users, sample_published
):
    warning_id = sample_published.warning_id
    db.session.remove()  # the server thread must see committed data only
    console_login(page, "office")

    page.goto("/admin/warnings/new/heavy_pollution")
    expect(page.locator("input[name=townships]").first).to_be_attached()
    _assert_each_box_beside_its_label(page, width)

    page.goto(f"/admin/warnings/{warning_id}/revise/upgrade")
    expect(page.locator("input[name=townships]").first).to_be_attached()
    _assert_each_box_beside_its_label(page, width)
