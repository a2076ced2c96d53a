"""Text a GBK controller can draw.

Vendor controllers (Onbon/BX, Huidu, Listen, NovaStar) store their fonts by GBK code, so the feed
is made GBK-safe before it is wrapped: the JSON and the plain-text variant then show the same
characters on the same lines. A character GBK lacks is replaced by its compatibility form when
that is encodable (² → 2, ⁰ → 0, full-width forms are already in GBK), by a look-alike from the
table below, dropped when it is a control, combining mark or emoji, and otherwise shown as □,
the mark Chinese typesetting uses for a character the font does not have.
"""

from __future__ import annotations

import unicodedata

MISSING = "\u25a1"  # □

LOOKALIKES = {
    "\u00b5": "\u03bc",  # micro sign → Greek mu (µg/m³ → μg/m3)
    "\u2022": "\u00b7",  # bullet → middle dot
    "\u2027": "\u00b7",
    "\u00a0": " ",
    "\u2009": " ",
    "\u202f": " ",
    "\u2002": " ",
    "\u2003": " ",
    "\u2212": "-",  # minus sign
    "\u2010": "-",
    "\u2011": "-",
    "\u2044": "/",
    "\u20ac": "EUR",
    "\u00bd": "1/2",
    "\ufe0f": "",  # emoji variation selector
    "\u200b": "",
    "\u200d": "",
    "\ufeff": "",
}


def encodable(text: str) -> bool:
    try:
        text.encode("gbk")
    except UnicodeEncodeError:
        return False
    return True


def _replacement(ch: str) -> str:
    if ch in LOOKALIKES:
        return LOOKALIKES[ch]
    compat = unicodedata.normalize("NFKC", ch)
    if compat != ch and encodable(compat):
        return compat
    category = unicodedata.category(ch)
    if category[0] in "CM" or category == "So" or category == "Sk":
        return ""
    return MISSING


def safe(text: str) -> str:
    """The text with every character GBK cannot encode replaced (see the module's note)."""
    if encodable(text):
        return text
    return "".join(ch if encodable(ch) else _replacement(ch) for ch in text)


def width(text: str) -> int:
    """Half-cells the text takes on a board: its GBK byte length (a Chinese character is two,
    a digit or Latin letter one), which is how the controllers lay text out."""
    return len(safe(text).encode("gbk"))
