"""Each enterprise's duty SMS is written after the publication's commit, by the executors, in
chunks: the publish transaction leaves the duties un-notified and without their reduction; a
chunk marks its duties, fills in their reduction and writes their SMS in one transaction, once.
Publication happens on a frozen clock (duty_effect_helpers.T0; freeze_time moves it)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select, update

from notify.dispatch import after_publication, claims
from notify.dispatch.dispatcher import Dispatcher
from notify.enterprises import duty_notices
from notify.extensions import db
from notify.lifecycle.proposals import propose_change
from notify.models import Delivery, EnterpriseDuty
from notify.revision_steps import take
from tests.conftest import approval_form, proposal, take_to
from tests.notify.enterprises.builders import create_enterprise, create_line
from tests.notify.enterprises.duty_effect_helpers import (
    START,
    STOP_HALF,
    T0,
    duties,
    lime_kiln_list,
    restart,  # noqa: F401  (the fixture every test here uses)
    sent,
)

pytestmark = pytest.mark.usefixtures("restart")


def publish_only(draft, users, at=T0):
    """Publish as the console does, without the executors' round that follows the commit."""
    with freeze_time(at):
        take_to(draft, "approved", users)
        take(draft, "publish", users["office"], form=approval_form(draft))
        db.session.commit()
    return draft


def change_only(revision, action, level, users, at, **overrides):
    overrides.setdefault("response_start_at", at)
    with freeze_time(at - timedelta(minutes=5)):
        draft = propose_change(revision.warning, action, proposal(level, **overrides), users["office"])
        db.session.commit()
    return publish_only(draft, users, at)


def write(at=T0, chunk=2000) -> int:
    with freeze_time(at):
        return duty_notices.write_next("tests", at, chunk=chunk)


def unnotified() -> int:
    db.session.rollback()
    return db.session.scalar(
        select(func.count()).select_from(EnterpriseDuty).where(EnterpriseDuty.notified_at.is_(None))
    )


@pytest.fixture
def draft(sample_draft):
    sample_draft.response_start_at = START
    sample_draft.episode_end = T0 + timedelta(hours=24)
    db.session.commit()
    return sample_draft


@pytest.fixture
def five(sample_jurisdiction):
    """Five lime kilns: two graded C with a line each, A, B and an exempt one."""
    lime_kiln_list(sample_jurisdiction)
    made = [
        create_enterprise(sample_jurisdiction, grade=g, name=f"{i}号{g}级石灰厂")
        for i, g in enumerate("CCAB")
    ]
    made.append(
        create_enterprise(sample_jurisdiction, grade="exempt", exempt_reason="micro", name="微型石灰厂")
    )
    for kiln in made[:2]:
        create_line(kiln, processes="煅烧")
    db.session.commit()
    return made


def test_the_publication_leaves_the_sms_and_the_reduction_to_the_executors(five, draft, sample_users):
    publish_only(draft, sample_users)
    rows = duties(draft.id)
    assert len(rows) == 5 and {r.notified_at for r in rows} == {None}
    assert {str(r.reduction) for r in rows} == {"{}"}
    assert sent(revision_id=draft.id) == []
    assert duty_notices.pending() == 5 and after_publication.pending() == 5
    assert claims.outstanding() >= 5  # the Celery chain keeps polling while they are unwritten

    assert write(T0 + timedelta(seconds=1)) == 5
    assert duty_notices.pending() == 0 and len(sent(revision_id=draft.id)) == 5
    rows = {r.enterprise_id: r for r in duties(draft.id)}
    assert {r.notified_at for r in rows.values()} == {T0 + timedelta(seconds=1)}
    # The reduction, as the publication used to freeze it: half the lines of 10 t SO2 a year.
    assert rows[five[0].id].reduction["so2"] == pytest.approx(10 / 330 * 0.5)
    assert rows[five[2].id].reduction == {"so2": 0.0, "nox": 0.0, "pm": 0.0, "vocs": 0.0}  # voluntary
    assert rows[five[4].id].reduction == {}  # exempt: nothing to cut
    sms = {d.address: d for d in sent(revision_id=draft.id)}
    body = sms[five[0].env_officer_phone].body
    assert STOP_HALF.rstrip("。")[:20] in body and "/d/" in body
    assert "贵企业为小微涉气企业" in sms[five[4].env_officer_phone].body
    assert {d.priority for d in sms.values()} == {sms[five[0].env_officer_phone].priority} and all(
        d.priority < 10 for d in sms.values()
    )


def test_a_chunk_takes_that_many_duties_in_id_order(five, draft, sample_users):
    publish_only(draft, sample_users)
    taken = []
    for _ in range(4):
        taken.append(write(chunk=2))
        notified = sorted(r.enterprise_id for r in duties(draft.id) if r.notified_at is not None)
        assert len(sent(revision_id=draft.id)) == len(notified)
    assert taken == [2, 2, 1, 0]
    first_two = db.session.scalars(
        select(EnterpriseDuty.enterprise_id).order_by(EnterpriseDuty.id).limit(2)
    ).all()
    assert {d.address for d in sent(revision_id=draft.id)[:2]} == {
        e.env_officer_phone for e in five if e.id in first_two
    }
    assert duty_notices.pending() == 0


def test_a_chunk_written_again_adds_nothing(five, draft, sample_users):
    publish_only(draft, sample_users)
    assert write() == 5
    before = {(d.address, d.body) for d in sent(revision_id=draft.id)}
    # As if the marks were lost and the same chunk taken again.
    db.session.execute(update(EnterpriseDuty).values(notified_at=None))
    db.session.commit()
    assert write() == 5
    assert {(d.address, d.body) for d in sent(revision_id=draft.id)} == before and len(before) == 5


def test_a_chunk_killed_in_the_middle_leaves_its_duties_to_the_next_round(
    five, draft, sample_users, monkeypatch
):
    publish_only(draft, sample_users)

    def killed(table):
        raise RuntimeError("worker killed between the marking and the SMS")

    monkeypatch.setattr(duty_notices, "_insert_new", killed)
    with pytest.raises(RuntimeError):
        write(chunk=3)
    assert unnotified() == 5 and sent(revision_id=draft.id) == []
    assert {str(r.reduction) for r in duties(draft.id)} == {"{}"}

    monkeypatch.undo()
    assert write(chunk=3) == 3 and write(chunk=3) == 2
    assert unnotified() == 0 and len(sent(revision_id=draft.id)) == 5


def test_a_duty_superseded_before_its_sms_was_written_is_not_sent(five, draft, sample_users, sample_levels):
    publish_only(draft, sample_users)
    upgrade = change_only(draft, "upgrade", sample_levels["orange"], sample_users, T0 + timedelta(minutes=10))
    assert duty_notices.pending() == 10
    while write(T0 + timedelta(minutes=11), chunk=4):
        pass
    assert unnotified() == 0
    assert sent(revision_id=draft.id) == []  # marked, never sent
    new = {d.address: d for d in sent(revision_id=upgrade.id)}
    assert set(new) == {e.env_officer_phone for e in five}
    assert all(d.after_revision_id == draft.id for d in new.values())
    assert "Ⅱ级响应期间贵企业应" in new[five[0].env_officer_phone].body
    # Superseded or not, a duty's reduction is filled in: the record shows what each step ordered.
    old = {r.enterprise_id: r for r in duties(draft.id)}
    assert old[five[0].id].reduction["so2"] == pytest.approx(10 / 330 * 0.5)


def test_a_duty_whose_episode_is_over_before_its_sms_is_not_sent(five, draft, sample_users):
    publish_only(draft, sample_users)
    assert write(T0 + timedelta(hours=25)) == 5
    assert unnotified() == 0 and sent(revision_id=draft.id) == []


def test_a_release_is_written_after_the_lifting_too(five, draft, sample_users, sample_levels):
    publish_only(draft, sample_users)
    write(T0 + timedelta(minutes=1))
    at = T0 + timedelta(hours=20)
    lift = change_only(draft, "lift", sample_levels["yellow"], sample_users, at)
    assert write(at + timedelta(hours=10)) == 4  # the exempt one had nothing to release
    bodies = {d.address: d for d in sent(revision_id=lift.id)}
    assert len(bodies) == 4 and {d.expires_at for d in bodies.values()} == {None}
    assert "Ⅲ级响应终止" in bodies[five[0].env_officer_phone].body


def test_two_enterprises_of_one_officer_get_one_sms(sample_jurisdiction, draft, sample_users):
    lime_kiln_list(sample_jurisdiction)
    for name in ("甲石灰厂", "乙石灰厂"):
        create_enterprise(sample_jurisdiction, name=name, env_officer_phone="+8613900000001")
    db.session.commit()
    publish_only(draft, sample_users)
    assert write() == 2
    [message] = sent(revision_id=draft.id)
    assert message.address == "+8613900000001"


def test_the_executors_round_writes_them(five, draft, sample_users):
    publish_only(draft, sample_users)
    with freeze_time(T0 + timedelta(seconds=2)):
        handled = Dispatcher({}).run_once("tests-worker")
    assert handled >= 5 and len(sent(revision_id=draft.id)) == 5 and duty_notices.pending() == 0


def test_a_failing_writer_does_not_stop_the_round(five, draft, sample_users):
    def broken(worker, now):
        raise RuntimeError("a bug in a writer")

    failing = after_publication.Writer("broken", write_next=broken, pending=lambda: 1)
    after_publication.register(failing)
    try:
        publish_only(draft, sample_users)
        with freeze_time(T0 + timedelta(seconds=2)):
            Dispatcher({}).run_once("tests-worker")
        assert len(sent(revision_id=draft.id)) == 5
    finally:
        after_publication._writers.pop("broken", None)


def test_a_chunk_never_takes_rows_another_worker_holds_or_took(app, five, draft, sample_users):
    """PostgreSQL: rows another worker has locked are skipped, not waited for. SQLite (one
    writer): rows another worker marked are not taken again. Either way the next rows go."""
    publish_only(draft, sample_users)
    ids = db.session.scalars(select(EnterpriseDuty.id).order_by(EnterpriseDuty.id)).all()
    db.session.commit()
    postgresql = db.engine.dialect.name == "postgresql"
    with db.engine.connect() as other:
        held = select(EnterpriseDuty.id).where(EnterpriseDuty.id.in_(ids[:2]))
        if postgresql:
            other.execute(held.with_for_update()).all()
        else:
            other.execute(update(EnterpriseDuty).where(EnterpriseDuty.id.in_(ids[:2])).values(notified_at=T0))
            other.commit()
        assert write(chunk=2) == 2  # not the two held or taken: the next two
        newly = set(
            db.session.scalars(select(EnterpriseDuty.id).where(EnterpriseDuty.notified_at.is_not(None)))
        ) - ({*ids[:2]} if not postgresql else set())
        assert sorted(newly) == ids[2:4]
        other.rollback()
    assert write() == (3 if postgresql else 1) and unnotified() == 0
    written = db.session.scalar(
        select(func.count()).select_from(Delivery).where(Delivery.revision_id == draft.id)
    )
    assert written == (5 if postgresql else 3)
