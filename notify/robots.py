"""The robot registry's domain rules: which groups a robot belongs to, checking a webhook URL.

A robot joins an audience group as a Recipient(channel="robot", address="robot:<id>"), so the
audience rules, the approver's count and the outbox treat it like any other recipient. Its key
and secret stay in the robots table (see notify.models.robots).
"""

from __future__ import annotations

from collections.abc import Collection
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import delete, insert, select, update

from notify import clock
from notify.channels import outbound
from notify.extensions import db
from notify.models import AudienceGroup, Recipient, Robot
from notify.models.robots import robot_address

ROBOT_CHANNEL = "robot"
# The path each platform's console hands out, and the query parameter holding the key, if any.
URL_SHAPES: dict[str, tuple[str, str | None]] = {
    "wecom": ("/cgi-bin/webhook/send", "key"),
    "dingtalk": ("/robot/send", "access_token"),
    "feishu": ("/open-apis/bot/v2/hook/", None),
}


def url_problem(kind: str, url: str, allowed_hosts: Collection[str] = ()) -> str | None:
    """Why `url` cannot be a webhook of this kind of robot, or None. (Messages are translated
    by the caller; these are keys.) `allowed_hosts` may be private addresses all the same."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return "scheme"
    where = outbound.problem(url, allowed_hosts)
    if where is not None:
        return where
    path, key = URL_SHAPES[kind]
    if key is None:  # Feishu: the key is the path's last segment
        if not parts.path.startswith(path) or len(parts.path) <= len(path):
            return "path"
        return None
    if parts.path != path:
        return "path"
    if not parse_qs(parts.query).get(key, [""])[0]:
        return "key"
    return None


def mask_secret(value: str | None) -> str:
    """What the console shows of a secret or key: enough to recognise it, not to use it."""
    if not value:
        return ""
    return value[:3] + "…" + value[-2:] if len(value) > 8 else "…"


def mask_url(url: str) -> str:
    """A webhook URL with its key or token hidden (the key is the credential for WeCom)."""
    parts = urlsplit(url)
    path = parts.path
    if path.startswith("/open-apis/bot/v2/hook/"):
        token = path.rsplit("/", 1)[-1]
        path = path[: len(path) - len(token)] + mask_secret(token)
    query = "&".join(
        f"{k}={mask_secret(v[0])}" if k in ("key", "access_token") else f"{k}={v[0]}"
        for k, v in parse_qs(parts.query).items()
    )
    return f"{parts.scheme}://{parts.netloc}{path}" + (f"?{query}" if query else "")


def group_ids(robot: Robot) -> set[int]:
    return set(
        db.session.scalars(
            select(Recipient.group_id).where(
                Recipient.channel == ROBOT_CHANNEL, Recipient.address == robot_address(robot.id)
            )
        )
    )


def set_groups(robot: Robot, wanted: set[int]) -> tuple[set[int], set[int]]:
    """Make the robot a recipient of exactly these groups; returns (added, removed)."""
    address = robot_address(robot.id)
    current = group_ids(robot)
    added, removed = wanted - current, current - wanted
    if removed:
        db.session.execute(
            delete(Recipient).where(
                Recipient.channel == ROBOT_CHANNEL,
                Recipient.address == address,
                Recipient.group_id.in_(removed),
            )
        )
    if added:
        now = clock.now()
        db.session.execute(
            insert(Recipient),
            [
                {
                    "group_id": gid,
                    "name": robot.name,
                    "township_id": robot.township_id,
                    "channel": ROBOT_CHANNEL,
                    "address": address,
                    "locale": "zh",
                    "active": robot.active,
                    "created_at": now,
                    "updated_at": now,
                }
                for gid in sorted(added)
            ],
        )
    sync_recipients(robot)
    return added, removed


def sync_recipients(robot: Robot) -> None:
    """Carry the robot's name, township and active flag to its recipient rows (one UPDATE)."""
    db.session.execute(
        update(Recipient)
        .where(Recipient.channel == ROBOT_CHANNEL, Recipient.address == robot_address(robot.id))
        .values(name=robot.name, township_id=robot.township_id, active=robot.active, updated_at=clock.now())
        .execution_options(synchronize_session=False)
    )


def groups_of_jurisdiction(jurisdiction_id: int) -> list[AudienceGroup]:
    return list(
        db.session.scalars(
            select(AudienceGroup)
            .where(AudienceGroup.jurisdiction_id == jurisdiction_id)
            .order_by(AudienceGroup.id)
        )
    )
