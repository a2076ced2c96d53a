"""An export folder belongs to the database it renders: another database's export (a benchmark's,
a test's, a CLI command's) is refused without a file changing, the default folder follows the
database, and the app serves from memory only a folder that names its own database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import delete

from notify import clock, create_app
from notify.extensions import db
from notify.models import SiteExportState
from notify.public import export, export_requests, export_runner
from notify.public.export import MANIFEST
from notify.public.export_owner import OWNER_FILE, ForeignFolder, default_dir


def _files(directory: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(p.relative_to(directory)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def bench_app(tmp_path, exported):
    """Another install in the same checkout: its own SQLite database, told to export into this
    one's folder (as a benchmark pointing PUBLIC_EXPORT_DIR at instance/ would)."""
    other = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'bench.sqlite3'}",
            "PUBLIC_EXPORT_DIR": str(exported),
            "PUBLIC_EXPORT_ON_COMMIT": False,
        }
    )
    with other.app_context():
        upgrade()
    return other


def test_another_databases_export_is_refused_and_nothing_in_the_folder_changes(
    app, exported, sample_published, bench_app
):
    export.export(app)
    before = _files(exported)
    assert OWNER_FILE in before and MANIFEST in before

    with pytest.raises(ForeignFolder, match="another database"):
        export.export(bench_app)
    # Through the runner: a failure with the reason, alarmed in the other install's console.
    with bench_app.app_context():
        export_requests.request_export(clock.now())
        db.session.commit()
    assert export_runner.run_pending(bench_app) is True
    with bench_app.app_context():
        alarm = export_runner.alarm()
        db.session.remove()
    assert alarm is not None and "ForeignFolder" in alarm.last_error and str(exported) in alarm.last_error
    assert _files(exported) == before


def test_a_folder_holding_other_files_is_refused_untouched(app, exported, sample_jurisdiction):
    exported.mkdir(parents=True, exist_ok=True)
    (exported / "notes.txt").write_text("not an export")
    with pytest.raises(ForeignFolder, match="not a public site export"):
        export.export(app)
    assert sorted(p.name for p in exported.iterdir()) == ["notes.txt"]


def test_the_database_made_again_at_the_same_address_takes_its_folder_over(
    app, exported, sample_jurisdiction
):
    export.export(app)
    first = json.loads((exported / OWNER_FILE).read_text())
    db.session.execute(delete(SiteExportState))  # a new database: a new install id
    db.session.commit()
    export.export(app)
    second = json.loads((exported / OWNER_FILE).read_text())
    assert second["install_id"] != first["install_id"] and second["database"] == first["database"]


def test_the_app_serves_only_a_folder_that_names_its_database(app, client, exported, sample_published):
    export.export(app)
    # Mark the exported page, so that an answer from the folder can be told from a rendered one.
    (exported / "index.html").write_bytes((exported / "index.html").read_bytes() + b"<!-- folder -->")
    manifest = exported / MANIFEST
    manifest.write_bytes(manifest.read_bytes() + b"\n")  # the layer reloads on a new stat
    assert b"<!-- folder -->" in client.get("/").get_data()

    marker = json.loads((exported / OWNER_FILE).read_text())
    (exported / OWNER_FILE).write_text(json.dumps({**marker, "install_id": "0" * 32}))
    manifest.write_bytes(manifest.read_bytes() + b" ")
    response = client.get("/")
    assert response.status_code == 200 and b"<!-- folder -->" not in response.get_data()
    assert 'data-level="yellow"' in response.get_data(as_text=True)


def test_the_default_folder_follows_the_database(tmp_path):
    instance = str(tmp_path / "instance")
    demo = default_dir(f"sqlite:///{tmp_path / 'instance' / 'notify.sqlite3'}", instance)
    bench = default_dir(f"sqlite:///{tmp_path / 'bench' / 'bench.sqlite3'}", instance)
    assert demo == (tmp_path / "instance" / "notify.public_site").resolve()
    assert bench == (tmp_path / "bench" / "bench.public_site").resolve()
    assert default_dir("sqlite:///notify.sqlite3", instance) == demo  # relative: in instance/

    live = default_dir("postgresql+psycopg://notify:secret@db:5432/notify", instance)
    assert live.parent == Path(instance) and live.name.startswith("public_site-")
    assert "secret" not in str(live)
    assert default_dir("postgresql://notify:rotated@db:5432/notify", instance) == live  # same database
    assert default_dir("postgresql+psycopg://notify:secret@db:5432/bench", instance) != live


def test_an_app_on_a_temporary_database_exports_beside_it_not_into_instance(tmp_path, monkeypatch):
    monkeypatch.delenv("PUBLIC_EXPORT_DIR", raising=False)
    bench = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'b.sqlite3'}"})
    assert export.export_dir(bench) == (tmp_path / "b.public_site").resolve()
    assert not export.export_dir(bench).is_relative_to(bench.instance_path)
