"""The unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters from a
31-character set (no I, O, Z, S, V); the last is a check character over the first 17."""

from __future__ import annotations

import re

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# Registration authority (1 organs, 5 social organisations, 9 industry and commerce, Y other …)
# then its category; the division code (digits) follows.
_SHAPE = re.compile(r"^[1-9A-HJ-NPQRTUWXY][1-9A-HJ-NPQRTUWXY0-9]\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def check_character(first17: str) -> str:
    total = sum(CHARSET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def normalise(code: str) -> str:
    return code.strip().upper()


def problem(code: str) -> str | None:
    """Why a code is not a valid credit code (an English reason for the log), or None."""
    code = normalise(code)
    if len(code) != 18:
        return "length"
    if not _SHAPE.match(code):
        return "characters"
    if check_character(code[:17]) != code[17]:
        return "check character"
    return None


def valid(code: str) -> bool:
    return problem(code) is None
