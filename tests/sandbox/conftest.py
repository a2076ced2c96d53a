import pytest

from tests.sandbox_fixtures import (  # noqa: F401
    _report_sink_server,
    aliyun_standin,
    aliyun_standin_server,
    report_sink,
    twilio_standin,
    twilio_standin_server,
)


@pytest.fixture(autouse=True)
def _clean_database():
    """Overrides the root conftest's: these tests talk HTTP only and need no app or database."""
    yield
