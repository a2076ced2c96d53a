import pytest


@pytest.fixture(autouse=True)
def _clean_database():
    """Overrides the root conftest's: these tests talk HTTP only and need no app or database."""
    yield
