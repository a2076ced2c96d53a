"""A warning-day spike on the current-warning page: the app under gunicorn, nginx serving the
exported files, and a bare Flask app returning fixed bytes, all measured in the same run by wrk.

    .venv/bin/python bench/public_load.py                 # 3 rounds of 10 s per target
    .venv/bin/python bench/public_load.py --rounds 5 --seconds 15 --connections 64

The database is a fresh SQLite file with the Yu County demo (an orange warning in force), the
export is made with `flask public-export`, and every server gets the same worker count (2, one
per core). Rounds go target after target so that a burst of other work on the machine falls on
all of them; the median of the rounds is printed with its latency, and the machine's load while
measuring (CPU time used by everything else than the benchmark, from /proc) so the figures can
be read for what they are. Needs Debian's nginx and wrk. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

BARE_FLASK = """
from pathlib import Path
from flask import Flask

BODY = Path({page!r}).read_bytes()
app = Flask(__name__)


@app.get("/")
def page():
    return BODY
"""

NGINX_CONF = """
worker_processes {workers};
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
daemon off;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    types {{
        text/html html;
        text/css css;
        application/atom+xml atom;
        application/cap+xml xml;
    }}
    default_type application/octet-stream;
    charset utf-8;
    client_body_temp_path {prefix}/tmp;
    proxy_temp_path {prefix}/tmp;
    fastcgi_temp_path {prefix}/tmp;
    uwsgi_temp_path {prefix}/tmp;
    scgi_temp_path {prefix}/tmp;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        etag on;
        location / {{
            add_header Cache-Control "public, max-age=60";
            try_files $uri $uri.html $uri/index.html =404;
        }}
    }}
}}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, timeout: float = 30.0) -> bytes:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def cpu_times() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def process_tree_jiffies(pids: set[int]) -> int:
    """CPU jiffies used so far by these processes and their children (the benchmark's own)."""
    total = 0
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(stat[11]) + int(stat[12]) + int(stat[13]) + int(stat[14])
        except (OSError, IndexError, ValueError):
            pass
    return total


def descendants(root_pids: list[int]) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    seen, stack = set(), list(root_pids)
    while stack:
        pid = stack.pop()
        if pid not in seen:
            seen.add(pid)
            stack.extend(children.get(pid, []))
    return seen


@dataclass
class Result:
    name: str
    rates: list[float] = field(default_factory=list)
    p50: list[float] = field(default_factory=list)
    p99: list[float] = field(default_factory=list)
    errors: int = 0


def to_ms(value: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", value)
    if match is None:
        raise ValueError(f"wrk printed a latency of {value!r}")
    number, unit = match.groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}[unit]


def run_wrk(url: str, seconds: int, connections: int, threads: int) -> tuple[float, float, float, int]:
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if "Requests/sec" not in out or "50%" not in out:
        raise RuntimeError(f"unexpected wrk output:\n{out}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    # The latency distribution's own lines (the thread stats also end in "…50.00%").
    p50 = to_ms(re.search(r"^\s*50%\s+(\S+)", out, re.M).group(1))
    p99 = to_ms(re.search(r"^\s*99%\s+(\S+)", out, re.M).group(1))
    errors = 0
    for pattern in (r"Non-2xx or 3xx responses:\s+(\d+)", r"Socket errors:.*?timeout (\d+)"):
        match = re.search(pattern, out)
        if match:
            errors += int(match.group(1))
    return rate, p50, p99, errors


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers and nginx worker processes")
    parser.add_argument("--wrk-threads", type=int, default=2)
    args = parser.parse_args()
    for tool in ("nginx", "wrk"):
        if not shutil.which(tool) and not Path(f"/usr/sbin/{tool}").exists():
            sys.exit(f"{tool} is missing: apt-get install {tool}")
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"

    work = Path(tempfile.mkdtemp(prefix="public-load-"))
    work.chmod(0o755)  # nginx's workers run as nobody and must read the export
    site = work / "site"
    env = {
        **os.environ,
        "FLASK_APP": "wsgi",
        "DATABASE_URL": f"sqlite:///{work / 'bench.sqlite3'}",
        "PUBLIC_EXPORT_DIR": str(site),
        "SECRET_KEY": "bench",
        "NOTIFY_ENV": "demo",  # seeds the demo; the stand-ins' public keys are accepted
        "DISPATCH_EXECUTOR": "off",
        "SCHEDULER_IN_PROCESS": "0",
        "PUBLIC_BASE_URL": "http://127.0.0.1",
    }
    flask = [str(BIN / "flask")]
    print(f"seeding the demo database in {work} …", flush=True)
    for command in (["db", "upgrade"], ["seed-demo"], ["public-export"]):
        subprocess.run(flask + command, cwd=ROOT, env=env, check=True, capture_output=True)
    page = site / "index.html"
    (work / "bare_app.py").write_text(BARE_FLASK.format(page=str(page)))

    ports = {"app": free_port(), "bare": free_port(), "nginx": free_port()}
    (work / "tmp").mkdir()
    (work / "nginx.conf").write_text(
        NGINX_CONF.format(workers=args.workers, prefix=work, port=ports["nginx"], root=site)
    )
    gunicorn = [str(BIN / "gunicorn"), "--workers", str(args.workers), "--log-level", "warning"]
    processes: dict[str, subprocess.Popen] = {}
    try:
        processes["app"] = subprocess.Popen(
            gunicorn + ["--bind", f"127.0.0.1:{ports['app']}", "wsgi:app"],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        processes["bare"] = subprocess.Popen(
            gunicorn + ["--bind", f"127.0.0.1:{ports['bare']}", "bare_app:app"],
            cwd=work,
            env=env,
            start_new_session=True,
        )
        processes["nginx"] = subprocess.Popen(
            [nginx, "-p", str(work), "-c", str(work / "nginx.conf")], start_new_session=True
        )
        urls = {name: f"http://127.0.0.1:{port}/" for name, port in ports.items()}
        exported = page.read_bytes()
        for name, url in urls.items():
            body = wait_for(url)
            same = "same bytes as the export" if body == exported else "DIFFERENT bytes from the export"
            print(f"  {name:5s} {url}  {len(body)} bytes, {same}")

        results = {name: Result(name) for name in urls}
        own = [p.pid for p in processes.values()]
        busy0, total0 = cpu_times()
        ours0 = process_tree_jiffies(descendants(own + [os.getpid()]))
        wrk_jiffies = 0
        for round_ in range(args.rounds):
            for name, url in urls.items():
                before = os.times()
                rate, p50, p99, errors = run_wrk(url, args.seconds, args.connections, args.wrk_threads)
                after = os.times()
                wrk_jiffies += round(
                    (
                        (after.children_user - before.children_user)
                        + (after.children_system - before.children_system)
                    )
                    * os.sysconf("SC_CLK_TCK")
                )
                r = results[name]
                r.rates.append(rate), r.p50.append(p50), r.p99.append(p99)
                r.errors += errors
                print(
                    f"  round {round_ + 1} {name:5s} {rate:9.0f} req/s  p50 {p50:6.2f} ms  p99 {p99:6.2f} ms",
                    flush=True,
                )
        busy1, total1 = cpu_times()
        ours1 = process_tree_jiffies(descendants(own + [os.getpid()]))
    finally:
        for process in processes.values():
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for process in processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        shutil.rmtree(work, ignore_errors=True)

    cores = os.cpu_count() or 1
    machine = (busy1 - busy0) / max(total1 - total0, 1)
    ours = (ours1 - ours0 + wrk_jiffies) / max(total1 - total0, 1)
    print()
    print(
        f"current-warning page, {args.rounds} rounds × {args.seconds} s, wrk -c{args.connections} "
        f"-t{args.wrk_threads}, {args.workers} workers each, {cores} cores"
    )
    print(f"{'server':34s} {'req/s (median)':>15s} {'p50 ms':>8s} {'p99 ms':>8s} {'errors':>7s}   all rounds")
    labels = {
        "app": "app (gunicorn, exported page)",
        "nginx": "nginx (exported files)",
        "bare": "bare Flask (gunicorn, fixed bytes)",
    }
    med = {}
    for name in ("app", "nginx", "bare"):
        r = results[name]
        med[name] = statistics.median(r.rates)
        print(
            f"{labels[name]:34s} {med[name]:15.0f} {statistics.median(r.p50):8.2f} "
            f"{statistics.median(r.p99):8.2f} {r.errors:7d}   {', '.join(f'{x:.0f}' for x in r.rates)}"
        )
    print(f"app / nginx      = {med['app'] / med['nginx']:.2f}")
    print(f"app / bare Flask = {med['app'] / med['bare']:.2f}")
    print(f"goal app ≥ 3,000 req/s: {'met' if med['app'] >= 3000 else 'NOT met'}")
    print(
        f"machine busy while measuring: {machine:.0%} of {cores} cores; of that, this benchmark "
        f"(servers + wrk) {ours:.0%}, everything else {max(machine - ours, 0):.0%}; "
        f"load average {os.getloadavg()[0]:.2f}"
    )


if __name__ == "__main__":
    main()
