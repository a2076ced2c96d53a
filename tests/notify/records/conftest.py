from tests.notify.timed.conftest import director, fresh_scheduler  # noqa: F401
