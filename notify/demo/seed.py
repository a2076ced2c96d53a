"""The Yu County demo: directory, alert kinds, one login per role, and a published warning.

The demo warning is made through the real lifecycle (draft, submit, approve, publish; then an
upgrade the same way), with times set in the past, so the timeline and audit trail are genuine.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from notify import audit, clock
from notify.audience import audience_size
from notify.daily_reports.days import DUE_HOUR, DUE_MINUTE
from notify.demo import enterprises as demo_enterprises
from notify.demo import records as demo_records
from notify.demo import schools as demo_schools
from notify.demo.integrations import seed_integrations
from notify.demo.loader import DATA_DIR, load_jurisdiction, read
from notify.demo.recipients import seed_recipients
from notify.demo.robots import seed_robots
from notify.demo.screens import seed_screens
from notify.enterprises import reduction_lists
from notify.extensions import db
from notify.lifecycle.guard import ApprovalFormData
from notify.lifecycle.proposals import ProposalData, propose_change, propose_issue
from notify.models import AlertKind, AuditEvent, Consultation, Jurisdiction, MemberUnit, Role, User
from notify.revision_steps import take
from notify.timed import zone

YU_COUNTY = "140322"
# The audit event that marks a database as the demo's: written when the demo is seeded into an
# empty database, looked for before seeding again.
DEMO_MARK = "demo.seeded"


class NotADemoDatabase(Exception):
    """seed-demo was pointed at a database holding other data."""


@dataclass(frozen=True)
class DemoLogin:
    username: str
    display_name: str
    role: Role
    member_unit_code: str | None = None


DEMO_LOGINS = (
    DemoLogin("office", "王办公（应急指挥部办公室）", Role.OFFICE_STAFF),
    DemoLogin("office2", "李值班（应急指挥部办公室）", Role.OFFICE_STAFF),
    DemoLogin("deputy", "赵副总指挥（副县长）", Role.DEPUTY_COMMANDER),
    DemoLogin("commander", "刘总指挥（县长）", Role.COMMANDER),
    DemoLogin("publicity", "陈宣传（宣传报道组）", Role.PUBLICITY),
    DemoLogin("unit", "孙联络员（市生态环境局盂县分局）", Role.MEMBER_UNIT, "eco_env_branch"),
    DemoLogin("admin", "系统管理员", Role.ADMIN),
)


def demo_password() -> str:
    return os.environ.get("DEMO_PASSWORD", "demo-yu-2026")


def _create_users(j: Jurisdiction) -> dict[str, User]:
    users = {}
    for login in DEMO_LOGINS:
        unit = None
        if login.member_unit_code:
            unit = db.session.scalar(
                select(MemberUnit).where(
                    MemberUnit.jurisdiction_id == j.id, MemberUnit.code == login.member_unit_code
                )
            )
            if unit is None:  # fall back to the first unit rather than fail the demo
                unit = j.member_units[0] if j.member_units else None
        user = User(
            jurisdiction=j,
            username=login.username,
            display_name=login.display_name,
            role=login.role.value,
            member_unit=unit,
        )
        user.set_password(demo_password())
        db.session.add(user)
        users[login.username] = user
    db.session.flush()
    return users


def _demo_warning(j: Jurisdiction, users: dict[str, User], now: datetime) -> None:
    kind = db.session.scalars(
        select(AlertKind).where(AlertKind.jurisdiction_id == j.id, AlertKind.code == "heavy_pollution")
    ).one()
    levels = {lv.code: lv for lv in kind.levels}
    office, deputy = users["office"], users["deputy"]
    start = _episode_start(now)

    c1 = Consultation(
        jurisdiction_id=j.id,
        concluded_at=start - timedelta(hours=4),
        conclusion="受静稳天气影响，预计未来48小时我县大气扩散条件不利，日AQI将超过150，"
        "首要污染物为PM2.5，建议发布黄色预警，启动Ⅲ级响应。",
        reporter="县环境监测站 张建义",
        reported_on=start - timedelta(hours=4),
        reviewer="县气象局 郝永晶",
        reviewed_on=start - timedelta(hours=4),
        expert_opinion="同意会商结论。",
        forecast_daily_aqi=[165, 185, 140],
        created_by=office,
        created_at=start - timedelta(hours=4),
    )
    db.session.add(c1)
    first = propose_issue(
        kind,
        ProposalData(
            level=levels["yellow"],
            headline_zh="盂县发布重污染天气黄色预警，启动Ⅲ级应急响应",
            headline_en="Yu County issues a yellow heavy-pollution warning; level III response starts",
            trend="受静稳天气和逆温影响，未来两天大气扩散条件较差。",
            episode_start=start,
            episode_end=start + timedelta(hours=48),
            aqi_min=150,
            aqi_max=200,
            degree="中度污染",
            primary_pollutant="PM2.5",
            response_start_at=start,
            consultation=c1,
        ),
        office,
        now=start - timedelta(hours=3, minutes=45),
    )
    _through_approval(first, office, deputy, start - timedelta(hours=3, minutes=30))
    demo_schools.answer(first, published=first.publication_time, seed=1)
    demo_enterprises.answer(first, published=first.publication_time, now=now, seed=1)

    c2 = Consultation(
        jurisdiction_id=j.id,
        concluded_at=now - timedelta(hours=3),
        conclusion="污染过程加重，预计日AQI>200持续48小时，建议升级为橙色预警，启动Ⅱ级响应。",
        reporter="县环境监测站 赵玉仙",
        reported_on=now - timedelta(hours=3),
        reviewer="县气象局 尉锦昌",
        reviewed_on=now - timedelta(hours=3),
        expert_opinion="同意升级。",
        forecast_daily_aqi=[215, 230, 160],
        created_by=office,
        created_at=now - timedelta(hours=3),
    )
    db.session.add(c2)
    second = propose_change(
        first.warning,
        "upgrade",
        ProposalData(
            level=levels["orange"],
            headline_zh="盂县重污染天气预警升级为橙色，启动Ⅱ级应急响应",
            headline_en="Yu County raises the heavy-pollution warning to orange; level II response",
            trend="污染物持续累积，预计明后两日日AQI超过200。",
            episode_start=start,
            episode_end=now + timedelta(hours=48),
            aqi_min=200,
            aqi_max=260,
            degree="重度污染",
            primary_pollutant="PM2.5",
            response_start_at=now - timedelta(hours=1),
            consultation=c2,
        ),
        office,
        now=now - timedelta(hours=2, minutes=40),
    )
    _through_approval(second, office, deputy, now - timedelta(hours=2, minutes=20))
    demo_schools.answer(second, published=second.publication_time, seed=2)
    demo_enterprises.answer(second, published=second.publication_time, now=now, seed=2)


def _episode_start(now: datetime) -> datetime:
    """18:00 on the eve of the last response day already closed at 10:00.

    The README promises a morning of daily reports, and a day owes them only for a day the
    response was in force: starting the episode there gives one whatever the hour of seeding.
    """
    closed = zone.local_date(now)
    if now < zone.at(closed, DUE_HOUR, DUE_MINUTE):
        closed -= timedelta(days=1)
    return zone.at(closed - timedelta(days=1), 18)


def _through_approval(revision, office: User, approver: User, at: datetime) -> None:
    take(
        revision,
        "submit",
        office,
        now=at,
        form=ApprovalFormData(
            basis=revision.consultation.conclusion,
            main_content=revision.headline_zh,
            department_opinion="同意发布，请领导审批。",
            planned_publish_at=at + timedelta(minutes=60),
        ),
    )
    take(
        revision,
        "approve",
        approver,
        now=at + timedelta(minutes=20),
        reason="同意。",
        confirmed_audience_size=audience_size(revision),
    )
    take(revision, "publish", office, now=at + timedelta(minutes=45))


def is_demo_database() -> bool:
    return db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == DEMO_MARK).limit(1)) is not None


def _holds_data() -> bool:
    return any(db.session.scalar(select(model.id).limit(1)) is not None for model in (Jurisdiction, User))


def seed_demo(now: datetime | None = None) -> bool:
    """Seed Yu County into an empty database, once; returns False if the demo is there already.

    Its logins, screen tokens and API token are predictable, so it goes only into an empty
    database, which it marks as the demo's; any other raises NotADemoDatabase."""
    if is_demo_database():
        return False
    if _holds_data():
        raise NotADemoDatabase(
            "This database holds data and is not a demo's: the demo's predictable logins and tokens "
            "go only into an empty database. Point DATABASE_URL at an empty one, or delete "
            "instance/ to start the demo over."
        )
    now = now or clock.now()
    j = load_jurisdiction(read(DATA_DIR / "yu_county.json"))
    users = _create_users(j)
    seed_recipients(j)
    seed_robots(j)
    demo_schools.seed_schools(j)
    reduction_lists.seed_list(j)
    demo_enterprises.seed_enterprises(j)
    demo_enterprises.seed_plans(j, users["office"], users["deputy"])
    seed_screens(j, now - timedelta(days=30))
    demo_records.seed_contacts(j, users)
    _demo_warning(j, users, now)
    demo_records.seed_day_of_reports(j, now)
    demo_records.seed_exercise(j, users, now)
    seed_integrations(j, users)
    audit.record(DEMO_MARK, actor_name="flask seed-demo", summary="Yu County demo data")
    db.session.commit()
    return True
