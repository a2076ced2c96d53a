"""Pre-wrapping text into lines and pages for a screen's profile.

Widths are counted the way LED boards are specified and laid out: a profile's "characters per
line" counts full-width (Chinese) characters, one cell each (a 16-dot board shows a Chinese
character in 16×16 dots); a half-width character (digit, Latin letter, ASCII punctuation) takes
half a cell, 8×16 dots. That is the character's GBK byte length, which is also how the vendor
controllers count (see gbk.width). A line of a 16-character board therefore holds 16 Chinese
characters, or 32 digits, or a mix.

Rules, in order:
- a number or a Latin word ("PM2.5", "200-260", "10:00", "AQI") is never split across lines,
  unless it is longer than a whole line by itself;
- closing punctuation (，。、) never starts a line and opening punctuation (（《“) never ends one
  (the Chinese line-breaking rules, 避头尾);
- spaces are break points and are dropped at the start and end of a line;
- each paragraph starts on a new line.
"""

from __future__ import annotations

import re

from notify.screens import gbk

# A run that must stay on one line: letters and digits joined by the punctuation that occurs
# inside numbers, dates, times, ranges and pollutant names.
WORD = re.compile(
    r"[0-9A-Za-z\u00c0-\u024f\u0391-\u03c9]+(?:[.,:/\-+~'_][0-9A-Za-z\u00c0-\u024f\u0391-\u03c9]+)*%?"
)
SPACE = re.compile(r"\s+")
NO_LINE_START = set("，。、；：！？）】》」』’”…·%,.;:!?)]}℃")
NO_LINE_END = set("（【《「『‘“([{")


def _tokens(text: str) -> list[str]:
    """Unbreakable pieces, with " " standing for a break point that shows as a space."""
    raw: list[str] = []
    i = 0
    while i < len(text):
        m = SPACE.match(text, i)
        if m:
            raw.append(" ")
            i = m.end()
            continue
        m = WORD.match(text, i)
        if m:
            raw.append(m.group())
            i = m.end()
            continue
        raw.append(text[i])
        i += 1
    # Glue punctuation to its neighbour so that it is carried to the next line with it.
    glued: list[str] = []
    carry = ""
    for tok in raw:
        if tok == " ":
            if carry:
                continue
            glued.append(tok)
            continue
        if tok in NO_LINE_START and carry:
            carry += tok
            continue
        if tok in NO_LINE_START:
            while glued and glued[-1] == " ":
                glued.pop()
            if glued:
                glued[-1] += tok
                continue
        if tok[-1] in NO_LINE_END:
            carry += tok
            continue
        glued.append(carry + tok)
        carry = ""
    if carry:
        glued.append(carry)
    return glued


def _hard_split(token: str, capacity: int) -> list[str]:
    pieces, current, used = [], "", 0
    for ch in token:
        w = gbk.width(ch)
        if used + w > capacity and current:
            pieces.append(current)
            current, used = "", 0
        current += ch
        used += w
    if current:
        pieces.append(current)
    return pieces


def wrap(text: str, chars_per_line: int) -> list[str]:
    """The paragraph's lines, each at most chars_per_line cells wide."""
    capacity = 2 * chars_per_line
    lines: list[str] = []
    current, used, space = "", 0, False
    for tok in _tokens(gbk.safe(text)):
        if tok == " ":
            space = bool(current)
            continue
        w = gbk.width(tok)
        gap = 1 if space else 0
        space = False
        if used + gap + w <= capacity:
            current += " " * gap + tok
            used += gap + w
            continue
        if current:
            lines.append(current)
        if w <= capacity:
            current, used = tok, w
        else:
            *full, current = _hard_split(tok, capacity)
            lines.extend(full)
            used = gbk.width(current)
    if current:
        lines.append(current)
    return lines


def wrap_paragraphs(paragraphs: list[str], chars_per_line: int) -> list[str]:
    lines: list[str] = []
    for paragraph in paragraphs:
        if paragraph and paragraph.strip():
            lines.extend(wrap(paragraph.strip(), chars_per_line))
    return lines


def fit(candidates: list[str], chars_per_line: int) -> str:
    """The first candidate that fits on one line; else the last one, cut to the line."""
    capacity = 2 * chars_per_line
    for candidate in candidates:
        if candidate and gbk.width(candidate) <= capacity:
            return gbk.safe(candidate)
    return _hard_split(gbk.safe(candidates[-1]), capacity)[0]


# On a one-line board the level cannot head every page; it gets a page of its own before the
# text and again after every this many pages of text.
ONE_LINE_HEADER_EVERY = 3


def paginate(header: str, body: list[str], lines: int) -> list[list[str]]:
    """Pages of exactly `lines` lines. The header (the level in words) heads every page, so a
    passer-by who sees any page learns the level; a one-line board shows it as its own page."""
    pages: list[list[str]] = []
    if lines == 1:
        for i, line in enumerate(body or [""]):
            if i % ONE_LINE_HEADER_EVERY == 0:
                pages.append([header])
            if line:
                pages.append([line])
        return pages
    per_page = lines - 1
    chunks = [body[i : i + per_page] for i in range(0, len(body), per_page)] or [[]]
    for chunk in chunks:
        pages.append([header, *chunk, *[""] * (per_page - len(chunk))])
    return pages
