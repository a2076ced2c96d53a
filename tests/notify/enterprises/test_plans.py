"""一厂一策: the plan prefilled from the reduction list, versioned, checked field by field, approved
by someone other than its last editor, the older approved version superseded."""

from __future__ import annotations

import copy

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from notify.enterprises import plans
from notify.extensions import db
from notify.lifecycle.errors import InvalidProposal, NotPermitted, TransitionNotAllowed
from notify.models import AuditEvent, Jurisdiction, User
from tests.notify.enterprises.builders import create_enterprise, create_line, create_reduction_list

LIME_C = {"industry": "lime_kiln", "grade": "C"}


@pytest.fixture(autouse=True)
def _english(app):
    """The refusals are read in English here (the catalogue gives them in Chinese by default)."""
    with app.test_request_context(), force_locale("en"):
        yield


@pytest.fixture
def lime_list(sample_jurisdiction):
    """石灰窑 C of 附件11: Ⅲ stops 50 % by lines, Ⅱ 70 % (roasting), Ⅰ the whole plant."""
    return create_reduction_list(
        sample_jurisdiction,
        {
            **LIME_C,
            "response": "III",
            "text_zh": "停产 50%，以生产线计；停止使用国四及以下重型载货车辆（含燃气）进行运输。",
            "action": {"stop_share": 50, "basis": "lines", "trucks": "stop_china4_and_below"},
        },
        {
            **LIME_C,
            "response": "II",
            "text_zh": "焙烧工序停产70%，以生产线计。",
            "action": {"stop_share": 70, "basis": "lines", "processes": ["焙烧"]},
        },
        {
            **LIME_C,
            "response": "I",
            "text_zh": "停产，停止使用国四及以下重型载货车辆（含燃气）进行运输。",
            "action": {"stop_share": 100, "basis": "whole_plant", "trucks": "stop_china4_and_below"},
        },
    )


@pytest.fixture
def kiln(sample_jurisdiction, lime_list):
    """Three kilns (two roasting) and a non-emitting packing line."""
    enterprise = create_enterprise(sample_jurisdiction, **LIME_C, env_officer="王环保")
    create_line(enterprise, name="1号窑", processes="焙烧,破碎")
    create_line(enterprise, name="2号窑", processes="焙烧")
    create_line(enterprise, name="3号窑", processes="煅烧")
    create_line(enterprise, name="包装线", processes="包装", emits=False)
    db.session.commit()
    return enterprise


def _ids(enterprise, *names):
    by_name = {line.name: line.id for line in enterprise.lines}
    return [by_name[n] for n in names]


def _draft(enterprise, users, who="office"):
    plan = plans.new_draft(enterprise, users[who])
    db.session.commit()
    return plan


def _refusals(plan, levels, actor) -> dict:
    with pytest.raises(InvalidProposal) as caught:
        plans.save(plan, levels, actor)
    db.session.rollback()
    return {k: str(v) for k, v in caught.value.errors.items()}


def test_prefill_takes_each_levels_measure_and_suggests_the_lines_it_stops(kiln):
    levels = plans.prefill(kiln)

    assert list(levels) == ["III", "II", "I"]  # the county's heavy-pollution levels, yellow first
    iii = levels["III"]
    assert iii["text"].startswith("停产 50%，以生产线计")
    # Half of the three emitting kilns, rounded up: two; the packing line never counts.
    assert iii["lines"] == _ids(kiln, "1号窑", "2号窑")
    assert iii["stop_share"] == 50
    assert iii["prep_hours"] == 2
    assert [(i["name"], i["value"], i["unit"]) for i in iii["indicators"]] == [
        ("预计日用电量", "", "kWh"),
        ("预计日用天然气量", "", "m³"),
    ]
    assert iii["responsible"] == [{"name": "王环保", "phone": kiln.env_officer_phone, "duty": "环保负责人"}]
    # 70 % of the two roasting kilns, rounded up: both; and the process is named.
    assert levels["II"]["lines"] == _ids(kiln, "1号窑", "2号窑")
    assert levels["II"]["processes"] == ["焙烧"]
    # A whole-plant stop: every emitting line.
    assert levels["I"]["lines"] == _ids(kiln, "1号窑", "2号窑", "3号窑")


def test_the_share_of_lines_is_counted_without_float_rounding(sample_jurisdiction):
    enterprise = create_enterprise(sample_jurisdiction)
    for n in range(10):
        create_line(enterprise, name=f"{n}号线")
    lines = list(enterprise.lines)
    assert len(plans.suggested_lines(lines, {"stop_share": 30, "basis": "lines"})) == 3
    assert len(plans.suggested_lines(lines, {"stop_share": 25, "basis": "lines"})) == 3  # 2.5 → 3
    assert plans.suggested_lines(lines, {"limit_share": 25, "basis": "capacity_min"}) == []
    assert plans.suggested_lines(lines, {"voluntary": True}) == []


def test_a_process_stopped_outright_suggests_the_lines_running_it(sample_jurisdiction):
    enterprise = create_enterprise(sample_jurisdiction, industry="brick_tile")
    create_line(enterprise, name="破碎线", processes="破碎")
    create_line(enterprise, name="焙烧窑", processes="焙烧")
    create_line(enterprise, name="成型线", processes="成型、切坯")
    suggested = plans.suggested_lines(list(enterprise.lines), {"stop_processes": ["破碎", "成型"]})
    assert suggested == _ids(enterprise, "破碎线", "成型线")


def test_without_a_list_the_prefill_still_holds_every_level_to_fill_in(sample_jurisdiction):
    enterprise = create_enterprise(sample_jurisdiction)
    create_line(enterprise)
    levels = plans.prefill(enterprise)
    assert list(levels) == ["III", "II", "I"]
    assert all(level["text"] == "" and level["lines"] == [] for level in levels.values())


def test_versions_copy_the_latest_and_only_one_draft_is_open(kiln, lime_list, sample_users):
    first = _draft(kiln, sample_users)
    assert (first.version, first.state, first.list_id) == (1, "draft", lime_list.id)
    assert first.levels == plans.prefill(kiln)

    with pytest.raises(TransitionNotAllowed, match="still a draft"):
        plans.new_draft(kiln, sample_users["office2"])

    edited = copy.deepcopy(first.levels)
    edited["III"]["prep_hours"] = 4
    plans.save(first, edited, sample_users["office"])
    plans.approve(first, sample_users["deputy"])
    db.session.commit()

    second = _draft(kiln, sample_users, "office2")
    assert second.version == 2 and second.state == "draft"
    assert second.levels["III"]["prep_hours"] == 4  # a copy of version 1, not the list again
    assert [p.version for p in plans.versions(kiln.id)] == [2, 1]


def test_a_new_version_can_start_again_from_the_list(kiln, sample_users):
    first = _draft(kiln, sample_users)
    levels = copy.deepcopy(first.levels)
    levels["I"]["text"] = "企业自定措施"
    plans.save(first, levels, sample_users["office"])
    plans.approve(first, sample_users["commander"])
    db.session.commit()

    fresh = plans.new_draft(kiln, sample_users["office"], from_list=True)
    assert fresh.version == 2
    assert fresh.levels["I"]["text"].startswith("停产，")


def test_save_stores_the_cleaned_levels_and_records_what_changed(kiln, sample_users):
    plan = _draft(kiln, sample_users)
    levels = copy.deepcopy(plan.levels)
    levels["II"].update(
        {
            "lines": [str(i) for i in _ids(kiln, "2号窑")],
            "processes": "焙烧，破碎",
            "prep_hours": "1.5",
            "rotation_batches": "2",
            "stop_share": "70",
            "indicators": [{"name": "预计日用电量", "value": "12000", "unit": "kWh"}],
            "responsible": [{"name": "李四", "phone": "139 1234 5678", "duty": "焙烧工序"}],
        }
    )
    plans.save(plan, levels, sample_users["office2"])
    db.session.commit()

    saved = plan.levels["II"]
    assert saved["lines"] == _ids(kiln, "2号窑")
    assert saved["processes"] == ["焙烧", "破碎"]
    assert (saved["prep_hours"], saved["rotation_batches"], saved["stop_share"]) == (1.5, 2, 70)
    assert saved["indicators"] == [{"name": "预计日用电量", "value": 12000, "unit": "kWh"}]
    assert saved["responsible"] == [{"name": "李四", "phone": "+8613912345678", "duty": "焙烧工序"}]
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == plans.SAVE).order_by(AuditEvent.id.desc())
    ).first()
    assert event.actor_id == sample_users["office2"].id and event.detail["changed"] == ["II"]


def test_save_refuses_bad_input_each_with_its_reason(kiln, sample_users, sample_jurisdiction):
    plan = _draft(kiln, sample_users)
    other = create_enterprise(sample_jurisdiction)
    foreign = create_line(other, name="别家的线")
    db.session.commit()
    levels = copy.deepcopy(plan.levels)
    levels["IV"] = copy.deepcopy(levels["III"])  # the heavy-pollution warning has no Ⅳ
    levels["III"].update(stop_share=120, limit_share="-5", prep_hours=80, rotation_batches=4)
    levels["II"].update(
        lines=[foreign.id],
        prep_hours="两小时",
        indicators=[{"name": "", "value": "很多", "unit": "kWh"}],
        responsible=[{"name": "", "phone": "12345", "duty": ""}],
    )
    levels["I"]["responsible"] = []
    before = copy.deepcopy(plan.levels)

    errors = _refusals(plan, levels, sample_users["office"])

    assert "no level IV" in errors["IV"] and "III / II / I" in errors["IV"]
    assert "0 to 100" in errors["III.stop_share"] and "0 to 100" in errors["III.limit_share"]
    assert "0 to 72" in errors["III.prep_hours"] and "0 to 72" in errors["II.prep_hours"]
    assert "1 to 3 batches" in errors["III.rotation_batches"]
    assert "not one of this enterprise's lines" in errors["II.lines"]
    assert "Name the indicator" in errors["II.indicators.0.name"]
    assert "number of 0 or more" in errors["II.indicators.0.value"]
    assert "responsible person's name" in errors["II.responsible.0.name"]
    assert "Not a mobile number" in errors["II.responsible.0.phone"]
    assert "at least one responsible person" in errors["I.responsible"]
    assert db.session.get(type(plan), plan.id).levels == before  # nothing written


def test_a_missing_level_is_refused(kiln, sample_users):
    plan = _draft(kiln, sample_users)
    levels = {k: v for k, v in copy.deepcopy(plan.levels).items() if k != "I"}
    assert "no measures for level I" in _refusals(plan, levels, sample_users["office"])["I"]


def test_only_a_draft_is_saved_and_only_by_the_countys_office_or_admin(kiln, sample_users):
    plan = _draft(kiln, sample_users)
    with pytest.raises(NotPermitted):
        plans.save(plan, plan.levels, sample_users["deputy"])
    plans.approve(plan, sample_users["deputy"])
    db.session.commit()
    with pytest.raises(TransitionNotAllowed, match="no longer a draft"):
        plans.save(plan, plan.levels, sample_users["office"])


def test_nobody_approves_the_draft_they_saved_last(kiln, sample_users):
    plan = _draft(kiln, sample_users, "office")
    with pytest.raises(NotPermitted, match="saved this draft last"):
        plans.approve(plan, sample_users["office"])

    plans.save(plan, copy.deepcopy(plan.levels), sample_users["office2"])
    db.session.commit()
    assert plans.last_saved_by(plan) == sample_users["office2"].id
    with pytest.raises(NotPermitted, match="saved this draft last"):
        plans.approve(plan, sample_users["office2"])

    plans.approve(plan, sample_users["office"])  # made it, but another saved it since
    db.session.commit()
    assert plan.state == "approved" and plan.approved_by_id == sample_users["office"].id


@pytest.mark.parametrize("who", ["publicity", "unit", "admin"])
def test_approvers_are_the_office_and_the_commanders(kiln, sample_users, who):
    plan = _draft(kiln, sample_users)
    with pytest.raises(NotPermitted, match="office, deputy commander or commander"):
        plans.approve(plan, sample_users[who])
    assert plan.state == "draft"


def test_another_countys_approver_is_refused(kiln, sample_users):
    plan = _draft(kiln, sample_users)
    elsewhere = Jurisdiction(code="130481", name_zh="武安市", name_en="Wu'an")
    db.session.add(elsewhere)
    db.session.flush()
    stranger = User(jurisdiction=elsewhere, username="w", display_name="武安副总指挥", role="commander")
    stranger.password_hash = "x"
    db.session.add(stranger)
    db.session.flush()
    with pytest.raises(NotPermitted):
        plans.approve(plan, stranger)


def test_approving_a_newer_version_supersedes_the_one_in_force(kiln, sample_users):
    first = _draft(kiln, sample_users)
    plans.approve(first, sample_users["deputy"])
    db.session.commit()
    assert plans.current_plan(kiln.id) == first
    with pytest.raises(TransitionNotAllowed, match="Only a draft"):
        plans.approve(first, sample_users["commander"])

    second = _draft(kiln, sample_users)
    assert plans.current_plan(kiln.id) == first  # a draft is not in force
    plans.approve(second, sample_users["commander"])
    db.session.commit()

    assert (first.state, second.state) == ("superseded", "approved")
    assert plans.current_plan(kiln.id) == second
    actions = [(e.action, e.subject_id) for e in plans.trail(first)]
    assert actions == [(plans.CREATE, first.id), (plans.APPROVE, first.id), (plans.SUPERSEDE, first.id)]
    assert plans.next_state("superseded", plans.Action.APPROVE) is None


def test_approval_checks_the_measures_again(kiln, sample_users):
    """A line removed from the registry since the draft was saved: the draft must be corrected."""
    plan = _draft(kiln, sample_users)
    doomed = next(line for line in kiln.lines if line.name == "1号窑")
    kiln.lines.remove(doomed)
    db.session.commit()
    with pytest.raises(InvalidProposal) as caught:
        plans.approve(plan, sample_users["deputy"])
    assert "III.lines" in caught.value.errors
