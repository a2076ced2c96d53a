"""The demo seed's screens: twenty across the townships, mixed profiles, reached by the demo warning."""

from __future__ import annotations

from sqlalchemy import func, select

from notify.demo.screens import DEMO_TOKEN, SCREENS
from notify.demo.seed import seed_demo
from notify.extensions import db
from notify.models import Delivery
from notify.models.screens import Screen
from tests.notify.screens.conftest import auth


def test_demo_screens_show_the_demo_warning(client):
    assert seed_demo()
    screens = db.session.scalars(select(Screen).order_by(Screen.id)).all()
    assert len(screens) == len(SCREENS) == 20
    assert {s.colours for s in screens} == {"full", "two", "one"}
    assert {s.vendor for s in screens} == {"onbon", "huidu", "listen", "novastar"}
    assert len({s.township_id for s in screens}) >= 12
    assert (
        db.session.scalar(select(func.count()).select_from(Delivery).where(Delivery.channel == "led")) == 40
    )
    data = client.get(f"/screens/{screens[0].id}/feed.json", headers=auth(DEMO_TOKEN.format(n=1))).get_json()
    assert (data["version"], data["state"], data["level"]["words"]) == (3, "warning", "橙色预警")
