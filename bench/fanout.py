"""Fan one revision out to N generated recipients and print how fast it was handed over.

    .venv/bin/python bench/fanout.py                       # 100,000 on SQLite, thread executor
    .venv/bin/python bench/fanout.py --n 1000000
    .venv/bin/python bench/fanout.py --database postgresql+psycopg://postgres@127.0.0.1:5432/bench \
        --executor celery --workers 2

The SMS stand-ins run in their own process with no latency, no receipts and no message log, so
what is measured is the platform: fan-out INSERT … SELECT, claims, SDK calls, result UPDATEs.
In the same run, a naive loop calls the Twilio SDK's `client.messages.create` once per
recipient for a sample, against the same stand-in, and the ratio of the two rates is printed.
Figures are printed, never asserted: machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PYTHON = sys.executable


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


def settings(database: str, twilio: str, aliyun: str, executor: str) -> dict:
    return {
        "DATABASE_URL": database,
        "DISPATCH_EXECUTOR": executor,
        "TWILIO_BASE_URL": twilio,
        "ALIYUN_SMS_ENDPOINT": aliyun,
        "CALLBACK_BASE_URL": "",
        "RATE_ALIYUN": "0",
        "RATE_TWILIO": "0",
        "DEMO_PASSWORD": "bench-password",
        # The demo mode: the stand-ins' public keys are accepted (notify/config.py).
        "NOTIFY_ENV": "demo",
    }


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


def prepare(app, n: int):
    """Yu County with N public subscribers (+86 138…), users, and a submitted red warning."""
    from flask_migrate import upgrade
    from sqlalchemy import insert, select

    from notify.demo.loader import DATA_DIR, load_jurisdiction, read
    from notify.extensions import db
    from notify.lifecycle.guard import ApprovalFormData, perform
    from notify.lifecycle.proposals import ProposalData, propose_issue
    from notify.models import AlertKind, AudienceGroup, Recipient, Role, User

    upgrade()
    j = load_jurisdiction(read(DATA_DIR / "yu_county.json"))
    users = {}
    for name, role in (("office", Role.OFFICE_STAFF), ("commander", Role.COMMANDER)):
        users[name] = User(
            jurisdiction=j, username=name, display_name=name, role=role.value, password_hash="x"
        )
        db.session.add(users[name])
    db.session.flush()
    group = db.session.scalar(select(AudienceGroup).where(AudienceGroup.code == "public"))
    for start in range(0, n, 50_000):
        db.session.execute(
            insert(Recipient),
            [
                {
                    "group_id": group.id,
                    "channel": "sms",
                    "address": f"+86138{i:08d}",
                    "name": "",
                    "locale": "zh",
                    "active": True,
                }
                for i in range(start, min(n, start + 50_000))
            ],
        )
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
    perform(revision, "submit", users["office"], form=ApprovalFormData("会商结论", "红色预警", "同意"))
    db.session.commit()
    return revision, users


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def run(args) -> dict:
    from sqlalchemy import func, select

    standins, twilio_url, aliyun_url = start_standins()
    tmp = tempfile.mkdtemp(prefix="bench-")
    database = args.database or f"sqlite:///{tmp}/bench.sqlite3"
    reset_database(database)
    env = settings(database, twilio_url, aliyun_url, args.executor)
    os.environ.update(env)
    from notify import create_app
    from notify.audience import audience_size
    from notify.dispatch.executor import ThreadExecutor
    from notify.dispatch.setup import build_dispatcher
    from notify.extensions import db
    from notify.lifecycle.guard import perform
    from notify.models import Delivery
    from notify.models.deliveries import Status

    app = create_app()
    workers: list[subprocess.Popen] = []
    result = {
        "recipients": args.n,
        "database": database.split(":")[0].split("+")[0],
        "executor": args.executor,
    }
    with app.app_context():
        t = time.perf_counter()
        revision, users = prepare(app, args.n)
        result["setup_s"] = round(time.perf_counter() - t, 1)
        if args.executor == "threads":
            executor = ThreadExecutor(app, build_dispatcher(app), threads=args.threads, poll=0.05).start()
        else:
            worker_env = {**os.environ, **env}
            for i in range(args.workers):
                workers.append(
                    subprocess.Popen(
                        [
                            str(Path(PYTHON).parent / "celery"),
                            "-A",
                            "notify.dispatch.worker",
                            "worker",
                            "--concurrency",
                            "1",
                            "--loglevel",
                            "WARNING",
                            "-n",
                            f"bench{i}@%h",
                            "--without-gossip",
                            "--without-mingle",
                            "--without-heartbeat",
                        ],
                        cwd=ROOT,
                        env=worker_env,
                    )
                )
            time.sleep(6)  # let them connect to the broker before the clock starts
        size = audience_size(revision)
        start = time.perf_counter()
        from notify import clock

        t0 = clock.now()
        perform(revision, "approve", users["commander"], reason="同意", confirmed_audience_size=size)
        perform(revision, "publish", users["office"])
        db.session.commit()
        result["fanout_s"] = round(time.perf_counter() - start, 2)
        while True:
            db.session.rollback()
            left = db.session.scalar(
                select(func.count())
                .select_from(Delivery)
                .where(Delivery.status.in_((Status.PENDING, Status.SENDING)))
            )
            if not left:
                break
            time.sleep(0.05)
        elapsed = time.perf_counter() - start
        first = db.session.scalar(select(func.min(Delivery.accepted_at)))
        counts = dict(
            db.session.execute(select(Delivery.status, func.count()).group_by(Delivery.status)).all()
        )
        result.update(
            {
                "handed_over": counts.get(Status.ACCEPTED, 0),
                "other_statuses": {k: v for k, v in counts.items() if k != Status.ACCEPTED},
                "seconds_to_all_handed_over": round(elapsed, 2),
                "deliveries_per_s": round(args.n / elapsed),
                "first_message_ms": round((first.astimezone(UTC) - t0).total_seconds() * 1000),
            }
        )
        if args.executor == "threads":
            executor.stop()
            result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        else:
            result["peak_rss_mb_per_worker"] = [round(peak_rss_mb(w.pid)) for w in workers]
            result["peak_rss_mb_pool_children"] = _children_rss(workers)
            result["peak_rss_mb_bench_process"] = round(
                resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            )
            for w in workers:
                w.terminate()
            for w in workers:
                w.wait(20)
    result.update(naive(twilio_url, args.naive_sample, result["deliveries_per_s"]))
    standins.terminate()
    return result


def _children_rss(workers) -> list[int]:
    sizes = []
    for w in workers:
        try:
            children = Path(f"/proc/{w.pid}/task/{w.pid}/children").read_text().split()
        except OSError:
            children = []
        sizes += [round(peak_rss_mb(int(c))) for c in children]
    return sizes


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
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--database", default="", help="SQLAlchemy URL; default a new SQLite file")
    parser.add_argument("--executor", choices=("threads", "celery"), default="threads")
    parser.add_argument("--threads", type=int, default=2, help="thread executor threads")
    parser.add_argument("--workers", type=int, default=2, help="Celery worker processes")
    parser.add_argument("--naive-sample", type=int, default=2000)
    args = parser.parse_args()
    result = run(args)
    width = max(len(k) for k in result)
    for key, value in result.items():
        print(f"{key:<{width}}  {value}")


if __name__ == "__main__":
    main()
