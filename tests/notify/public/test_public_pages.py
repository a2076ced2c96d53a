"""The public site shows exactly the published state: nothing drafted, pending or approved."""

from __future__ import annotations

from notify.audience import audience_size
from notify.extensions import db
from notify.lifecycle.proposals import propose_change, propose_issue
from notify.revision_steps import take
from tests.conftest import approval_form, proposal, take_to


def test_public_page_follows_the_published_state(client, sample_users, sample_kind, sample_levels):
    page = lambda: client.get("/").get_data(as_text=True)  # noqa: E731
    first = propose_issue(
        sample_kind, proposal(sample_levels["yellow"], headline_zh="甲预警首发"), sample_users["office"]
    )
    assert "甲预警首发" not in page() and "data-empty" in page()  # draft
    take(first, "submit", sample_users["office"], form=approval_form(first))
    db.session.commit()
    assert "甲预警首发" not in page() and "data-empty" in page()  # pending approval
    take(first, "approve", sample_users["deputy"], confirmed_audience_size=audience_size(first))
    db.session.commit()
    assert "甲预警首发" not in page() and "data-empty" in page()  # approved, not yet published
    take(first, "publish", sample_users["office"])
    db.session.commit()
    assert "甲预警首发" in page() and 'data-level="yellow"' in page()

    upgrade = propose_change(
        first.warning,
        "upgrade",
        proposal(sample_levels["red"], headline_zh="甲预警升级红色"),
        sample_users["office"],
    )
    take_to(upgrade, "approved", sample_users)
    assert 'data-level="yellow"' in page() and "甲预警升级红色" not in page()
    take(upgrade, "publish", sample_users["office"])
    db.session.commit()
    assert 'data-level="red"' in page() and 'data-level="yellow"' not in page()

    lift = propose_change(
        first.warning,
        "lift",
        proposal(sample_levels["red"], headline_zh="甲预警解除"),
        sample_users["office"],
    )
    take_to(lift, "published", sample_users)
    assert "data-empty" in page()
    history = client.get("/history").get_data(as_text=True)
    assert history.index("甲预警解除") < history.index("甲预警升级红色") < history.index("甲预警首发")
    detail = client.get(f"/warnings/{first.warning.reference}").get_data(as_text=True)
    assert "lifted-banner" in detail


def test_unknown_or_unpublished_warning_pages_are_404(client, sample_draft):
    assert client.get("/warnings/nope").status_code == 404
    assert client.get(f"/warnings/{sample_draft.warning.reference}").status_code == 404


def test_public_text_is_escaped(client, sample_users, sample_kind, sample_levels):
    r = propose_issue(
        sample_kind,
        proposal(sample_levels["yellow"], headline_zh="<script>alert(1)</script>"),
        sample_users["office"],
    )
    take_to(r, "published", sample_users)
    body = client.get("/").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;" in body
