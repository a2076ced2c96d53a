"""Fixtures of the timed jobs' tests that other packages use too (registered in tests/conftest.py).

- `fresh_scheduler`: forgets this process's store scheduler around the test, as a restart
  would. The packages whose tests all schedule jobs use it for every test (an autouse fixture
  in their conftest.py); a single test module lists it in `pytestmark`.
- `director`: the office director's duty contact.
"""

from __future__ import annotations

import pytest

from notify.extensions import db
from notify.models import DutyContact
from notify.scheduling import runner


@pytest.fixture
def fresh_scheduler(app):
    """Forget this process's store scheduler around each test, as a restart would."""

    def forget():
        store = app.extensions.pop(runner._STORE_EXT, None)
        if store is not None:
            store.shutdown(wait=False)

    forget()
    yield
    forget()


@pytest.fixture
def director(sample_jurisdiction):
    contact = DutyContact(
        jurisdiction_id=sample_jurisdiction.id, duty="office_director", name="周主任", phone="+8613900000001"
    )
    db.session.add(contact)
    db.session.commit()
    return contact
