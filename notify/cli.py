"""Console commands: `flask dispatch-worker`, `flask seed-demo`, `flask demo-day`,
`flask load-jurisdiction FILE`, `flask create-user`, `flask reduction-list import FILE`."""

from __future__ import annotations

import json
import signal
import threading

import click
from flask import Flask
from sqlalchemy import select

from notify.accounts import passwords
from notify.dispatch.setup import start_threads
from notify.enterprises.reduction_lists import load_list
from notify.extensions import db
from notify.models import Jurisdiction, User


def init_app(app: Flask) -> None:
    @app.cli.command("dispatch-worker")
    @click.option("--threads", default=None, type=int, help="Executor threads (default DISPATCH_THREADS).")
    def dispatch_worker_command(threads):
        """Drain the outbox in this process until stopped: the thread executor on its own.

        For installations that keep sending apart from the web server without Celery.
        """
        if threads:
            app.config["DISPATCH_THREADS"] = threads
        executor = start_threads(app)
        click.echo(f"dispatch worker: {app.config['DISPATCH_THREADS']} threads; Ctrl-C stops")
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
        executor.stop()

    _demo_commands(app)
    _reduction_list_commands(app)

    @app.cli.command("load-jurisdiction")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    def load_jurisdiction_command(path: str):
        """Add a jurisdiction (directory, alert kinds, levels, criteria, advice) from a JSON file."""
        # The loader (in notify.demo with its data) loads when the command runs, not with the app.
        from notify.demo.loader import DataError, load_jurisdiction, read

        try:
            j = load_jurisdiction(read(path))
        except DataError as exc:
            db.session.rollback()
            raise click.ClickException(str(exc)) from exc
        db.session.commit()
        click.echo(f"Loaded {j.name_zh} ({j.code}).")

    @app.cli.command("create-user")
    @click.option("--jurisdiction", required=True, help="GB/T 2260 code, e.g. 140322")
    @click.option("--username", required=True)
    @click.option("--name", "display_name", required=True)
    @click.option(
        "--role",
        required=True,
        type=click.Choice(
            ["office_staff", "deputy_commander", "commander", "publicity", "member_unit", "admin"]
        ),
    )
    @click.password_option()
    def create_user_command(jurisdiction, username, display_name, role, password):
        """Create a console user (the first administrator of a new installation, for instance)."""
        j = db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == jurisdiction))
        if j is None:
            raise click.ClickException(f"no jurisdiction {jurisdiction}")
        if db.session.scalar(select(User).where(User.username == username)):
            raise click.ClickException(f"user {username} exists")
        problems = passwords.problems(password, username)
        if problems:
            raise click.ClickException(" ".join(problems))
        user = User(jurisdiction=j, username=username, display_name=display_name, role=role)
        user.set_password(password)
        db.session.add(user)
        db.session.commit()
        click.echo(f"Created {username} ({role}).")


def _demo_commands(app: Flask) -> None:
    @app.cli.command("seed-demo")
    def seed_demo_command():
        """Load the Yu County demo data (once, into an empty database) and print the logins."""
        # The demo's modules load when a demo command runs, never in a production app.
        from notify.demo.integrations import demo_token
        from notify.demo.seed import DEMO_LOGINS, NotADemoDatabase, demo_password, seed_demo

        if app.config.get("NOTIFY_ENV", "production") == "production":
            raise click.ClickException(
                "seed-demo loads predictable logins and tokens: it runs only with NOTIFY_ENV=demo."
            )
        try:
            created = seed_demo()
        except NotADemoDatabase as exc:
            db.session.rollback()
            raise click.ClickException(str(exc)) from exc
        click.echo("Yu County demo data loaded." if created else "Yu County demo data already present.")
        click.echo(f"Demo logins (password: {demo_password()}):")
        for login in DEMO_LOGINS:
            click.echo(f"  {login.username:<10} {login.role.value:<17} {login.display_name}")
        click.echo(f"Demo API token (read only, 县融媒体中心): {demo_token()}")

    @app.cli.command("demo-day")
    @click.option("--day", "day_text", default=None, help="The response day (YYYY-MM-DD); default tomorrow.")
    @click.option("--seconds", default=30.0, help="How long the compressed morning takes (0: at once).")
    def demo_day_command(day_text, seconds):
        """Play a response day's morning compressed: filings, the 09:30 reminder, the 10:00 close."""
        # The demo's modules load when a demo command runs, never in a production app.
        from notify.demo import demo_day

        demo_day.run(app.config["JURISDICTION_CODE"], day_text, seconds, echo=click.echo)


def _reduction_list_commands(app: Flask) -> None:
    @app.cli.group("reduction-list")
    def reduction_list_group():
        """The jurisdiction's industrial reduction list (附件11 as data), one version a year."""

    @reduction_list_group.command("import")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    @click.option(
        "--jurisdiction",
        default=None,
        help="GB/T 2260 code; default the file's own, else JURISDICTION_CODE.",
    )
    def import_command(path: str, jurisdiction: str | None):
        """Load a JSON list as the jurisdiction's next version (the versions before stay as they were)."""
        try:
            with open(path, encoding="utf-8") as f:
                data = json.load(f)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise click.ClickException(f"{path}: not a readable JSON file ({exc})") from exc
        code = jurisdiction or (data.get("jurisdiction") if isinstance(data, dict) else None)
        code = code or app.config.get("JURISDICTION_CODE")
        j = db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == str(code)))
        if j is None:
            raise click.ClickException(f"no jurisdiction {code}")
        try:
            reduction_list = load_list(j, data)
        except ValueError as exc:
            db.session.rollback()
            raise click.ClickException(str(exc)) from exc
        db.session.commit()
        click.echo(
            f"Loaded {j.name_zh} ({j.code}) reduction list version {reduction_list.version}: "
            f"{reduction_list.title}, {len(reduction_list.measures)} cells."
        )
