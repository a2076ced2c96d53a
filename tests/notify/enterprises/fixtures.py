"""sample_* fixtures of the duty dashboard, export and console tests (registered in
tests/conftest.py): the demo warning published on a frozen clock at dashboard_builders.T0, two
townships, and the scene of duties create_scene builds there."""

from __future__ import annotations

import pytest
from freezegun import freeze_time

from tests.conftest import take_to
from tests.notify.enterprises.dashboard_builders import T0, create_scene


@pytest.fixture
def sample_duty_revision(sample_draft, sample_users):
    with freeze_time(T0):
        take_to(sample_draft, "published", sample_users)
    return sample_draft


@pytest.fixture
def sample_duty_towns(sample_jurisdiction):
    return sample_jurisdiction.townships[:2]


@pytest.fixture
def sample_duty_scene(sample_duty_revision, sample_duty_towns, sample_jurisdiction):
    return create_scene(sample_duty_revision, sample_duty_towns, sample_jurisdiction)
