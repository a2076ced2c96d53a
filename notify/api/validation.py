"""Request bodies and query strings checked against the same schemas the OpenAPI document shows.

A small checker for the subset of JSON Schema the API's request schemas use (type, or null,
properties, required, additionalProperties, min/maxLength, minimum/maximum, enum, items,
maxItems, format date-time), so that the document and the checks cannot drift apart and every
refusal names its field with a translated message. Date-times come back as aware UTC datetimes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask import request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import BadRequest

from notify.api.errors import ApiError, invalid

TYPE_MESSAGES = {
    "object": _l("Must be an object."),
    "string": _l("Must be a string."),
    "integer": _l("Must be a whole number."),
    "boolean": _l("Must be true or false."),
    "array": _l("Must be a list."),
    "number": _l("Must be a number."),
}
# RFC 3339 date-time; Python's parser is then asked whether the values are real.
YEARS = (1970, 2199)
DATE_TIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def _type_ok(value: Any, kind: str) -> bool:
    if kind == "object":
        return isinstance(value, dict)
    if kind == "string":
        return isinstance(value, str)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "array":
        return isinstance(value, list)
    return False


def storable(text: str) -> bool:
    """No NUL (PostgreSQL text refuses it) and no lone surrogate (not encodable as UTF-8)."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def parse_datetime(text: str) -> datetime | None:
    """An RFC 3339 date-time with its offset, as aware UTC; None if it is not one."""
    m = DATE_TIME.match(text)
    if not m:
        return None
    fraction = (m.group(7) or "")[:7].ljust(7, "0") if m.group(7) else ""
    zone = m.group(8)
    iso = (
        f"{m.group(1)}-{m.group(2)}-{m.group(3)}T{m.group(4)}:{m.group(5)}:{m.group(6)}{fraction}"
        f"{'+00:00' if zone in ('Z', 'z') else zone}"
    )
    try:
        value = datetime.fromisoformat(iso).astimezone(UTC)
    except (ValueError, OverflowError):
        return None
    # Warnings and consultations live in this era; far dates are typing errors (and zones give
    # them local mean time offsets such as +08:05:43 that no client expects back).
    return value if YEARS[0] <= value.year <= YEARS[1] else None


def check(value: Any, schema: dict, path: str, errors: dict) -> Any:
    """The value converted (date-times parsed), recording problems in `errors` by field path."""
    name = path or "body"
    kind = schema.get("type")
    allows_null = False
    if isinstance(kind, list):  # OpenAPI 3.1 spells "or null" as a list of types
        allows_null = "null" in kind
        kind = next((k for k in kind if k != "null"), None)
    if value is None:
        if allows_null:
            return None
        errors[name] = _l("Must not be null.")
        return None
    if kind and not _type_ok(value, kind):
        errors[name] = TYPE_MESSAGES[kind]
        return None
    if "enum" in schema and value not in schema["enum"]:
        errors[name] = _l("Must be one of: %(values)s.", values=", ".join(map(str, schema["enum"])))
        return None
    check_kind = _CHECKS.get(kind)
    return check_kind(value, schema, path, errors) if check_kind is not None else value


def _check_string(value: str, schema: dict, path: str, errors: dict) -> Any:
    name = path or "body"
    if not storable(value):
        errors[name] = _l("Contains a character that cannot be stored.")
        return None
    if len(value) > schema.get("maxLength", 100_000):
        errors[name] = _l("At most %(n)d characters.", n=schema["maxLength"])
        return None
    if len(value) < schema.get("minLength", 0):
        errors[name] = _l("Must not be empty.")
        return None
    if schema.get("format") == "date-time":
        parsed = parse_datetime(value)
        if parsed is None:
            errors[name] = _l(
                "A date and time between 1970 and 2199 with its offset, e.g. 2026-11-23T10:00:00+08:00."
            )
        return parsed
    return value


def _check_number(value: float, schema: dict, path: str, errors: dict) -> Any:
    low, high = schema.get("minimum"), schema.get("maximum")
    if (low is not None and value < low) or (high is not None and value > high):
        errors[path or "body"] = _l("Must be between %(low)s and %(high)s.", low=low, high=high)
        return None
    return value


def _check_array(value: list, schema: dict, path: str, errors: dict) -> Any:
    name = path or "body"
    if len(value) > schema.get("maxItems", 1000):
        errors[name] = _l("At most %(n)d items.", n=schema.get("maxItems", 1000))
        return None
    return [check(item, schema.get("items", {}), f"{name}[{i}]", errors) for i, item in enumerate(value)]


def _check_object(value: dict, schema: dict, path: str, errors: dict) -> Any:
    props = schema.get("properties", {})
    out = {}
    for key in value:
        if not isinstance(key, str) or not storable(key):
            errors[path or "body"] = _l("Contains a character that cannot be stored.")
            return None
        if key not in props and schema.get("additionalProperties", True) is False:
            errors[f"{path}.{key}" if path else key] = _l("Unknown field.")
    for key in schema.get("required", []):
        if key not in value:
            errors[f"{path}.{key}" if path else key] = _l("This field is required.")
    for key, sub in props.items():
        if key in value:
            out[key] = check(value[key], sub, f"{path}.{key}" if path else key, errors)
    return out


_CHECKS: dict[str | None, Callable[[Any, dict, str, dict], Any]] = {
    "string": _check_string,
    "integer": _check_number,
    "number": _check_number,
    "array": _check_array,
    "object": _check_object,
}


def body(schema: dict) -> dict:
    """The request's JSON body, checked against `schema` (an object schema)."""
    if not request.is_json:
        raise ApiError(415)
    try:
        data = request.get_json()
    except (BadRequest, RecursionError):
        raise ApiError(400, _l("The body is not valid JSON."), code="malformed_json") from None
    errors: dict = {}
    out = check(data, schema, "", errors)
    if errors:
        raise invalid(errors)
    return out


def query(params: dict[str, dict]) -> dict:
    """Query-string values converted by their schemas; absent ones are left out."""
    errors: dict = {}
    out = {}
    for name, schema in params.items():
        raw = request.args.get(name)
        if raw is None:
            continue
        if not storable(raw):
            errors[name] = _l("Contains a character that cannot be stored.")
            continue
        kind = schema.get("type")
        value: Any = raw
        if kind == "integer":
            if not re.fullmatch(r"[+-]?\d{1,18}", raw.strip()):
                errors[name] = TYPE_MESSAGES["integer"]
                continue
            value = int(raw)
        elif kind == "boolean":
            if raw.lower() not in ("true", "false", "1", "0"):
                errors[name] = TYPE_MESSAGES["boolean"]
                continue
            value = raw.lower() in ("true", "1")
        out[name] = check(value, schema, name, errors)
    if errors:
        raise invalid(errors)
    return out
