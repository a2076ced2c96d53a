"""The transition table and the guard: only listed pairs, only the right roles, reasons where
required, one extension of at most 30 days, stale forms refused."""

from __future__ import annotations

import pytest

from notify.lifecycle.errors import InvalidProposal, NotPermitted, StaleForm, TransitionNotAllowed
from notify.tipoffs.guard import ActionData, allowed_actions, perform
from notify.tipoffs.transitions import ROLES, TRANSITIONS, Action, State, next_state
from tests.notify.tipoffs.fixtures import make_tipoff


def test_every_pair_not_in_the_table_is_refused():
    for state in State:
        for action in Action:
            assert (next_state(state, action) is not None) == ((state, action) in TRANSITIONS)
    assert next_state("received", "approve_reply") is None
    assert next_state("closed", "accept") is None
    assert next_state("nonsense", "accept") is None


def test_every_action_has_roles():
    assert set(ROLES) == set(Action)


@pytest.fixture
def referred(sample_tipoff_env, sample_jurisdiction, sample_users, sample_unit_users):
    tipoff, _ = make_tipoff(sample_jurisdiction)
    perform(tipoff, "accept", sample_users["office"])
    perform(
        tipoff, "refer", sample_users["office"], ActionData(unit_id=sample_unit_users["eco"].member_unit_id)
    )
    return tipoff


def test_a_step_out_of_order_is_refused(sample_tipoff_env, sample_jurisdiction, sample_users):
    tipoff, _ = make_tipoff(sample_jurisdiction)
    with pytest.raises(TransitionNotAllowed) as refused:
        perform(tipoff, "approve_reply", sample_users["office"])
    assert refused.value.status_code == 409 and tipoff.state == "received"


@pytest.mark.parametrize("username", ["deputy", "commander", "publicity", "unit", "admin"])
def test_only_the_office_accepts(username, sample_tipoff_env, sample_jurisdiction, sample_users):
    tipoff, _ = make_tipoff(sample_jurisdiction)
    with pytest.raises(NotPermitted):
        perform(tipoff, "accept", sample_users[username])
    assert tipoff.state == "received"


def test_only_the_unit_it_was_referred_to_verifies(referred, sample_users, sample_unit_users):
    with pytest.raises(NotPermitted):
        perform(referred, "start_verifying", sample_unit_users["police"])
    with pytest.raises(NotPermitted):
        perform(referred, "start_verifying", sample_users["office"])
    with pytest.raises(NotPermitted):  # a member-unit login not tied to any unit
        perform(referred, "start_verifying", sample_users["unit"])
    perform(referred, "start_verifying", sample_unit_users["eco"])
    assert referred.state == "verifying"


def test_referring_again_needs_another_unit_and_a_reason(referred, sample_users, sample_unit_users):
    office = sample_users["office"]
    with pytest.raises(InvalidProposal):
        perform(referred, "refer", office, ActionData(unit_id=sample_unit_users["police"].member_unit_id))
    with pytest.raises(InvalidProposal):
        perform(
            referred, "refer", office, ActionData(unit_id=sample_unit_users["eco"].member_unit_id, reason="x")
        )
    perform(
        referred,
        "refer",
        office,
        ActionData(unit_id=sample_unit_users["police"].member_unit_id, reason="涉及机动车，改由公安交警核查"),
    )
    assert referred.assigned_unit_id == sample_unit_users["police"].member_unit_id


def test_refer_needs_a_unit_of_this_county(referred, sample_users):
    with pytest.raises(InvalidProposal):
        perform(referred, "refer", sample_users["office"], ActionData(unit_id=999999, reason="x"))


@pytest.mark.parametrize("days", [None, 0, 31, -5])
def test_an_extension_is_1_to_30_days(days, referred, sample_users):
    with pytest.raises(InvalidProposal):
        perform(
            referred, "extend", sample_users["office"], ActionData(extension_days=days, reason="需要更多时间")
        )
    assert referred.extension_days is None


def test_an_extension_needs_a_reason_and_happens_once(referred, sample_users):
    office = sample_users["office"]
    with pytest.raises(InvalidProposal):
        perform(referred, "extend", office, ActionData(extension_days=10))
    perform(referred, "extend", office, ActionData(extension_days=10, reason="需现场复核"))
    with pytest.raises(TransitionNotAllowed):
        perform(referred, "extend", office, ActionData(extension_days=5, reason="再次"))
    assert referred.extension_days == 10


def test_a_reply_needs_a_finding_and_text(referred, sample_unit_users):
    eco = sample_unit_users["eco"]
    perform(referred, "start_verifying", eco)
    with pytest.raises(InvalidProposal) as refused:
        perform(referred, "submit_reply", eco, ActionData(outcome="maybe", reply="ok"))
    assert set(refused.value.errors) == {"outcome", "reply"}


def test_a_stale_form_changes_nothing(referred, sample_users):
    with pytest.raises(StaleForm):
        perform(
            referred,
            "extend",
            sample_users["office"],
            ActionData(extension_days=5, reason="x"),
            version=referred.version - 1,
        )
    assert referred.extension_days is None


@pytest.mark.parametrize("amount", ["", "abc", "-5", "0", "12.345", "1e9", "NaN", "Infinity"])
def test_reward_amounts_are_checked(amount):
    from notify.tipoffs.guard import _amount

    with pytest.raises(InvalidProposal):
        _amount(amount)


def test_allowed_actions_follow_the_table(referred, sample_users, sample_unit_users):
    assert [a.value for a in allowed_actions(referred, sample_unit_users["eco"])] == ["start_verifying"]
    assert allowed_actions(referred, sample_unit_users["police"]) == []
    assert {a.value for a in allowed_actions(referred, sample_users["office"])} == {"refer", "extend"}
