from __future__ import annotations

from pathlib import Path

import pytest

from notify.public import export


@pytest.fixture
def exported(app) -> Path:
    """The export folder, empty when the test starts and removed after it, so that other tests see
    rendered pages. Nothing exports by itself in the tests (no runner thread): a test runs what
    was asked for with export_runner.run_pending(app)."""
    directory = export.export_dir(app)
    export.clear(app)
    yield directory
    export.clear(app)
