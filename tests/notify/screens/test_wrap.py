"""Wrapping for LED profiles, GBK safety and colour fallbacks: pure functions, no database."""

from __future__ import annotations

import re
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from notify.screens import colours, gbk, wrap

ADVICE = (
    "盂县重污染天气预警升级为橙色，启动Ⅱ级应急响应。预计AQI 200-260，首要污染物PM2.5，持续至11月25日08:00。"
)


def test_a_chinese_character_is_one_cell_and_a_digit_half():
    assert gbk.width("红色预警") == 8  # 4 cells
    assert gbk.width("PM2.5") == 5  # 2.5 cells
    assert wrap.wrap("一二三四五六七八九十", 4) == ["一二三四", "五六七八", "九十"]
    assert wrap.wrap("12345678", 4) == ["12345678"]  # 8 digits fill a 4-character line
    assert wrap.wrap("123456789", 4) == ["12345678", "9"]  # longer than a line: cut, unavoidably


@pytest.mark.parametrize("chars", [6, 8, 10, 12, 16, 20])
def test_lines_fit_and_numbers_and_words_are_never_split(chars):
    lines = wrap.wrap(ADVICE, chars)
    assert all(gbk.width(line) <= 2 * chars for line in lines)
    for token in ("PM2.5", "200-260", "08:00", "AQI"):
        assert any(token in line for line in lines), (token, lines)
    # Nothing lost or reordered apart from the space that became a line break.
    assert "".join(lines).replace(" ", "") == ADVICE.replace(" ", "")


def test_closing_punctuation_never_starts_a_line_and_opening_never_ends_one():
    text = "甲乙丙丁，戊己庚辛《壬癸》子丑寅卯（辰巳）午未。"
    for chars in range(3, 12):
        for line in wrap.wrap(text, chars):
            assert line[0] not in wrap.NO_LINE_START, (chars, line)
            assert line[-1] not in wrap.NO_LINE_END, (chars, line)


def test_latin_words_wrap_at_spaces():
    lines = wrap.wrap("Yu County raises the heavy-pollution warning to orange", 8)
    assert lines == ["Yu County raises", "the", "heavy-pollution", "warning to", "orange"]


@settings(max_examples=150, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("盂县预警红色，。（）《》 AQIPM2.5-0123456789:abc")), max_size=80),
    st.integers(min_value=2, max_value=24),
)
def test_wrapping_never_overflows_and_keeps_every_character(text, chars):
    lines = wrap.wrap(text, chars)
    assert all(gbk.width(line) <= 2 * chars for line in lines)
    assert "".join(lines).replace(" ", "") == re.sub(r"\s+", "", text)


def test_every_page_starts_with_the_level_in_words_and_has_exactly_the_board_lines():
    body = wrap.wrap(ADVICE, 8)
    pages = wrap.paginate("橙色预警", body, 3)
    assert all(len(p) == 3 and p[0] == "橙色预警" for p in pages)
    assert [line for p in pages for line in p[1:] if line] == body


def test_a_one_line_board_gets_the_level_as_a_page_of_its_own_again_and_again():
    body = wrap.wrap(ADVICE, 8)
    pages = wrap.paginate("橙色预警", body, 1)
    assert all(len(p) == 1 for p in pages)
    headers = [i for i, p in enumerate(pages) if p == ["橙色预警"]]
    assert headers[0] == 0
    assert all(b - a <= wrap.ONE_LINE_HEADER_EVERY + 1 for a, b in pairwise(headers))
    assert [p[0] for p in pages if p != ["橙色预警"]] == body


def test_the_header_falls_back_to_shorter_words_on_narrow_boards():
    candidates = ["重污染天气橙色预警", "橙色预警"]
    assert wrap.fit(candidates, 16) == "重污染天气橙色预警"
    assert wrap.fit(candidates, 6) == "橙色预警"
    assert wrap.fit(candidates, 3) == "橙色预"


def test_gbk_replacements_are_sensible():
    assert gbk.safe("PM2.5 35µg/m³") == "PM2.5 35μg/m3"
    assert gbk.safe("注意⚠防护😷") == "注意防护"  # emoji dropped
    assert gbk.safe("吉𠮷祥") == "吉□祥"  # a character no GBK font has
    assert gbk.safe("ＡＱＩ２００，Ⅱ级") == "ＡＱＩ２００，Ⅱ级"  # full-width and Roman numerals are in GBK
    assert gbk.safe("a\u00a0b\u200bc") == "a bc"
    for text in ("PM2.5 35µg/m³", "注意⚠防护😷", "吉𠮷祥"):
        gbk.safe(text).encode("gbk")


@pytest.mark.parametrize(
    "colour,mode,expected",
    [
        ("#D7191C", "full", "#D7191C"),
        ("#D7191C", "two", colours.RED),
        ("#F08A00", "two", colours.YELLOW),
        ("#F2C500", "two", colours.YELLOW),
        ("#1F6FD1", "two", colours.GREEN),
        ("#1A9850", "two", colours.GREEN),
        ("#F08A00", "one", colours.RED),
        ("#FFFFFF", "two", colours.YELLOW),
    ],
)
def test_fallback_colours(colour, mode, expected):
    assert colours.fallback(colour, mode) == expected
