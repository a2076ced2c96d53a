"""The public site: current warnings with their advice, history, advice per level, the CAP
documents and their Atom feeds; exported to static files, off the request, after each change
that asks for it (export_requests.py, export_runner.py)."""

import click
from flask import Blueprint

from notify.app_proxy import unproxied_app

# cli_group=None: `flask public-export`, not `flask public public-export`.
bp = Blueprint("public", __name__, cli_group=None)

from notify.public import (  # noqa: E402,F401
    ack,  # noqa: E402,F401  (schools' acknowledgement links)
    enterprise_duty,
    enterprises,
    export,
    export_runner,
    fastpath,
    tipoffs,
    views,
)


@bp.record_once
def _serve_and_run_the_export(state) -> None:
    fastpath.install(state.app)
    export_runner.init_app(state.app)


@bp.cli.command("public-export")
def public_export_command() -> None:
    """Regenerate the static export of the public site (pages, feeds, CAP documents) now."""
    app = unproxied_app()
    try:
        attempt = export_runner.export_now(app)
    except export_runner.ExportBusy as exc:
        raise click.ClickException(str(exc)) from None
    if attempt.manifest is None:
        raise click.ClickException(f"the export failed: {attempt.error}")
    click.echo(f"{len(attempt.manifest['files'])} files in {export.export_dir(app)}")
