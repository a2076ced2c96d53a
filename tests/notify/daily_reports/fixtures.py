"""Fixtures of the daily reports' tests that the timed jobs' tests use too (registered in
tests/conftest.py).

- `liaisons`: one liaison mobile per member unit but the last; returns unit code → mobile.
"""

from __future__ import annotations

import pytest

from notify.extensions import db
from notify.models import DutyContact


@pytest.fixture
def liaisons(sample_jurisdiction) -> dict[str, str]:
    """One liaison mobile per member unit but the last, which has only its landline (附件9)."""
    phones = {}
    units = sample_jurisdiction.member_units
    for i, unit in enumerate(units[:-1]):
        phones[unit.code] = f"+86139035301{i:02d}"
        db.session.add(
            DutyContact(
                jurisdiction_id=sample_jurisdiction.id,
                duty="unit_liaison",
                member_unit_id=unit.id,
                name=f"{unit.name_zh}联络员",
                phone=phones[unit.code],
            )
        )
    db.session.commit()
    return phones
