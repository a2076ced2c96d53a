from __future__ import annotations

from pathlib import Path

import pytest

from notify.public import export


@pytest.fixture
def exported(app, monkeypatch) -> Path:
    """The static export on, regenerated after each publication, as in production; removed after
    the test so that other tests see rendered pages."""
    monkeypatch.setitem(app.config, "PUBLIC_EXPORT_ON_COMMIT", True)
    directory = export.export_dir(app)
    export.clear(app)
    yield directory
    export.clear(app)
