"""A county-sized simulation through the real dispatcher and the Aliyun stand-in: 300 schools,
10 % never answer (three of them cannot even be reached), 20 % answer only after the reminder,
the rest in time; half of each group by the link in the SMS their phone received, half by
replying. The dashboard and the escalations must match exactly who did what.

Waiting 30 real minutes per stage is replaced by moving each stored escalation job to "now"
and running the scheduler's tick, once the job was checked to be in the store at its real time.
"""

from __future__ import annotations

import random
import re
import time
from datetime import timedelta

import requests
from sqlalchemy import func, select

from notify import clock, scheduling
from notify.extensions import db
from notify.models import Delivery, School, SchoolContact, SchoolNotice, Township
from notify.models.deliveries import Status
from notify.schools import dashboard, registry
from notify.schools import notices as school_notices
from notify.schools.escalation import escalate_schools
from tests.conftest import fresh, take_to

N = 300
UPLINK_TOKEN = "simulation-uplink-token-0123456789"
LINK = re.compile(r"(https?://\S+/a/\S+)")


def _registry(j) -> dict[int, School]:
    townships = sorted(j.townships, key=lambda t: t.code)
    lines = ["code,name,type,township,head_name,head_phone,duty_name,duty_phone"]
    types = ("primary", "middle", "kindergarten", "nine_year", "high")
    for i in range(N):
        lines.append(
            f"S{i:03d},模拟{i:03d}校,{types[i % 5]},{townships[i % 13].code},校长{i:03d},"
            f"{13903560000 + i},值班{i:03d},{13903565000 + i}"
        )
    report = registry.import_csv(j, "\n".join(lines).encode())
    assert report.errors == []
    db.session.add(SchoolContact(jurisdiction_id=j.id, name="县教科局", phone="+8613903569000"))
    for i, t in enumerate(townships):
        db.session.add(
            SchoolContact(
                jurisdiction_id=j.id,
                township_id=t.id,
                name=f"{t.name_zh}教育办",
                phone=f"+86{13903569100 + i}",
            )
        )
    db.session.commit()
    return {s.id: s for s in db.session.scalars(select(School))}


def _wait(predicate, what: str, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        fresh()
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _final(purpose: str) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Delivery)
            .where(Delivery.purpose == purpose, Delivery.status.in_(Status.FINAL))
        )
        or 0
    )


def _acked() -> int:
    return (
        db.session.scalar(
            select(func.count()).select_from(SchoolNotice).where(SchoolNotice.acknowledged_at.is_not(None))
        )
        or 0
    )


def _received_link(standin, phone: str, marker: str) -> str:
    texts = [m.body for m in standin.messages.all(accepted=True, to=phone[3:]) if marker in m.body]
    assert len(texts) == 1, (phone, texts)
    return LINK.search(texts[0]).group(1)


def _press(url: str, name: str) -> None:
    with requests.Session() as browser:
        page = browser.get(url, timeout=10)
        assert page.status_code == 200, page.text[:300]
        csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)
        answer = browser.post(url, data={"csrf_token": csrf, "name": name}, timeout=10, allow_redirects=False)
        assert answer.status_code == 303, answer.text[:300]


def _answer(standin, schools: list[School], *, phone_of, marker: str, rng: random.Random) -> None:
    for i, school in enumerate(schools):
        phone = phone_of(school)
        if i % 2 == 0:
            _press(_received_link(standin, phone, marker), f"{school.name}的老师")
        else:
            standin.reply(phone, rng.choice(["1", "收到", "１"]))


def test_300_schools_dashboard_and_escalations_match_who_did_what(
    app, monkeypatch, live_server, wired, run_executor, sample_jurisdiction, sample_draft, sample_users
):
    aliyun = wired["aliyun"]
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", live_server)
    monkeypatch.setitem(app.config, "ALIYUN_UPLINK_TOKEN", UPLINK_TOKEN)
    aliyun.faults.update(uplink_url=f"{live_server}/callbacks/aliyun/uplink/{UPLINK_TOKEN}")
    schools = _registry(sample_jurisdiction)
    rng = random.Random(4)
    order = sorted(schools.values(), key=lambda s: s.id)
    rng.shuffle(order)
    never, late, timely = order[: N // 10], order[N // 10 : N * 3 // 10], order[N * 3 // 10 :]
    unreachable = never[:3]
    aliyun.faults.update(
        number_errors={s.head_phone[3:]: {"stage": "report", "code": "MK:0001"} for s in unreachable}
    )
    started = time.monotonic()
    run_executor()
    take_to(sample_draft, "published", sample_users)
    rid = sample_draft.id
    published = sample_draft.published_at
    _wait(lambda: _final(school_notices.PURPOSE) == N, "the notices' receipts")
    sent_in = time.monotonic() - started

    # In time: by the link each phone received, or by replying to it.
    _answer(aliyun, timely, phone_of=lambda s: s.head_phone, marker="请贵校", rng=rng)
    _wait(lambda: _acked() == len(timely), "the timely answers")

    # Stage 1, stored at publication for 30 minutes later.
    job1 = school_notices.job_id(rid, 1)
    assert scheduling.next_run_time(job1) == published + timedelta(minutes=30)
    scheduling.schedule_once(escalate_schools, clock.now(), job_id=job1, revision_id=rid, stage=1)
    db.session.commit()  # the job store is written when the test's own transaction commits
    scheduling.tick()
    _wait(lambda: _final(school_notices.REMINDER) == len(never) + len(late), "the reminders")
    reminded_phones = {m.to for m in aliyun.messages.all(accepted=True) if "尚未确认收到" in m.body}
    assert reminded_phones == {s.duty_phone[3:] for s in never + late}

    # After the reminder: from the duty contact's phone.
    _answer(aliyun, late, phone_of=lambda s: s.duty_phone, marker="尚未确认收到", rng=rng)
    _wait(lambda: _acked() == len(timely) + len(late), "the late answers")

    job2 = school_notices.job_id(rid, 2)
    assert scheduling.next_run_time(job2) == published + timedelta(minutes=60)
    scheduling.schedule_once(escalate_schools, clock.now(), job_id=job2, revision_id=rid, stage=2)
    db.session.commit()
    scheduling.tick()
    silent_towns = {s.township_id for s in never}
    _wait(lambda: _final(school_notices.REPORT) == 1 + len(silent_towns), "the reports")

    # The dashboard, per township, is exactly who did what.
    rows, total = dashboard.by_township(rid)
    for row in rows:

        def mine(group, township_id=row.township_id):
            return [s for s in group if s.township_id == township_id]

        c = row.counts
        assert c["schools"] == len(mine(order))
        assert c["acknowledged"] == len(mine(timely)) + len(mine(late))
        assert c["after_reminder"] == len(mine(late))
        assert c["silent"] == c["reported"] == len(mine(never))
        assert c["reminded"] == len(mine(never)) + len(mine(late))
        assert c["not_reached"] == len(mine(unreachable))
        assert c["delivered"] == c["schools"] - c["not_reached"] and c["in_flight"] == 0
    assert (
        total.counts["acknowledged"],
        total.counts["after_reminder"],
        total.counts["silent"],
        total.counts["not_reached"],
    ) == (270, 60, 30, 3)
    notices = {n.school_id: n for n in db.session.scalars(select(SchoolNotice))}
    assert {n.acknowledged_via for n in notices.values() if n.acknowledged_at} == {"link", "sms"}
    assert all(
        notices[s.id].acknowledged_at < notices[s.id].reminded_at for s in timely if notices[s.id].reminded_at
    ) and not any(notices[s.id].reminded_at for s in timely)
    assert all(notices[s.id].acknowledged_at > notices[s.id].reminded_at for s in late)

    # The reports, as the phones received them: the bureau the count per township, each
    # township the names of exactly its silent schools.
    towns = {t.id: t for t in db.session.scalars(select(Township))}
    contacts = {c.phone[3:]: c for c in db.session.scalars(select(SchoolContact))}
    reports = {m.to: m.body for m in aliyun.messages.all(accepted=True) if "仍有" in m.body}
    bureau = next(p for p, c in contacts.items() if c.township_id is None)
    assert set(reports) == {bureau} | {p for p, c in contacts.items() if c.township_id in silent_towns}
    assert f"仍有{len(never)}所学校未确认收到" in reports[bureau]
    for tid in silent_towns:
        assert f"{towns[tid].name_zh}{sum(1 for s in never if s.township_id == tid)}所" in reports[bureau]
    for phone, body in reports.items():
        tid = contacts[phone].township_id
        if tid is not None:
            names = re.search(r"未确认收到：(.*)。请", body).group(1).split("、")
            assert sorted(names) == sorted(s.name for s in never if s.township_id == tid)
    assert aliyun.messages.duplicates() == {}  # one message per phone: notice, reminder or report
    print(
        f"\nsimulation: {N} notices sent and receipted in {sent_in:.1f} s; "
        f"{time.monotonic() - started:.1f} s in all"
    )
