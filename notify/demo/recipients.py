"""Demo recipients for every audience group, imported through the same CSV path as real lists.

The numbers are made up (139 0353 …, 138 0353 …) and only ever reach the local stand-ins; a
few subscribers abroad exercise the international route.
"""

from __future__ import annotations

from sqlalchemy import select

from notify.audience_csv import import_csv
from notify.extensions import db
from notify.models import AudienceGroup, Jurisdiction, MemberUnit, Township

ABROAD = [
    ("Visiting scholar (UK)", "+447911123456"),
    ("Investor liaison (US)", "+14155552671"),
    ("Exchange teacher (AU)", "+61412345678"),
]


def _rows(code: str, j: Jurisdiction) -> list[tuple[str, str, str]]:
    townships = list(
        db.session.scalars(select(Township).where(Township.jurisdiction_id == j.id).order_by(Township.code))
    )
    if code == "member_units":
        units = db.session.scalars(
            select(MemberUnit).where(MemberUnit.jurisdiction_id == j.id).order_by(MemberUnit.position)
        )
        return [(f"{u.name_zh}值班员", f"1390353{100 + i:04d}", "") for i, u in enumerate(units)]
    if code == "townships":
        return [(f"{t.name_zh}值班员", f"1390353{200 + i:04d}", t.code) for i, t in enumerate(townships)]
    if code == "schools":
        return [
            (
                f"{townships[i % len(townships)].name_zh}第{i // len(townships) + 1}学校",
                f"1390353{1000 + i:04d}",
                townships[i % len(townships)].code,
            )
            for i in range(40)
        ]
    if code == "enterprises":
        return [
            (f"重点企业{i + 1:02d}", f"1390353{2000 + i:04d}", townships[i % len(townships)].code)
            for i in range(30)
        ]
    if code == "media":
        return [(f"媒体{i + 1}", f"1390353{3000 + i:04d}", "") for i in range(6)]
    if code == "public":
        rows = [
            (f"订阅用户{i + 1:03d}", f"1380353{i:04d}", townships[i % len(townships)].code)
            for i in range(200)
        ]
        return rows + [(name, number, "") for name, number in ABROAD]
    if code == "test":
        return [("演练测试机1", "13903539001", ""), ("演练测试机2", "13903539002", "")]
    return []


def seed_recipients(j: Jurisdiction) -> int:
    added = 0
    for group in db.session.scalars(select(AudienceGroup).where(AudienceGroup.jurisdiction_id == j.id)):
        lines = ["name,phone,township"] + [",".join(r) for r in _rows(group.code, j)]
        report = import_csv(group, "\n".join(lines).encode())
        if report.errors:
            raise ValueError(f"demo recipients of {group.code}: {report.errors[:3]}")
        added += report.added
    return added
