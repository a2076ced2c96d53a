"""The public site: current warnings with their advice, history, advice per level, the CAP
documents and their Atom feeds; exported to static files after each publication."""

import click
from flask import Blueprint

# cli_group=None: `flask public-export`, not `flask public public-export`.
bp = Blueprint("public", __name__, cli_group=None)

from notify.public import (  # noqa: E402,F401
    ack,  # noqa: E402,F401  (schools' acknowledgement links)
    tipoffs,
    views,
)


@bp.record_once
def _serve_exported_pages(state) -> None:
    from notify.public import fastpath

    fastpath.install(state.app)


@bp.cli.command("public-export")
def public_export_command() -> None:
    """Regenerate the static export of the public site (pages, feeds, CAP documents)."""
    from flask import current_app

    from notify.app_proxy import unproxied_app
    from notify.public import export

    manifest = export.export(unproxied_app())
    click.echo(f"{len(manifest['files'])} files in {export.export_dir(current_app)}")
