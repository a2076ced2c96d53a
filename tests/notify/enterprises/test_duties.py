"""Publishing a heavy-pollution level freezes each enterprise's duty for its grade and sends it
with its own link; a later revision supersedes it, a lifting releases it, an exercise reaches
no enterprise. Publication happens on a frozen clock (duty_effect_helpers.T0)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, insert, select

from notify import scheduling
from notify.ack_links import ENTERPRISE_DUTY
from notify.enterprises import confirm, duties, messages
from notify.extensions import db
from notify.lifecycle.proposals import ProposalData, propose_issue
from notify.models import AuditEvent, Enterprise, EnterprisePlan, ReductionMeasure
from notify.models.deliveries import Status
from tests.notify.enterprises.builders import create_enterprise, create_line, create_reduction_list
from tests.notify.enterprises.duty_effect_helpers import (
    DUE,
    START,
    STOP_ALL,
    STOP_HALF,
    T0,
    TRUCKS_ONLY,
    VOLUNTARY,
    change,
    create_plan,
    create_robot,
    duty_of,
    lime_kiln_list,
    link_in,
    publish,
    restart,  # noqa: F401  (the fixture every test here uses)
    sent,
)
from tests.notify.enterprises.duty_effect_helpers import (
    duties as duties_of,
)

# Each test starts with a fresh scheduler over the job store, as after a restart.
pytestmark = pytest.mark.usefixtures("restart")


@pytest.fixture
def draft(sample_draft):
    sample_draft.response_start_at = START
    db.session.commit()
    return sample_draft


@pytest.fixture
def kilns(sample_jurisdiction):
    """Four lime kilns graded A–D, the C one with two lines and an approved plan."""
    reduction_list = lime_kiln_list(sample_jurisdiction)
    made = {g: create_enterprise(sample_jurisdiction, grade=g, name=f"{g}级石灰厂") for g in "ABCD"}
    create_line(made["C"], processes="煅烧", capacity_eia=600, capacity_permit=550, capacity_actual=500)
    create_line(made["C"], processes="煅烧", capacity_eia=600, capacity_permit=550, capacity_actual=500)
    create_plan(made["C"])
    db.session.commit()
    made["list"] = reduction_list
    return made


def test_each_enterprise_gets_the_measure_of_its_grade_frozen(kilns, draft, sample_users):
    publish(draft, sample_users)
    rows = {d.enterprise_id: d for d in duties_of(draft.id)}
    assert len(rows) == 4
    cells = {
        (m.grade, m.response): m
        for m in db.session.scalars(
            select(ReductionMeasure).where(ReductionMeasure.list_id == kilns["list"].id)
        )
    }
    texts = {"A": VOLUNTARY, "B": TRUCKS_ONLY, "C": STOP_HALF, "D": STOP_ALL}
    for grade, text in texts.items():
        row = rows[kilns[grade].id]
        assert (row.kind, row.response, row.grade, row.text_zh) == ("duty", "III", grade, text)
        assert row.measure_id == cells[(grade, "III")].id and row.list_id == kilns["list"].id
        assert row.requires_ack and not row.exempt and row.superseded_at is None
        assert row.due_at == DUE and row.phone == kilns[grade].env_officer_phone
        assert row.township_id == kilns[grade].township_id
    c = rows[kilns["C"].id]
    assert c.action == {"stop_share": 50, "basis": "lines", "trucks": "stop_china4_and_below"}
    assert c.plan_id is not None and rows[kilns["A"].id].plan_id is None
    # Half the lines stop: half of 10 t of SO2 a year, over 330 days.
    assert c.reduction["so2"] == pytest.approx(10 / 330 * 0.5)
    assert rows[kilns["A"].id].reduction["so2"] == 0  # voluntary: nothing counted

    # Frozen: a later edit of the list changes nothing already sent.
    db.session.get(ReductionMeasure, c.measure_id).text_zh = "改过的措施"
    db.session.commit()
    assert duty_of(draft.id, kilns["C"].id).text_zh == STOP_HALF


def test_each_enterprise_gets_its_own_sms_and_link(kilns, draft, sample_users):
    publish(draft, sample_users)
    by_phone = {d.address: d for d in sent(revision_id=draft.id)}
    assert len(by_phone) == 4
    enterprise = kilns["C"]
    sms = by_phone[enterprise.env_officer_phone]
    assert sms.body.startswith(f"{enterprise.name}：盂县发布重污染天气黄色预警。")
    assert "Ⅲ级响应期间贵企业应：停产50%，以生产线计；停止使用国四及以下重型载货车辆" in sms.body
    assert "请于11月23日11:30前落实到位" in sms.body  # 09:30 start + 2 h, Beijing time
    token = link_in(sms.body)[len("/d/") :]
    assert ENTERPRISE_DUTY.read(token) == (draft.id, enterprise.id)
    assert len({link_in(d.body) for d in by_phone.values()}) == 4
    assert (sms.status, sms.gateway, sms.purpose, sms.after_revision_id) == (
        Status.PENDING,
        "aliyun",
        duties.PURPOSE,
        None,
    )
    assert sms.priority < 10  # a responder's message: before the public's
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "enterprise.duties"))
    assert event.detail["duties"] == 4 and event.detail["to_confirm"] == 4
    assert scheduling.next_run_time(messages.job_id(draft.id, 1)) == DUE
    assert scheduling.next_run_time(messages.job_id(draft.id, 2)) == DUE + timedelta(minutes=30)


def test_a_robot_gets_the_duty_without_a_link(sample_jurisdiction, kilns, draft, sample_users):
    robot = create_robot(sample_jurisdiction)
    kilns["C"].robot_id = robot.id
    db.session.commit()
    publish(draft, sample_users)
    [message] = sent(revision_id=draft.id, channel="robot")
    assert message.address == f"robot:{robot.id}" and message.gateway == "wecom"
    assert kilns["C"].name in message.body and "停产50%" in message.body and "/d/" not in message.body


def test_an_exercise_reaches_no_enterprise(kilns, draft, sample_users):
    draft.warning.is_exercise = True
    db.session.commit()
    publish(draft, sample_users)
    assert duties_of(draft.id) == [] and sent() == []
    assert scheduling.next_run_time(messages.job_id(draft.id, 1)) is None


def test_an_exempt_enterprise_is_told_so_and_confirms_nothing(
    sample_jurisdiction, kilns, draft, sample_users
):
    micro = create_enterprise(sample_jurisdiction, name="微型石灰厂", grade="exempt", exempt_reason="micro")
    db.session.commit()
    publish(draft, sample_users)
    row = duty_of(draft.id, micro.id)
    assert row.exempt and not row.requires_ack and row.measure_id is None and row.reduction == {}
    body = next(d.body for d in sent(revision_id=draft.id) if d.address == micro.env_officer_phone)
    assert "贵企业为小微涉气企业" in body and "可不采取停限产措施" in body and "/d/" not in body


def test_only_exempt_enterprises_schedule_no_escalation(sample_jurisdiction, draft, sample_users):
    lime_kiln_list(sample_jurisdiction)
    create_enterprise(sample_jurisdiction, grade="exempt", exempt_reason="livelihood")
    db.session.commit()
    publish(draft, sample_users)
    assert len(duties_of(draft.id)) == 1
    assert scheduling.next_run_time(messages.job_id(draft.id, 1)) is None


def test_an_upgrade_supersedes_the_duties_and_sends_the_new_ones(kilns, draft, sample_users, sample_levels):
    publish(draft, sample_users)
    old_links = {d.address: link_in(d.body) for d in sent(revision_id=draft.id)}
    at = T0 + timedelta(hours=1)
    upgrade = change(draft, "upgrade", sample_levels["orange"], sample_users, at)
    old = duties_of(draft.id)
    assert {d.superseded_at for d in old} == {at}
    new = {d.enterprise_id: d for d in duties_of(upgrade.id)}
    assert new[kilns["C"].id].response == "II" and new[kilns["C"].id].text_zh == STOP_ALL
    assert new[kilns["C"].id].due_at == at + timedelta(hours=2)
    assert all(d.superseded_at is None for d in new.values())
    sms = {d.address: d for d in sent(revision_id=upgrade.id)}
    assert set(sms) == set(old_links) and all(d.after_revision_id == draft.id for d in sms.values())
    assert "Ⅱ级响应期间贵企业应：停产" in sms[kilns["C"].env_officer_phone].body
    assert not set(old_links.values()) & {link_in(d.body) for d in sms.values()}
    # The old revision's escalation stops; the new one's runs from its own due time.
    assert scheduling.next_run_time(messages.job_id(draft.id, 1)) is None
    assert scheduling.next_run_time(messages.job_id(upgrade.id, 1)) == at + timedelta(hours=2)
    assert duties.in_force(kilns["C"].id).id == new[kilns["C"].id].id


def test_a_lifting_releases_those_who_had_a_duty(
    sample_jurisdiction, kilns, draft, sample_users, sample_levels
):
    micro = create_enterprise(sample_jurisdiction, grade="exempt", exempt_reason="micro")
    db.session.commit()
    publish(draft, sample_users)
    assert duties.in_force(kilns["D"].id) is not None
    at = T0 + timedelta(hours=20)
    lift = change(
        draft, "lift", sample_levels["yellow"], sample_users, at, headline_zh="盂县解除重污染天气黄色预警"
    )
    rows = duties_of(lift.id)
    assert {r.enterprise_id for r in rows} == {kilns[g].id for g in "ABCD"}  # not the exempt one
    assert all(r.kind == "release" and not r.requires_ack and r.due_at is None for r in rows)
    assert micro.id not in {r.enterprise_id for r in rows}
    bodies = {d.address: d for d in sent(revision_id=lift.id)}
    body = bodies[kilns["D"].env_officer_phone].body
    assert "Ⅲ级响应终止，贵企业可解除应急减排措施" in body and "/d/" not in body
    assert {d.expires_at for d in bodies.values()} == {None}
    assert {d.superseded_at for d in duties_of(draft.id)} == {at}
    for rid in (draft.id, lift.id):
        assert scheduling.next_run_time(messages.job_id(rid, 1)) is None
    assert duties.in_force(kilns["D"].id) is None


def test_a_township_warning_reaches_the_enterprises_of_its_townships(
    sample_jurisdiction, sample_kind, sample_levels, sample_users
):
    lime_kiln_list(sample_jurisdiction)
    towns = sample_jurisdiction.townships
    inside = [create_enterprise(sample_jurisdiction, township=towns[0]) for _ in range(2)]
    create_enterprise(sample_jurisdiction, township=towns[1])
    gone = create_enterprise(sample_jurisdiction, township=towns[0], active=False)
    draft = propose_issue(
        sample_kind,
        ProposalData(
            level=sample_levels["yellow"],
            headline_zh=f"{towns[0].name_zh}发布黄色预警",
            area_scope="townships",
            townships=[towns[0]],
            response_start_at=START,
        ),
        sample_users["office"],
    )
    db.session.commit()
    publish(draft, sample_users)
    assert {d.enterprise_id for d in duties_of(draft.id)} == {e.id for e in inside}
    assert gone.id not in {d.enterprise_id for d in duties_of(draft.id)}


def test_a_narrower_upgrade_releases_those_left_outside(
    sample_jurisdiction, kilns, draft, sample_users, sample_levels
):
    town = kilns["C"].township
    other = next(t for t in sample_jurisdiction.townships if t.id != town.id)
    outside = create_enterprise(sample_jurisdiction, township=other, name="镇外石灰厂")
    db.session.commit()
    publish(draft, sample_users)
    assert outside.id in {d.enterprise_id for d in duties_of(draft.id)}
    upgrade = change(
        draft,
        "upgrade",
        sample_levels["orange"],
        sample_users,
        T0 + timedelta(hours=2),
        area_scope="townships",
        townships=[town],
    )
    kinds = {d.enterprise_id: d.kind for d in duties.for_revision(upgrade.id)}
    assert kinds == {**{kilns[g].id: "duty" for g in "ABCD"}, outside.id: "release"}
    body = next(d.body for d in sent(revision_id=upgrade.id) if d.address == outside.env_officer_phone)
    assert "Ⅲ级响应终止" in body  # the response it was under, not the upgrade's


def test_a_late_publication_counts_the_two_hours_from_the_publication(kilns, draft, sample_users):
    draft.response_start_at = T0 - timedelta(hours=1)
    db.session.commit()
    publish(draft, sample_users)
    assert {d.due_at for d in duties_of(draft.id)} == {T0 + timedelta(hours=2)}


def _add_enterprises(jurisdiction, first: int, count: int) -> None:
    towns = jurisdiction.townships
    db.session.execute(
        insert(Enterprise),
        [
            {
                "jurisdiction_id": jurisdiction.id,
                "credit_code": f"X{n:017d}",
                "name": f"企业{n}",
                "township_id": towns[n % len(towns)].id,
                "industry": "lime_kiln",
                "grade": "ABCD"[n % 4],
                "env_officer_phone": f"+86138{n:08d}",
            }
            for n in range(first, first + count)
        ],
    )
    db.session.commit()


def _statements_of_write_for(monkeypatch, draft, users) -> list[tuple[str, int, bool]]:
    """Publish `draft`; every statement write_for ran: (SQL, parameters, executemany)."""
    statements: list[tuple[str, int, bool]] = []
    real = duties.write_for

    def note(conn, cursor, statement, parameters, context, executemany):
        rows = parameters if executemany else [parameters]
        statements.append((statement, sum(len(p or ()) for p in rows), executemany))

    def counted(revision, now):
        event.listen(db.engine, "before_cursor_execute", note)
        try:
            return real(revision, now)
        finally:
            event.remove(db.engine, "before_cursor_execute", note)

    monkeypatch.setattr(duties, "write_for", counted)
    publish(draft, users)
    monkeypatch.setattr(duties, "write_for", real)
    return statements


def test_the_writes_do_not_grow_with_the_enterprises(
    sample_jurisdiction, sample_kind, sample_levels, sample_users, monkeypatch
):
    """Publishing to 1,000 enterprises costs write_for the same statements, with the same
    parameters, as publishing to 4: each table is written with one INSERT … SELECT and no SMS is
    written in the publish transaction (the executors write them after the commit). Bench figure
    for 10,000: see bench/fanout.py --enterprises."""
    lime_kiln_list(sample_jurisdiction)
    _add_enterprises(sample_jurisdiction, 0, 4)

    def draft():
        revision = propose_issue(
            sample_kind,
            ProposalData(level=sample_levels["yellow"], headline_zh="盂县发布重污染天气黄色预警"),
            sample_users["office"],
            confirm_overlap=True,  # the second, beside the first
        )
        db.session.commit()
        return revision

    first = draft()
    few = _statements_of_write_for(monkeypatch, first, sample_users)
    _add_enterprises(sample_jurisdiction, 4, 996)
    second = draft()
    many = _statements_of_write_for(monkeypatch, second, sample_users)

    assert len(duties_of(second.id)) == 1_000 and len(sent(revision_id=second.id)) == 1_000
    assert [(n, bulk) for _, n, bulk in many] == [(n, bulk) for _, n, bulk in few], many
    assert not any(bulk for _, _, bulk in many) and len(many) <= 15, many
    inserts = [sql for sql, _, _ in many if sql.lstrip().upper().startswith("INSERT")]
    assert len(inserts) == 1 and "INSERT INTO enterprise_duties" in inserts[0] and "SELECT" in inserts[0]
    assert not any("INSERT INTO deliveries" in sql for sql, _, _ in many)


def test_an_extension_keeps_what_was_confirmed(kilns, draft, sample_users, sample_levels):
    publish(draft, sample_users)
    first = duty_of(draft.id, kilns["C"].id)
    assert confirm.in_place(first, T0 + timedelta(minutes=40), note="1号窑已停").recorded
    db.session.commit()
    at = T0 + timedelta(hours=6)
    extension = change(
        draft, "extend", sample_levels["yellow"], sample_users, at, episode_end=T0 + timedelta(hours=72)
    )
    again = duty_of(extension.id, kilns["C"].id)
    assert (again.in_place_at, again.in_place_note) == (T0 + timedelta(minutes=40), "1号窑已停")
    assert again.requires_ack and again.due_at == at + timedelta(hours=2)
    others = duty_of(extension.id, kilns["D"].id)
    assert others.in_place_at is None and others.received_at is None
    bodies = {d.address: d.body for d in sent(revision_id=extension.id)}
    assert "此前已确认措施落实到位，请继续保持" in bodies[kilns["C"].env_officer_phone]
    assert "请于11月23日17:00前落实到位" in bodies[kilns["D"].env_officer_phone]


def test_the_cell_is_the_lists_exact_one_any_grade_for_open_pits_or_the_plants_plan(
    sample_jurisdiction, draft, sample_users
):
    """露天开采 stops whatever the grade (the first grade's cell); an empty cell is filled by the
    latest approved plan's text for the level; neither means no mandatory measure."""
    stop_all = {"stop_share": 100, "basis": "whole_plant"}
    pits = create_reduction_list(
        sample_jurisdiction,
        *(
            {
                "industry": "open_pit_mining",
                "grade": g,
                "response": "III",
                "text_zh": f"全部停产{g}",
                "action": stop_all,
            }
            for g in ("B", "A")
        ),
    )
    pit = create_enterprise(sample_jurisdiction, industry="open_pit_mining", grade="D", name="露天矿")
    exempt_pit = create_enterprise(
        sample_jurisdiction, industry="open_pit_mining", grade="exempt", exempt_reason="livelihood"
    )
    planned = create_enterprise(sample_jurisdiction, grade="leading", name="有方案的石灰厂")
    create_plan(planned, levels={"III": {"text": "1号窑停产"}})
    create_plan(planned, version=2, levels={"III": {"text": " 2号窑停产 "}})
    create_plan(planned, version=3, state="draft", levels={"III": {"text": "草稿"}})
    bare = create_enterprise(sample_jurisdiction, grade="leading", name="无措施的石灰厂")
    db.session.commit()
    publish(draft, sample_users)

    cells = {
        m.text_zh: m.id
        for m in db.session.scalars(select(ReductionMeasure).where(ReductionMeasure.list_id == pits.id))
    }
    row = duty_of(draft.id, pit.id)
    assert (row.measure_id, row.text_zh, row.list_id, row.requires_ack) == (
        cells["全部停产A"],
        "全部停产A",
        pits.id,
        True,
    )
    assert row.action == stop_all and row.reduction["so2"] == pytest.approx(10 / 330)
    row = duty_of(draft.id, exempt_pit.id)
    assert row.exempt and row.measure_id is None and not row.requires_ack
    row = duty_of(draft.id, planned.id)
    assert (row.measure_id, row.text_zh, row.requires_ack, row.action) == (None, "2号窑停产", True, {})
    assert row.plan_id == db.session.scalar(
        select(EnterprisePlan.id).where(
            EnterprisePlan.enterprise_id == planned.id, EnterprisePlan.version == 2
        )
    )
    row = duty_of(draft.id, bare.id)
    assert (row.measure_id, row.text_zh, row.requires_ack, row.plan_id) == (None, "", False, None)
    bodies = {d.address: d.body for d in sent(revision_id=draft.id)}
    assert (
        "无强制性停限产措施" in bodies[bare.env_officer_phone] and "/d/" not in bodies[bare.env_officer_phone]
    )
    assert "2号窑停产" in bodies[planned.env_officer_phone] and "/d/" in bodies[planned.env_officer_phone]
