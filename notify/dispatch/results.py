"""Writing back what a gateway said about a batch, set-based.

Every UPDATE is guarded by the lease (`status = 'sending' AND lease_owner = me`): a worker
that lost its lease (it stalled, another took the batch) cannot overwrite the newer owner's
outcome, and a status callback that already moved the row on is not undone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, case, update

from notify.channels.base import Result
from notify.dispatch import retry
from notify.extensions import db
from notify.models import Delivery
from notify.models.deliveries import Status

TABLE = Delivery.__table__


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 6
    base_seconds: float = 2.0
    cap_seconds: float = 300.0


def apply(
    results: list[Result],
    *,
    attempts: dict[int, int],
    sender: str,
    worker: str,
    now: datetime,
    policy: RetryPolicy,
    delivered: bool = False,
) -> dict[str, int]:
    """`delivered`: the gateway's acceptance is the delivery itself (a robot's errcode 0, a
    partner's 2xx), so the row is final at once instead of waiting for a report."""
    owned = (TABLE.c.status == Status.SENDING) & (TABLE.c.lease_owner == worker)
    accepted = [r for r in results if r.outcome == "accepted"]
    permanent = [r for r in results if r.outcome == "permanent"]
    transient = [r for r in results if r.outcome == "transient"]
    deferred = [r for r in results if r.outcome == "deferred"]
    conn = db.session.connection()
    if accepted:
        accepted_values = dict(
            status=Status.ACCEPTED,
            gateway=sender,
            attempts=TABLE.c.attempts + 1,
            accepted_at=now,
            updated_at=now,
            lease_owner=None,
            lease_expires_at=None,
            error_code=None,
            error_reason="",
        )
        if delivered:
            accepted_values.update(status=Status.DELIVERED, finished_at=now)
        by_provider: dict[str | None, list[int]] = {}
        for r in accepted:
            by_provider.setdefault(r.provider_id, []).append(r.delivery_id)
        # A domestic call accepts up to 1,000 numbers under one BizId: one UPDATE for all of them.
        singles = []
        for provider_id, ids in by_provider.items():
            if len(ids) == 1:
                singles.append({"_id": ids[0], "_provider": provider_id})
            else:
                conn.execute(
                    update(TABLE)
                    .where(TABLE.c.id.in_(ids), owned)
                    .values(provider_id=provider_id, **accepted_values)
                )
        if singles:
            conn.execute(
                update(TABLE)
                .where(TABLE.c.id == bindparam("_id"), owned)
                .values(provider_id=bindparam("_provider"), **accepted_values),
                singles,
            )
    if permanent:
        conn.execute(
            update(TABLE)
            .where(TABLE.c.id == bindparam("_id"), owned)
            .values(
                status=Status.FAILED,
                gateway=sender,
                attempts=TABLE.c.attempts + 1,
                error_code=bindparam("_code"),
                error_reason=bindparam("_reason"),
                finished_at=now,
                updated_at=now,
                lease_owner=None,
                lease_expires_at=None,
            ),
            [{"_id": r.delivery_id, "_code": r.code, "_reason": r.reason[:300]} for r in permanent],
        )
    if transient:
        rows = []
        for r in transient:
            tried = attempts.get(r.delivery_id, 0) + 1
            backoff = retry.next_attempt(tried, now, base=policy.base_seconds, cap=policy.cap_seconds)
            if r.retry_after is not None:  # the gateway said when (Retry-After): not sooner
                backoff = max(backoff, now + timedelta(seconds=r.retry_after))
            rows.append({"_id": r.delivery_id, "_code": r.code, "_reason": r.reason[:300], "_next": backoff})
        last_try = TABLE.c.attempts + 1 >= policy.max_attempts
        conn.execute(
            update(TABLE)
            .where(TABLE.c.id == bindparam("_id"), owned)
            .values(
                status=case((last_try, Status.DEAD), else_=Status.PENDING),
                finished_at=case((last_try, now), else_=None),
                attempts=TABLE.c.attempts + 1,
                next_attempt_at=bindparam("_next"),
                error_code=bindparam("_code"),
                error_reason=bindparam("_reason"),
                updated_at=now,
                lease_owner=None,
                lease_expires_at=None,
            ),
            rows,
        )
    if deferred:
        # Not an attempt: the message waits for its robot's budget (or the platform's block).
        conn.execute(
            update(TABLE)
            .where(TABLE.c.id == bindparam("_id"), owned)
            .values(
                status=Status.PENDING,
                next_attempt_at=bindparam("_next"),
                error_code=bindparam("_code"),
                error_reason=bindparam("_reason"),
                updated_at=now,
                lease_owner=None,
                lease_expires_at=None,
            ),
            [
                {
                    "_id": r.delivery_id,
                    "_code": r.code,
                    "_reason": r.reason[:300],
                    "_next": now + timedelta(seconds=max(r.retry_after or 0.0, 0.05)),
                }
                for r in deferred
            ],
        )
    db.session.commit()
    return {
        "accepted": len(accepted),
        "permanent": len(permanent),
        "transient": len(transient),
        "deferred": len(deferred),
    }
