"""Publishing asks first, stating the audience in total and by group, and the server publishes
only a confirmed, current audience: a bare POST publishes nothing."""

from __future__ import annotations

import pytest

from notify.audience import audience_by_group, audience_size
from notify.extensions import db
from notify.models import Delivery, Revision
from tests.conftest import fresh, login, take_to


@pytest.fixture
def approved(sample_draft, sample_users, sample_recipients):
    take_to(sample_draft, "approved", sample_users)
    return sample_draft


def _state(revision_id: int) -> str:
    fresh()
    return db.session.get(Revision, revision_id).state


def test_the_confirmation_states_the_audience_and_its_groups(client, approved):
    rid, size = approved.id, audience_size(approved)
    groups = audience_by_group(approved)
    assert sum(g.recipients for g in groups) == size == 316 and len(groups) > 1
    login(client, "office")
    revision_page = client.get(f"/admin/revisions/{rid}").get_data(as_text=True)
    assert f'href="/admin/revisions/{rid}/publish"' in revision_page
    page = client.get(f"/admin/revisions/{rid}/publish").get_data(as_text=True)
    assert f'data-audience="{size}"' in page
    for g in groups:
        assert f'data-group="{g.name_zh}"' in page and f"<td>{g.recipients}</td>" in page
    assert 'name="confirm_audience"' in page and f'name="audience_size" type="hidden" value="{size}"' in page


@pytest.mark.parametrize(
    ("extra", "status"),
    [
        ({}, 400),
        ({"audience_size": "316"}, 400),
        ({"confirm_audience": "y"}, 400),
        ({"confirm_audience": "y", "audience_size": "x"}, 400),
    ],
)
def test_an_unconfirmed_publication_is_refused_and_sends_nothing(extra, status, client, approved):
    rid, version = approved.id, approved.version
    login(client, "office")
    response = client.post(f"/admin/revisions/{rid}/publish", data={"version": version, **extra})
    assert response.status_code == status
    assert "flash-error" in response.get_data(as_text=True)
    assert _state(rid) == "approved" and db.session.query(Delivery).count() == 0


def test_a_confirmation_of_another_audience_size_is_refused(client, approved):
    rid, version, size = approved.id, approved.version, audience_size(approved)
    login(client, "office")
    response = client.post(
        f"/admin/revisions/{rid}/publish",
        data={"version": version, "confirm_audience": "y", "audience_size": size - 1},
    )
    assert response.status_code == 409
    assert f'data-audience="{size}"' in response.get_data(as_text=True)
    assert _state(rid) == "approved"


def test_a_confirmed_publication_goes_out(client, approved):
    rid, version, size = approved.id, approved.version, audience_size(approved)
    login(client, "office")
    response = client.post(
        f"/admin/revisions/{rid}/publish",
        data={"version": version, "confirm_audience": "y", "audience_size": size},
    )
    assert response.status_code == 302
    assert _state(rid) == "published"


@pytest.mark.parametrize("username", ["deputy", "commander", "publicity", "unit", "admin"])
def test_only_the_office_sees_and_sends_the_confirmation(username, client, approved):
    rid, version, size = approved.id, approved.version, audience_size(approved)
    login(client, username)
    assert client.get(f"/admin/revisions/{rid}/publish").status_code == 403
    confirmed = {"version": version, "confirm_audience": "y", "audience_size": size}
    assert client.post(f"/admin/revisions/{rid}/publish", data=confirmed).status_code == 403
    assert _state(rid) == "approved"


def test_a_revision_not_yet_approved_has_no_confirmation(client, sample_draft, sample_users):
    login(client, "office")
    response = client.get(f"/admin/revisions/{sample_draft.id}/publish")
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/revisions/{sample_draft.id}"
    )
