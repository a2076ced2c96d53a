"""A screen delivery waiting on a screen that is offline, or that never reported, is unreachable
for the dispatch page: counted apart, with the reason, settled for the progress, and back to
its own status (then delivered) as soon as the screen is heard again. Nothing is written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from freezegun import freeze_time

from notify import clock
from notify.dispatch import progress
from notify.models.deliveries import Status
from notify.screens import status
from tests.conftest import fresh
from tests.notify.screens.conftest import auth, issue

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def test_offline_and_silent_screens_make_their_deliveries_unreachable_until_heard(
    client, make_screen, sample_users, sample_kind, sample_levels
):
    with freeze_time(T0) as frozen:
        silent, silent_token = make_screen(name="县医院门诊大厅", interval=60)  # silent for now
        lapsed, lapsed_token = make_screen(name="汽车站候车厅", interval=60)
        shown, shown_token = make_screen(name="人民广场", interval=600)
        client.post(f"/screens/{lapsed.id}/heartbeat", headers=auth(lapsed_token))
        revision = issue(sample_kind, sample_levels["yellow"], sample_users)
        # The lapsed screen's gateway fetches the feed, then falls silent before showing it.
        assert client.get(f"/screens/{lapsed.id}/feed.json", headers=auth(lapsed_token)).status_code == 200
        assert (
            client.post(
                f"/screens/{shown.id}/displayed", json={"version": 2}, headers=auth(shown_token)
            ).status_code
            == 200
        )
        fresh()
        # Within their intervals every screen may still report: nothing is unreachable yet.
        assert status.unreachable_deliveries(revision.id, clock.now()) == []
        counts = progress.shown_counts(revision.id, clock.now())
        assert counts["by_status"]["pending"] == 1 and counts["by_status"]["accepted"] == 1
        assert (counts["unreachable"], counts["settled"], counts["done"]) == (0, 1, False)

        frozen.tick(timedelta(seconds=60) + status.grace() + timedelta(seconds=1))
        fresh()
        now = clock.now()
        [never, offline] = status.unreachable_deliveries(revision.id, now)
        assert (never.screen_id, never.reason, never.status) == (silent.id, status.NEVER_REPORTED, "pending")
        assert never.last_heard_at is None and never.since < now
        assert (offline.screen_id, offline.reason, offline.status) == (lapsed.id, status.OFFLINE, "accepted")
        assert offline.last_heard_at == T0 and offline.since == T0 + timedelta(seconds=60) + status.grace()

        counts = progress.shown_counts(revision.id, now)
        assert counts["statuses"] == [*Status.ALL, "unreachable"]
        assert counts["by_status"]["pending"] == 0 and counts["by_status"]["accepted"] == 0
        assert counts["by_status"]["unreachable"] == 2 and counts["by_status"]["delivered"] == 1
        assert counts["by_channel"]["led"] == {"pending": 0, "accepted": 0, "delivered": 1, "unreachable": 2}
        assert counts["by_gateway"]["led"] == counts["by_channel"]["led"]
        # Settled for the page, but still not finished in the database.
        assert (counts["total"], counts["final"], counts["settled"], counts["done"]) == (3, 1, 3, True)
        assert progress.status_counts(revision.id)["by_status"]["pending"] == 1

        # The silent screen is heard at last and shows the warning: delivered, no longer unreachable.
        client.post(f"/screens/{silent.id}/displayed", json={"version": 2}, headers=auth(silent_token))
        fresh()
        counts = progress.shown_counts(revision.id, clock.now())
        assert [u.screen_id for u in counts["unreachable_screens"]] == [lapsed.id]
        assert counts["by_status"]["delivered"] == 2 and counts["unreachable"] == 1


def test_a_screen_without_a_delivery_of_the_revision_is_not_counted(
    client, make_screen, sample_users, sample_kind, sample_levels
):
    # Registered after the publication: no delivery of this revision waits on it, offline or not.
    with freeze_time(T0) as frozen:
        revision = issue(sample_kind, sample_levels["yellow"], sample_users)
        make_screen(interval=30)
        frozen.tick(timedelta(hours=1))
        assert status.unreachable_deliveries(revision.id, clock.now()) == []
        counts = progress.shown_counts(revision.id, clock.now())
        assert (counts["total"], counts["unreachable"], counts["done"]) == (0, 0, False)
