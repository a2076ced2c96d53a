"""A second warning of the same kind over an overlapping area while one is in force is saved
only when the office confirms it, and the confirmation stays in the audit trail."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from notify.extensions import db
from notify.lifecycle.errors import OverlapNotConfirmed
from notify.lifecycle.proposals import edit_draft, propose_issue
from notify.lifecycle.queries import kinds
from notify.models import AuditEvent, Warning
from tests.conftest import proposal, take_to


def _published(users, kind, level, **overrides):
    revision = propose_issue(kind, proposal(level, **overrides), users["office"], confirm_overlap=True)
    db.session.commit()
    take_to(revision, "published", users)
    return revision.warning


def _warnings() -> int:
    return db.session.scalar(select(func.count()).select_from(Warning)) or 0


def test_a_second_county_wide_warning_needs_a_confirmation(
    sample_published, sample_users, sample_kind, sample_levels
):
    with pytest.raises(OverlapNotConfirmed) as refused:
        propose_issue(sample_kind, proposal(sample_levels["orange"]), sample_users["office"])
    assert refused.value.warnings == [sample_published.warning]
    assert sample_published.warning.reference in str(refused.value.message)
    db.session.rollback()
    assert _warnings() == 1

    second = propose_issue(
        sample_kind, proposal(sample_levels["orange"]), sample_users["office"], confirm_overlap=True
    )
    db.session.commit()
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "revision.draft", AuditEvent.subject_id == second.id)
    )
    assert event.detail["overlap_confirmed"] == [sample_published.warning.reference]


def test_only_a_shared_township_overlaps(sample_jurisdiction, sample_users, sample_kind, sample_levels):
    a, b, c = sample_jurisdiction.townships[:3]
    in_force = _published(
        sample_users, sample_kind, sample_levels["yellow"], area_scope="townships", townships=[a]
    )
    apart = propose_issue(
        sample_kind,
        proposal(sample_levels["yellow"], area_scope="townships", townships=[b, c]),
        sample_users["office"],
    )
    db.session.commit()
    assert apart.warning.status == "proposed"
    with pytest.raises(OverlapNotConfirmed) as refused:
        propose_issue(
            sample_kind,
            proposal(sample_levels["yellow"], area_scope="townships", townships=[c, a]),
            sample_users["office"],
        )
    assert refused.value.warnings == [in_force]


def test_another_kind_a_lifted_warning_and_a_drill_do_not_overlap(
    sample_jurisdiction, sample_published, sample_users, sample_kind, sample_levels
):
    safety = next(k for k in kinds(sample_jurisdiction.id) if k.code == "production_safety")
    propose_issue(safety, proposal(safety.levels[0]), sample_users["office"])
    propose_issue(sample_kind, proposal(sample_levels["yellow"]), sample_users["office"], exercise=True)
    db.session.commit()
    sample_published.warning.status = "lifted"
    db.session.commit()
    propose_issue(sample_kind, proposal(sample_levels["yellow"]), sample_users["office"])
    db.session.commit()
    assert _warnings() == 4


def test_an_edit_that_widens_the_area_onto_a_warning_in_force_asks_again(
    sample_jurisdiction, sample_users, sample_kind, sample_levels
):
    a, b = sample_jurisdiction.townships[:2]
    _published(sample_users, sample_kind, sample_levels["yellow"], area_scope="townships", townships=[a])
    draft = propose_issue(
        sample_kind,
        proposal(sample_levels["orange"], area_scope="townships", townships=[b]),
        sample_users["office"],
    )
    db.session.commit()
    with pytest.raises(OverlapNotConfirmed):
        edit_draft(draft, proposal(sample_levels["orange"]), sample_users["office"], version=draft.version)
    db.session.rollback()
    edit_draft(
        draft,
        proposal(sample_levels["orange"]),
        sample_users["office"],
        version=draft.version,
        confirm_overlap=True,
    )
    db.session.commit()
    assert draft.area_scope == "county"
    # Confirmed once, the same overlap does not ask again on the next edit.
    edit_draft(
        draft, proposal(sample_levels["orange"], trend="改"), sample_users["office"], version=draft.version
    )
    db.session.commit()
    assert draft.trend == "改"
