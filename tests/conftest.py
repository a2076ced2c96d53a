"""Test harness: one database per run, migrated with Alembic, emptied after every test.

TEST_DATABASE_URL selects PostgreSQL (CI runs both); without it a temporary SQLite file is used.

Every test runs on the scene clock (`_scene_clock`): no test reads the wall clock, so the suite
passes on any date (CI also runs it with the system clock a year ahead).
"""

from __future__ import annotations

import contextvars
import os
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import select, text
from werkzeug.security import generate_password_hash

from notify import clock, create_app
from notify.audience import audience_size
from notify.demo.loader import DATA_DIR, load_jurisdiction, read
from notify.dispatch import after_publication, plans
from notify.extensions import db
from notify.lifecycle.guard import ApprovalFormData
from notify.lifecycle.proposals import ProposalData, propose_issue
from notify.lifecycle.transitions import approver_role
from notify.models import AlertKind, Base, Role, User
from notify.revision_steps import take
from tests.scene_clock import SCENE_NOW, scene_freeze

# Fixtures that tests of several packages use, registered once: tests request them by name.
pytest_plugins = [
    "tests.sandbox_fixtures",
    "tests.robot_fixtures",
    "tests.notify.daily_reports.fixtures",
    "tests.notify.dispatch.fixtures",
    "tests.notify.enterprises.fixtures",
    "tests.notify.screens.fixtures",
    "tests.notify.timed.fixtures",
    "tests.notify.tipoffs.fixtures",
]

# The test mode (notify/config.py): throw-away secrets, the stand-ins' host allowed. In the
# environment rather than create_app's config, so that the processes tests start run in it too.
os.environ["NOTIFY_ENV"] = "test"

PASSWORD = "test-password-1"
# Hashed once with few iterations: the production hash is deliberately slow, the tests need not be.
PASSWORD_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")


def _reset_schema(url: str) -> None:
    """Start PostgreSQL from an empty schema so migrations run exactly as on a new install."""
    from sqlalchemy import create_engine

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        _reset_schema(url)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "test-secret",
            # The public site's static export: off unless a test turns it on, and never
            # in the developer's instance/ (tests/notify/public/conftest.py: `exported`).
            "PUBLIC_EXPORT_DIR": str(tmp_path_factory.mktemp("public_site")),
            "PUBLIC_EXPORT_ON_COMMIT": False,
            # Tests move the clock by hours and days while logged in; the tests of session
            # expiry (tests/admin/test_auth_sessions.py) set the production limits themselves.
            "SESSION_IDLE_MINUTES": 60 * 24 * 365,
            "SESSION_MAX_HOURS": 24 * 365,
        }
    )
    with app.app_context():
        upgrade()
    return app


@pytest.fixture(autouse=True)
def _scene_clock():
    """The clock at SCENE_NOW for everything the test exercises: the app, the dispatcher's threads,
    the in-process stand-ins and the scheduler all read it (tests/scene_clock.py)."""
    with scene_freeze(SCENE_NOW) as frozen:
        yield frozen


def scene_command(module: str, *args: str) -> list[str]:
    """The command line that runs `python -m module args` in a child process on this test's clock
    (the instant the test sees now, ticking on from there): see tests/scene_process.py."""
    # clock_gettime is the one reading of the real clock freezegun leaves alone (it rebinds every
    # other, even a saved reference to the real datetime class).
    offset = datetime.now(UTC).timestamp() - time.clock_gettime(time.CLOCK_REALTIME)
    return [sys.executable, "-m", "tests.scene_process", str(offset), module, *args]


@pytest.fixture(autouse=True)
def _clean_database(app):
    """Each test starts with empty tables (TRUNCATE on PostgreSQL, DELETE on SQLite)."""
    ctx = app.app_context()
    ctx.push()
    yield
    db.session.remove()
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if db.engine.dialect.name == "postgresql":
            conn.execute(text("TRUNCATE " + ", ".join(tables) + " RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                conn.execute(text(f"DELETE FROM {name}"))
    ctx.pop()


@pytest.fixture(scope="session")
def live_server(app):
    """The app on a loopback port, for the browser and for gateways posting callbacks."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


class IsolatedClient(FlaskClient):
    """Each request runs in a fresh context with its own app context, `g` and database session,
    as in production, instead of sharing the test's (which would leak cached locale and user)."""

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def client(app, monkeypatch):
    """A test client with CSRF off; test_csrf turns it back on to check it is enforced."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    app.test_client_class = IsolatedClient
    return app.test_client()


def fresh():
    """End the test's own transaction so it sees what requests committed since."""
    db.session.rollback()


@pytest.fixture
def sample_jurisdiction(app):
    j = load_jurisdiction(read(DATA_DIR / "yu_county.json"))
    db.session.commit()
    return j


@pytest.fixture
def sample_recipients(sample_jurisdiction) -> int:
    """The demo's recipients in every audience group (316 reached by heavy pollution)."""
    from notify.demo.recipients import seed_recipients

    added = seed_recipients(sample_jurisdiction)
    db.session.commit()
    return added


@pytest.fixture
def sample_users(sample_jurisdiction) -> dict[str, User]:
    users = {}
    for username, role in [
        ("office", Role.OFFICE_STAFF),
        ("office2", Role.OFFICE_STAFF),
        ("deputy", Role.DEPUTY_COMMANDER),
        ("deputy2", Role.DEPUTY_COMMANDER),
        ("commander", Role.COMMANDER),
        ("publicity", Role.PUBLICITY),
        ("unit", Role.MEMBER_UNIT),
        ("admin", Role.ADMIN),
    ]:
        user = User(
            jurisdiction=sample_jurisdiction,
            username=username,
            display_name=f"{username} 测试",
            role=role.value,
        )
        user.password_hash = PASSWORD_HASH
        db.session.add(user)
        users[username] = user
    db.session.commit()
    return users


@pytest.fixture
def sample_kind(sample_jurisdiction) -> AlertKind:
    return db.session.scalar(
        select(AlertKind).where(
            AlertKind.jurisdiction_id == sample_jurisdiction.id, AlertKind.code == "heavy_pollution"
        )
    )


@pytest.fixture
def sample_levels(sample_kind):
    return {lv.code: lv for lv in sample_kind.levels}


def proposal(level, /, **overrides) -> ProposalData:
    values = dict(
        headline_zh=f"盂县发布重污染天气{level.name_zh}",
        headline_en=f"Yu County issues a {level.name_en.lower()}",
        trend="扩散条件不利",
        aqi_min=160,
        aqi_max=240,
        degree="重度污染",
        primary_pollutant="PM2.5",
        response_start_at=datetime(2026, 11, 23, 12, tzinfo=UTC),
    )
    values.update(overrides)
    return ProposalData(
        level=overrides.pop("level", level), **{k: v for k, v in values.items() if k != "level"}
    )


def approval_form(revision) -> ApprovalFormData:
    return ApprovalFormData(
        basis="会商结论", main_content=revision.headline_zh, department_opinion="同意，请审批"
    )


def approver_for(users, level) -> User:
    return users["commander"] if level.approver_role == "commander" else users["deputy"]


def decider_for(users, revision) -> User:
    """The approver of a revision: of its level, or of the higher one when the level changes."""
    return users["commander"] if approver_role(revision) == "commander" else users["deputy"]


def expand_plans() -> int:
    """Write the large audience's deliveries of every published revision now, and what the
    registered after-publication writers owe (the enterprises' duty SMS), as the executors do
    after publication (notify.dispatch.plans, notify.dispatch.after_publication), chunk by
    chunk; returns the rows written or taken. A writer's failure is raised, not logged."""
    written = 0
    while plans.open_plans():
        written += plans.expand_next("tests", clock.now(), chunk=5000, lease=timedelta(seconds=60))
    for writer in after_publication.registered():
        while writer.pending():
            taken = writer.write_next("tests", clock.now())
            assert taken, f"{writer.name}: rows pending but none taken"
            written += taken
    return written


def take_to(revision, state: str, users) -> None:
    """Move a draft along the real lifecycle until it reaches `state`; a published one has all
    its deliveries written (its plan expanded, as the executors would)."""
    path = {
        "draft": [],
        "pending_approval": ["submit"],
        "approved": ["submit", "approve"],
        "published": ["submit", "approve", "publish"],
        "returned": ["submit", "return"],
        "rejected": ["submit", "reject"],
    }[state]
    for action in path:
        if action in ("submit", "publish"):
            take(revision, action, users["office"], form=approval_form(revision))
        else:
            take(
                revision,
                action,
                decider_for(users, revision),
                reason="意见",
                confirmed_audience_size=audience_size(revision),
            )
    db.session.commit()
    if state == "published":
        expand_plans()


@pytest.fixture
def sample_draft(sample_users, sample_kind, sample_levels):
    revision = propose_issue(sample_kind, proposal(sample_levels["yellow"]), sample_users["office"])
    db.session.commit()
    return revision


@pytest.fixture
def sample_published(sample_draft, sample_users):
    take_to(sample_draft, "published", sample_users)
    return sample_draft


def login(client, username: str, password: str = PASSWORD):
    return client.post("/admin/login", data={"username": username, "password": password})
