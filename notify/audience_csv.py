"""Importing recipients from a CSV file: every row checked first, then all written or none.

Columns (header row required, in any order): name, phone, township (code or Chinese name,
optional), locale (zh or en, optional; numbers outside China default to en). A phone already in
the group is updated, not duplicated, so the same list can be imported again after corrections.
The reading, checking and writing are the shared importer's (notify.registry_csv).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from notify import registry_csv
from notify.channels import phone
from notify.extensions import db
from notify.models import AudienceGroup, Recipient, Township
from notify.registry_csv import ImportReport

COLUMNS = ("name", "phone", "township", "locale")
REQUIRED = ("name", "phone")
MAX_ROWS = 200_000


def _townships(group: AudienceGroup) -> dict[str, int]:
    townships: dict[str, int] = {}
    for t in db.session.scalars(select(Township).where(Township.jurisdiction_id == group.jurisdiction_id)):
        townships[t.code] = townships[t.name_zh] = t.id
    return townships


def _check_row(row: dict[str, str], townships: dict[str, int]) -> dict | str:
    """The recipient a row describes, or why it cannot be one."""
    try:
        address = phone.normalise(row.get("phone", ""))
    except phone.InvalidNumber:
        return str(_l("“%(value)s” is not a mobile number SMS can reach.", value=row.get("phone", "")))
    township_id = None
    if row.get("township"):
        township_id = townships.get(row["township"])
        if township_id is None:
            return str(_l("Unknown township “%(value)s”.", value=row["township"]))
    locale = row.get("locale") or ("zh" if phone.is_domestic(address) else "en")
    if locale not in ("zh", "en"):
        return str(_l("Locale must be zh or en, not “%(value)s”.", value=locale))
    if len(row.get("name", "")) > 200:
        return str(_l("The name is longer than 200 characters."))
    return {"address": address, "name": row.get("name", ""), "township_id": township_id, "locale": locale}


SPEC = registry_csv.RegistrySpec(
    name="recipients",
    model=Recipient,
    columns=COLUMNS,
    required=REQUIRED,
    aliases={},
    parse=_check_row,
    key=("address",),
    duplicate=lambda address, line: str(
        _l("%(phone)s is already on line %(line)d.", phone=address, line=line)
    ),
    max_rows=MAX_ROWS,
    lookups=_townships,
    scope=lambda group: {"group_id": group.id, "channel": "sms"},
    written_always={"active": True},
)


def import_csv(group: AudienceGroup, raw: bytes) -> ImportReport:
    # MAX_ROWS is read at call time, so that a deployment (or a test) may lower it.
    return registry_csv.import_csv(SPEC, group, raw, max_rows=MAX_ROWS)
