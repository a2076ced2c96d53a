"""Numbers from URLs, query strings and forms, bounded to what the database can hold.

A number past the database's integers (`/admin/warnings/99999999999999999999`,
`?page=99999999999999999999`) used to reach the database and fail there (SQLite cannot bind one
past 64 bits, PostgreSQL refuses one past 32 bits for an INTEGER column), a 500. Every `<int:…>`
of the app goes through IdConverter, which does not match such a number (a 404); query
parameters and form fields go through query_int / parse_int, which refuse it (a 400).
"""

from __future__ import annotations

from flask import abort, request
from werkzeug.routing import IntegerConverter

# PostgreSQL's INTEGER, the type of every id a URL or a form names (SQLite's are wider; the
# narrower bound serves both). The deliveries' ids are BIGINT: MAX_BIG_ID.
MAX_ID = 2**31 - 1
MAX_BIG_ID = 2**63 - 1
MAX_DIGITS = len(str(MAX_BIG_ID))


def parse_int(raw: str | None, *, minimum: int = 0, maximum: int = MAX_ID) -> int | None:
    """The number `raw` spells in ASCII digits within [minimum, maximum], else None.

    str.isdigit() alone lets "²" or "١" through to int(), which then fails or reads them."""
    if not raw or len(raw) > MAX_DIGITS or not (raw.isascii() and raw.isdigit()):
        return None
    value = int(raw)
    return value if minimum <= value <= maximum else None


def query_int(name: str, default: int | None = None, *, minimum: int = 0, maximum: int = MAX_ID):
    """The query parameter `name` as a bounded number; absent or empty → `default`; anything
    else that is not such a number → 400."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    value = parse_int(raw, minimum=minimum, maximum=maximum)
    if value is None:
        abort(400)
    return value


def _up_to(limit: int) -> str:
    """A regular expression matching exactly the decimal numbers 0..limit (no leading zeros
    needed): the shorter numbers, then each prefix of `limit` followed by a smaller digit."""
    digits = str(limit)
    parts = [rf"\d{{1,{len(digits) - 1}}}"] if len(digits) > 1 else []
    for i, d in enumerate(digits):
        if d != "0":
            rest = len(digits) - i - 1
            first = "0" if d == "1" else f"[0-{int(d) - 1}]"
            parts.append(digits[:i] + first + (rf"\d{{{rest}}}" if rest else ""))
    parts.append(digits)
    return "(?:" + "|".join(parts) + ")"


class IdConverter(IntegerConverter):
    """`<int:…>` for the whole app: digits that fit the database's integers, else no match.

    The bound is in the pattern, not only in the conversion: werkzeug answers a number that
    matches the pattern but fails conversion with 405 (it had already seen the path's other
    methods), where an id that cannot exist is a plain 404."""

    regex = _up_to(MAX_ID)

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)
