"""Drafting: what an issue, upgrade, downgrade, extension or lifting may say."""

from __future__ import annotations

# Instants are passed explicitly; everything else runs on the suite's frozen scene clock
# (tests/scene_clock.py), so the fixed dates hold on any day.
from datetime import UTC, datetime

import pytest

from notify.extensions import db
from notify.lifecycle.errors import InvalidProposal, NotPermitted, StaleForm, TransitionNotAllowed
from notify.lifecycle.proposals import edit_draft, propose_change, propose_issue
from tests.conftest import proposal, take_to


@pytest.mark.parametrize(
    ("field", "overrides"),
    [
        ("headline_zh", {"headline_zh": "  "}),
        ("headline_zh", {"headline_zh": "长" * 201}),
        ("level", {"level": None}),
        ("aqi_max", {"aqi_min": 300, "aqi_max": 200}),
        ("aqi_min", {"aqi_min": -1}),
        (
            "episode_end",
            {
                "episode_start": datetime(2026, 11, 23, tzinfo=UTC),
                "episode_end": datetime(2026, 11, 22, tzinfo=UTC),
            },
        ),
        ("townships", {"area_scope": "townships", "townships": []}),
        ("area_scope", {"area_scope": "province"}),
    ],
)
def test_invalid_issue_is_refused_and_nothing_is_stored(
    field, overrides, sample_users, sample_kind, sample_levels
):
    from sqlalchemy import func, select

    from notify.models import Warning

    with pytest.raises(InvalidProposal) as err:
        propose_issue(sample_kind, proposal(sample_levels["yellow"], **overrides), sample_users["office"])
    assert field in err.value.errors
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Warning)) == 0


def test_a_level_of_another_kind_is_refused(sample_users, sample_jurisdiction, sample_kind):
    other = next(k for k in sample_jurisdiction_kinds(sample_jurisdiction) if k.code == "production_safety")
    with pytest.raises(InvalidProposal) as err:
        propose_issue(sample_kind, proposal(other.levels[0]), sample_users["office"])
    assert "level" in err.value.errors


def sample_jurisdiction_kinds(j):
    from notify.lifecycle.queries import kinds

    return kinds(j.id)


def test_only_the_office_drafts(sample_users, sample_kind, sample_levels):
    for name in ("deputy", "commander", "publicity", "unit", "admin"):
        with pytest.raises(NotPermitted):
            propose_issue(sample_kind, proposal(sample_levels["yellow"]), sample_users[name])


def test_issue_prefills_the_levels_advice_and_numbers_the_warning(sample_users, sample_kind, sample_levels):
    r = propose_issue(sample_kind, proposal(sample_levels["orange"]), sample_users["office"])
    db.session.commit()
    assert r.warning.reference.startswith("140322-")
    assert r.advisories == sample_levels["orange"].advisory_blocks()
    assert any("中小学" in item["zh"] for item in r.advisories["school"])
    r2 = propose_issue(sample_kind, proposal(sample_levels["yellow"]), sample_users["office"])
    assert r2.warning.reference != r.warning.reference


@pytest.mark.parametrize(
    ("action", "from_level", "to_level", "ok"),
    [
        ("upgrade", "yellow", "orange", True),
        ("upgrade", "yellow", "red", True),
        ("upgrade", "orange", "yellow", False),
        ("upgrade", "orange", "orange", False),
        ("downgrade", "red", "orange", True),
        ("downgrade", "orange", "red", False),
        ("downgrade", "yellow", "yellow", False),
        ("extend", "orange", "orange", True),
        ("extend", "orange", "red", False),
    ],
)
def test_change_levels(action, from_level, to_level, ok, sample_users, sample_kind, sample_levels):
    first = propose_issue(sample_kind, proposal(sample_levels[from_level]), sample_users["office"])
    take_to(first, "published", sample_users)
    data = proposal(sample_levels[to_level], episode_end=datetime(2026, 11, 26, tzinfo=UTC))
    if ok:
        r = propose_change(first.warning, action, data, sample_users["office"])
        assert r.supersedes is first and r.sequence == 2 and r.state == "draft"
    else:
        with pytest.raises(InvalidProposal):
            propose_change(first.warning, action, data, sample_users["office"])


def test_extension_needs_a_new_end(sample_published, sample_users, sample_levels):
    with pytest.raises(InvalidProposal) as err:
        propose_change(
            sample_published.warning, "extend", proposal(sample_levels["yellow"]), sample_users["office"]
        )
    assert "episode_end" in err.value.errors


def test_one_open_proposal_at_a_time(sample_published, sample_users, sample_levels):
    propose_change(
        sample_published.warning, "upgrade", proposal(sample_levels["orange"]), sample_users["office"]
    )
    db.session.commit()
    with pytest.raises(TransitionNotAllowed):
        propose_change(
            sample_published.warning, "lift", proposal(sample_levels["yellow"]), sample_users["office"]
        )


def test_unpublished_or_lifted_warnings_cannot_be_changed(sample_draft, sample_users, sample_levels):
    with pytest.raises(TransitionNotAllowed):
        propose_change(
            sample_draft.warning, "upgrade", proposal(sample_levels["orange"]), sample_users["office"]
        )
    take_to(sample_draft, "published", sample_users)
    lift = propose_change(
        sample_draft.warning, "lift", proposal(sample_levels["yellow"]), sample_users["office"]
    )
    take_to(lift, "published", sample_users)
    with pytest.raises(TransitionNotAllowed):
        propose_change(
            sample_draft.warning, "upgrade", proposal(sample_levels["orange"]), sample_users["office"]
        )


@pytest.mark.parametrize("state", ["pending_approval", "approved", "published", "rejected"])
def test_only_drafts_and_returned_revisions_are_edited(state, sample_draft, sample_users, sample_levels):
    take_to(sample_draft, state, sample_users)
    with pytest.raises(TransitionNotAllowed):
        edit_draft(
            sample_draft,
            proposal(sample_levels["yellow"], headline_zh="改"),
            sample_users["office"],
            version=sample_draft.version,
        )
    db.session.rollback()
    assert sample_draft.headline_zh != "改"


def test_editing_a_returned_revision_with_a_stale_form(sample_draft, sample_users, sample_levels):
    take_to(sample_draft, "returned", sample_users)
    with pytest.raises(StaleForm):
        edit_draft(
            sample_draft,
            proposal(sample_levels["yellow"], headline_zh="改"),
            sample_users["office"],
            version=sample_draft.version - 1,
        )
    edit_draft(
        sample_draft,
        proposal(sample_levels["orange"], headline_zh="改为橙色"),
        sample_users["office"],
        version=sample_draft.version,
    )
    db.session.commit()
    assert sample_draft.level.code == "orange" and sample_draft.headline_zh == "改为橙色"
