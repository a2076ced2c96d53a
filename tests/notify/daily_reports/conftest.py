"""Every daily-report test starts as after a restart (see tests.notify.timed.fixtures)."""

import pytest


@pytest.fixture(autouse=True)
def _restarted_scheduler(fresh_scheduler):
    """No store scheduler kept from the last test."""
