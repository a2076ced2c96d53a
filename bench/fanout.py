"""Publish one red warning to ~200 responders and N public subscribers; print how fast it went out.

    .venv/bin/python bench/fanout.py                       # 100,000 on SQLite, thread executor
    .venv/bin/python bench/fanout.py --n 1000000
    .venv/bin/python bench/fanout.py --database postgresql+psycopg://postgres@127.0.0.1:5432/bench \
        --executor celery --workers 2
    .venv/bin/python bench/fanout.py --n 1000000 --kill-expander-at 0.5   # kill -9 mid-expansion
    .venv/bin/python bench/fanout.py --n 100000 --enterprises 10000       # with 附件11 duties

Publication goes through notify.publication.publish (the one use case): its transaction writes
the responders' deliveries and one dispatch plan, commits and wakes the executors, which expand
the plan in chunks and send. Printed: the publish transaction (and where its time went), the time
from the commit to the first delivery handed over and to the last responder's, the expansion's
rows per second, the time until everything was handed over, deliveries per second, peak RSS per
process and the load average while measuring.

The SMS stand-ins run in their own process with no latency, no receipts and no message log, so
what is measured is the platform: plan expansion, claims, SDK calls, result UPDATEs. In the same
run, a naive loop calls the Twilio SDK's `client.messages.create` once per recipient for a
sample, against the same stand-in, and the ratio of the two rates is printed.

--enterprises N loads Yu County's reduction list (附件11) and N enterprises spread over its
townships and the list's cells, one emitting line each, before the warning goes for approval:
the publication then freezes each one's duty (enterprise_duties_for in the breakdown) and the
executors write their SMS after the commit; the time until the last of those was handed over is
printed too.

--kill-expander-at F runs the executors as `flask dispatch-worker` processes (threads) or Celery
workers, SIGKILLs the process holding the plan's lease once its cursor passes F of the plan,
starts it again, and prints whether every address got exactly one delivery.

Everything lives in a temporary directory (database, public site export), never in instance/.
Figures are printed, never asserted: machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import gc
import io
import json
import os
import pstats
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PYTHON = sys.executable
# Responders beside the public: member units' duty officers, township duty officers, schools.
RESPONDERS = {"member_units": 60, "townships": 40, "schools": 100}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}")


def start_standins() -> tuple[subprocess.Popen, str, str]:
    tp, ap = free_port(), free_port()
    proc = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "sandbox",
            "--twilio-port",
            str(tp),
            "--aliyun-port",
            str(ap),
            "--receipt-url",
            "",
            "--robots-port",
            "0",
            "--partner-port",
            "0",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for port in (tp, ap):
        wait_for_port(port)
        req = urllib.request.Request(
            f"http://127.0.0.1:{port}/_sandbox/faults",
            method="POST",
            data=json.dumps({"reports_enabled": False, "record_messages": False}).encode(),
            headers={"Content-Type": "application/json"},
        )
        urllib.request.urlopen(req).read()
    return proc, f"http://127.0.0.1:{tp}", f"http://127.0.0.1:{ap}"


def settings(database: str, twilio: str, aliyun: str, tmp: str, args) -> dict:
    env = {
        "DATABASE_URL": database,
        "DISPATCH_EXECUTOR": args.executor,
        "DISPATCH_THREADS": str(args.threads),
        "TWILIO_BASE_URL": twilio,
        "ALIYUN_SMS_ENDPOINT": aliyun,
        "CALLBACK_BASE_URL": "",
        "RATE_ALIYUN": "0",
        "RATE_TWILIO": "0",
        "DEMO_PASSWORD": "bench-password",
        # The demo mode: the stand-ins' public keys are accepted (notify/config.py).
        "NOTIFY_ENV": "demo",
        # The public site's export goes to the run's own directory, never instance/.
        "PUBLIC_EXPORT_DIR": str(Path(tmp) / "public_site"),
        "DISPATCH_CELERY_PARALLEL": str(args.workers),
    }
    if args.chunk:
        env["DISPATCH_PLAN_CHUNK"] = str(args.chunk)
    if args.plan_lease:
        env["DISPATCH_PLAN_LEASE_SECONDS"] = str(args.plan_lease)
    return env


def reset_database(url: str) -> None:
    if url.startswith("postgresql"):
        import psycopg

        base, name = url.replace("postgresql+psycopg://", "postgresql://").rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
        with psycopg.connect(f"{base}/{name}", autocommit=True) as conn:
            conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
            conn.execute("CREATE SCHEMA public")


def prepare(n: int, enterprises: int = 0):
    """Yu County with ~200 responders, N public subscribers (+86 138…) and `enterprises`
    enterprises (+86 136…), users, and an approved red warning."""
    from flask_migrate import upgrade
    from sqlalchemy import insert, select

    from notify.audience import audience_size
    from notify.demo.loader import DATA_DIR, load_jurisdiction, read
    from notify.extensions import db
    from notify.lifecycle.guard import ApprovalFormData
    from notify.lifecycle.proposals import ProposalData, propose_issue
    from notify.models import AlertKind, AudienceGroup, Recipient, Role, User
    from notify.revision_steps import take

    upgrade()
    j = load_jurisdiction(read(DATA_DIR / "yu_county.json"))
    users = {}
    for name, role in (("office", Role.OFFICE_STAFF), ("commander", Role.COMMANDER)):
        users[name] = User(
            jurisdiction=j, username=name, display_name=name, role=role.value, password_hash="x"
        )
        db.session.add(users[name])
    db.session.flush()
    groups = {g.code: g for g in db.session.scalars(select(AudienceGroup))}
    responders = [
        {"group_id": groups[code].id, "channel": "sms", "address": f"+86139{k:02d}{i:06d}", "name": ""}
        for k, (code, count) in enumerate(RESPONDERS.items())
        for i in range(count)
    ]
    db.session.execute(insert(Recipient), responders)
    for start in range(0, n, 50_000):
        db.session.execute(
            insert(Recipient),
            [
                {
                    "group_id": groups["public"].id,
                    "channel": "sms",
                    "address": f"+86138{i:08d}",
                    "name": "",
                    "locale": "zh",
                    "active": True,
                }
                for i in range(start, min(n, start + 50_000))
            ],
        )
    db.session.commit()
    if enterprises:
        add_enterprises(j, enterprises)
    if db.engine.dialect.name == "postgresql":
        # What autovacuum does to a table after a bulk load: statistics, and the visibility map
        # that lets a count read the index alone. A live subscriber table is in that state.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE recipients")
            if enterprises:
                for table in ("enterprises", "production_lines", "reduction_measures"):
                    conn.exec_driver_sql(f"VACUUM ANALYZE {table}")
    kind = db.session.scalar(select(AlertKind).where(AlertKind.code == "heavy_pollution"))
    red = next(lv for lv in kind.levels if lv.code == "red")
    revision = propose_issue(
        kind,
        ProposalData(
            level=red,
            headline_zh="盂县发布重污染天气红色预警",
            headline_en="Yu County issues a red warning",
            primary_pollutant="PM2.5",
            aqi_min=300,
            aqi_max=450,
        ),
        users["office"],
    )
    take(revision, "submit", users["office"], form=ApprovalFormData("会商结论", "红色预警", "同意"))
    db.session.commit()
    size = audience_size(revision)
    take(revision, "approve", users["commander"], reason="同意", confirmed_audience_size=size)
    db.session.commit()
    return revision, users, size


def add_enterprises(jurisdiction, count: int) -> None:
    """Yu County's list (附件11) and `count` enterprises over its townships and cells (industry,
    sub-type, grade), each with one emitting line: one multi-row INSERT and one INSERT … SELECT."""
    from sqlalchemy import insert, literal, select

    from notify.enterprises import reduction_lists
    from notify.extensions import db
    from notify.models import Enterprise, ProductionLine, ReductionMeasure

    listed = reduction_lists.seed_list(jurisdiction)
    cells = db.session.execute(
        select(ReductionMeasure.industry, ReductionMeasure.subtype, ReductionMeasure.grade)
        .where(ReductionMeasure.list_id == listed.id)
        .distinct()
        .order_by(ReductionMeasure.industry, ReductionMeasure.subtype, ReductionMeasure.grade)
    ).all()
    towns = jurisdiction.townships
    for start in range(0, count, 50_000):
        db.session.execute(
            insert(Enterprise),
            [
                {
                    "jurisdiction_id": jurisdiction.id,
                    "credit_code": f"B{i:017d}",
                    "name": f"盂县测试企业{i}有限公司",
                    "township_id": towns[i % len(towns)].id,
                    "industry": cells[i % len(cells)].industry,
                    "subtype": cells[i % len(cells)].subtype,
                    "grade": cells[i % len(cells)].grade,
                    "so2_tpa": 12.0,
                    "nox_tpa": 30.0,
                    "pm_tpa": 8.0,
                    "vocs_tpa": 2.0,
                    "env_officer_phone": f"+86136{i:08d}",
                }
                for i in range(start, min(count, start + 50_000))
            ],
        )
    db.session.execute(
        insert(ProductionLine).from_select(
            ["enterprise_id", "name", "processes", "emits", "capacity_eia", "unit", "position"],
            select(
                Enterprise.id,
                literal("1号生产线"),
                literal("生产"),
                literal(True),
                literal(500.0),
                literal("t/d"),
                literal(0),
            ).where(Enterprise.jurisdiction_id == jurisdiction.id),
        )
    )
    db.session.commit()


def peak_rss_mb(pid: int) -> float:
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return 0.0
    for line in lines:
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024)
    return 0.0


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


class LoadSampler:
    """/proc/loadavg every second while measuring; keeps the highest 1-minute figure."""

    def __init__(self) -> None:
        self.first = Path("/proc/loadavg").read_text().strip()
        self.peak = float(self.first.split()[0])
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            self.peak = max(self.peak, float(Path("/proc/loadavg").read_text().split()[0]))

    def stop(self) -> dict:
        self._stop.set()
        last = Path("/proc/loadavg").read_text().strip()
        return {"loadavg_before": self.first, "loadavg_after": last, "loadavg_1min_peak": self.peak}


def instrument_publication(timings: dict[str, float], marks: dict[str, datetime]) -> None:
    """Time each step of notify.publication.publish, and stamp the instant it committed."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    from notify import audience_approval, publication
    from notify.lifecycle import guard

    def timed(name, fn):
        @functools.wraps(fn)
        def wrapper(*a, **kw):
            t = time.perf_counter()
            try:
                return fn(*a, **kw)
            finally:
                timings[name] = round((time.perf_counter() - t) * 1000, 1)

        return wrapper

    guard.perform = timed("guard", guard.perform)
    audience_approval.verify_unchanged = timed("verify_unchanged", audience_approval.verify_unchanged)
    publication.EFFECTS = tuple(timed(e.__name__, e) for e in publication.EFFECTS)

    def committed(session) -> None:
        # The first listener of the commit, before any other after-commit work (scheduler jobs,
        # wake-ups): the instant the publish transaction ended.
        if (
            "armed" in marks
            and "commit" not in marks
            and threading.current_thread() is threading.main_thread()  # not an executor thread's
            and not session.in_nested_transaction()
        ):
            marks["commit"] = datetime.now(UTC)
            marks["commit_perf"] = time.perf_counter()

    event.listen(Session, "after_commit", committed, insert=True)


def worker_command(executor: str, index: int) -> list[str]:
    if executor == "threads":
        return [PYTHON, "-m", "flask", "--app", "wsgi", "dispatch-worker"]
    return [
        str(Path(PYTHON).parent / "celery"),
        "-A",
        "notify.dispatch.worker",
        "worker",
        "--concurrency",
        "1",
        "--loglevel",
        "WARNING",
        "-n",
        f"bench{index}@%h",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]


def run(args) -> dict:
    standins, twilio_url, aliyun_url = start_standins()
    tmp = tempfile.mkdtemp(prefix="bench-")
    database = args.database or f"sqlite:///{tmp}/bench.sqlite3"
    reset_database(database)
    env = settings(database, twilio_url, aliyun_url, tmp, args)
    os.environ.update(env)
    from notify import create_app
    from notify.dispatch.executor import ThreadExecutor
    from notify.dispatch.setup import build_dispatcher
    from notify.publication import publish

    app = create_app()
    workers: list[subprocess.Popen] = []
    executor = None
    profiles: list[cProfile.Profile] = []
    result: dict = {
        "recipients": args.n + sum(RESPONDERS.values()),
        "responders": sum(RESPONDERS.values()),
        "database": database.split(":")[0].split("+")[0],
        "executor": args.executor,
        "plan_chunk": app.config["DISPATCH_PLAN_CHUNK"],
    }
    if args.enterprises:
        result["enterprises"] = args.enterprises
        result["enterprise_notice_chunk"] = app.config["ENTERPRISE_NOTICE_CHUNK"]
    worker_env = {**os.environ, **env, "FLASK_APP": "wsgi"}
    with app.app_context():
        t = time.perf_counter()
        revision, users, size = prepare(args.n, args.enterprises)
        result["audience"] = size
        result["setup_s"] = round(time.perf_counter() - t, 1)
        # The setup left this process a heap of fresh objects (the rows it built); their full
        # collection (~100 ms at 110,000 rows) would land in whichever step of the publication
        # ran at that moment. A running app has no such heap: it is collected before the clock.
        gc.collect()
        if args.executor == "threads" and args.kill_expander_at is None:
            executor_class = profiled(ThreadExecutor, profiles) if args.profile else ThreadExecutor
            executor = executor_class(app, build_dispatcher(app), threads=args.threads, poll=0.05).start()
            time.sleep(1)  # past their first rounds, as in a running app
        else:
            for i in range(args.workers):
                workers.append(subprocess.Popen(worker_command(args.executor, i), cwd=ROOT, env=worker_env))
            time.sleep(6)  # let them start (and connect to the broker) before the clock starts
        timings: dict[str, float] = {}
        marks: dict = {}
        instrument_publication(timings, marks)
        load = LoadSampler()
        start = time.perf_counter()
        marks["armed"] = True
        publisher = cProfile.Profile() if args.profile else None
        if publisher:
            publisher.enable()
        publish(revision, users["office"])
        if publisher:
            publisher.disable()
            result["profile_publish"] = top_functions([publisher], args.profile, "cumulative")
        result["publish_ms"] = round((marks["commit_perf"] - start) * 1000, 1)
        # publish() returns after the after-commit work (scheduler job store, wake-ups).
        result["publish_call_ms"] = round((time.perf_counter() - start) * 1000, 1)
        result["publish_steps_ms"] = timings
        killed = wait_until_handed_over(revision.id, marks, workers, args, worker_env)
        result.update(figures(revision, size, marks))
        result.update(load.stop())
        if killed:
            result["kill"] = killed
        result["peak_rss_mb"] = {"bench": peak_rss_mb(os.getpid()), "standins": peak_rss_mb(standins.pid)}
        if executor is not None:
            executor.stop()
        for i, w in enumerate(workers):
            result["peak_rss_mb"][f"worker{i}"] = peak_rss_mb(w.pid)
            for c in _children(w.pid):
                result["peak_rss_mb"][f"worker{i}_child{c}"] = peak_rss_mb(c)
        for w in workers:
            w.terminate()
        for w in workers:
            w.wait(20)
    if profiles:
        result["profile_executors"] = top_functions(profiles, args.profile, "tottime")
    result.update(naive(twilio_url, args.naive_sample, result["deliveries_per_s"]))
    standins.terminate()
    return result


def wait_until_handed_over(revision_id: int, marks: dict, workers, args, worker_env) -> dict | None:
    """Poll until the plan is expanded and nothing is left to claim; kill the expander on the way
    if asked. Stamps marks["expanded_perf"] and marks["done_perf"]."""
    from sqlalchemy import func, select

    from notify.dispatch import after_publication, claims
    from notify.extensions import db
    from notify.models import Delivery, DispatchPlan
    from notify.models.dispatch_plans import PlanStatus

    killed = None
    while True:
        db.session.rollback()
        plan = db.session.scalars(select(DispatchPlan).where(DispatchPlan.revision_id == revision_id)).one()
        if (
            args.kill_expander_at is not None
            and killed is None
            and plan.cursor >= args.kill_expander_at * plan.max_recipient_id
            and plan.lease_owner
        ):
            killed = kill_expander(plan.lease_owner, workers, args, worker_env)
            killed["cursor_at_kill"] = plan.cursor
            killed["of"] = plan.max_recipient_id
            killed["s_after_commit"] = round(time.perf_counter() - marks["commit_perf"], 2)
        if plan.status == PlanStatus.DONE:
            marks.setdefault("expanded_perf", time.perf_counter())
            # The enterprises' duty SMS too: written after the commit, claimable once written.
            left = after_publication.pending() + (
                db.session.scalar(select(func.count()).select_from(Delivery).where(claims.claimable())) or 0
            )
            if not left:
                marks["done_perf"] = time.perf_counter()
                return killed
        time.sleep(0.05 if plan.status != PlanStatus.DONE else 0.25)


def figures(revision, size: int, marks: dict) -> dict:
    from sqlalchemy import func, select

    from notify.dispatch import priority
    from notify.enterprises import messages as duty_messages
    from notify.extensions import db
    from notify.models import Delivery, DispatchPlan, EnterpriseDuty
    from notify.models.deliveries import Status

    t0 = marks["commit"]
    elapsed = marks["done_perf"] - marks["commit_perf"]
    expansion_s = marks["expanded_perf"] - marks["commit_perf"]
    first = db.session.scalar(select(func.min(Delivery.accepted_at)))
    last_responder = db.session.scalar(
        select(func.max(Delivery.accepted_at)).where(Delivery.priority == priority.for_responders(revision))
    )
    counts = dict(db.session.execute(select(Delivery.status, func.count()).group_by(Delivery.status)).all())
    rows = db.session.scalar(select(func.count()).where(Delivery.revision_id == revision.id))
    # The warning's own rows (an enterprise's duty SMS goes to its officer beside them).
    warning_rows = db.session.scalar(
        select(func.count()).where(Delivery.revision_id == revision.id, Delivery.purpose == "warning")
    )
    addresses = db.session.scalar(
        select(func.count()).select_from(
            select(Delivery.channel, Delivery.address)
            .where(Delivery.revision_id == revision.id, Delivery.purpose == "warning")
            .distinct()
            .subquery()
        )
    )
    duties, notified = db.session.execute(
        select(func.count(), func.max(EnterpriseDuty.notified_at)).where(
            EnterpriseDuty.revision_id == revision.id
        )
    ).one()
    duty_sms = db.session.execute(
        select(func.count(), func.max(Delivery.accepted_at)).where(
            Delivery.revision_id == revision.id,
            Delivery.purpose == duty_messages.PURPOSE,
            Delivery.channel == "sms",
        )
    ).one()
    plan = db.session.scalars(select(DispatchPlan).where(DispatchPlan.revision_id == revision.id)).one()

    def ms(at: datetime) -> int:
        return round((at.astimezone(UTC) - t0).total_seconds() * 1000)

    enterprise_figures = (
        {
            "enterprise_duties": duties,
            "enterprise_duty_sms": duty_sms[0],
            # Written by the executors after the commit (notify.enterprises.duty_notices), then
            # sent: each has its own text, so Aliyun takes them by SendBatchSms, 100 a call.
            "enterprise_duty_sms_all_written_ms_after_commit": ms(notified) if notified else None,
            "enterprise_duty_sms_all_handed_over_ms_after_commit": ms(duty_sms[1]) if duty_sms[1] else None,
        }
        if duties
        else {}
    )
    return {
        **enterprise_figures,
        "first_handed_over_ms_after_commit": ms(first),
        "all_responders_handed_over_ms_after_commit": ms(last_responder),
        "expansion_rows": plan.rows_written,
        "expansion_s": round(expansion_s, 2),
        "expansion_rows_per_s": round(plan.rows_written / max(expansion_s, 1e-6)),
        "handed_over": counts.get(Status.ACCEPTED, 0),
        "other_statuses": {k: v for k, v in counts.items() if k != Status.ACCEPTED},
        "seconds_to_all_handed_over": round(elapsed, 2),
        "deliveries_per_s": round(rows / elapsed),
        "every_address_exactly_once": warning_rows == addresses == size,
    }


def kill_expander(lease_owner: str, workers: list[subprocess.Popen], args, worker_env) -> dict:
    """kill -9 the process that holds the plan's lease (host:pid:thread); a dispatch-worker is
    started again at once, a Celery pool child is replaced by its master."""
    pid = int(lease_owner.split(":")[1])
    os.kill(pid, signal.SIGKILL)
    for i, w in enumerate(workers):
        if w.pid == pid:
            w.wait(10)
            workers[i] = subprocess.Popen(worker_command(args.executor, i), cwd=ROOT, env=worker_env)
    return {"killed_pid": pid, "killed_owner": lease_owner}


def profiled(base, profiles: list[cProfile.Profile]):
    class ProfiledExecutor(base):
        def _run(self, suffix: str) -> None:
            profile = cProfile.Profile()
            profiles.append(profile)
            profile.enable()
            try:
                super()._run(suffix)
            finally:
                profile.disable()

    return ProfiledExecutor


def top_functions(profiles: list[cProfile.Profile], limit: int, order: str) -> str:
    out = io.StringIO()
    stats = pstats.Stats(profiles[0], stream=out)
    for p in profiles[1:]:
        stats.add(p)
    stats.sort_stats(order).print_stats(limit)
    return "\n" + out.getvalue()


def naive(twilio_url: str, sample: int, pipeline_rate: float) -> dict:
    """The loop a first attempt would write: one SDK call per recipient, one after another."""
    from twilio.http.http_client import TwilioHttpClient
    from twilio.rest import Client

    client = Client("AC" + "0" * 32, "sandbox-twilio-token", http_client=TwilioHttpClient(timeout=10))
    client.api.base_url = twilio_url
    start = time.perf_counter()
    for i in range(sample):
        client.messages.create(to=f"+1415555{i % 10000:04d}", from_="+15005550006", body="naive loop")
    elapsed = time.perf_counter() - start
    rate = sample / elapsed
    return {
        "naive_sample": sample,
        "naive_per_s": round(rate),
        "ratio_pipeline_to_naive": round(pipeline_rate / rate, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=100_000, help="public subscribers")
    parser.add_argument("--database", default="", help="SQLAlchemy URL; default a new SQLite file")
    parser.add_argument("--executor", choices=("threads", "celery"), default="threads")
    parser.add_argument("--threads", type=int, default=2, help="thread executor threads")
    parser.add_argument(
        "--workers", type=int, default=2, help="worker processes (Celery, or with --kill-expander-at)"
    )
    parser.add_argument("--chunk", type=int, default=0, help="DISPATCH_PLAN_CHUNK (default: config)")
    parser.add_argument(
        "--plan-lease", type=int, default=0, help="DISPATCH_PLAN_LEASE_SECONDS (default: config)"
    )
    parser.add_argument(
        "--kill-expander-at",
        type=float,
        default=None,
        metavar="FRACTION",
        help="kill -9 the expanding worker once the plan's cursor passes this fraction, restart it",
    )
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="cProfile the publish and the executor threads; top N",
    )
    parser.add_argument(
        "--enterprises",
        type=int,
        default=0,
        help="enterprises with a duty (附件11, Yu County's list), one SMS each after the commit",
    )
    parser.add_argument("--naive-sample", type=int, default=2000)
    args = parser.parse_args()
    if args.kill_expander_at is not None and args.executor == "threads":
        args.workers = max(args.workers, 1)
    result = run(args)
    width = max(len(k) for k in result)
    for key, value in result.items():
        print(f"{key:<{width}}  {value}")


if __name__ == "__main__":
    main()
