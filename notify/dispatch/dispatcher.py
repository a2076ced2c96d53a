"""The one delivery function both executors call: claim a batch per route, send it, record it.

The thread executor (inside the app process) and the Celery workers (scale-out) differ only in
how they schedule calls to Dispatcher.run_once; what a call does is the same.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import insert

from notify import clock
from notify.channels import sms_segments
from notify.channels.base import Gateway, GatewayUnavailable, Message, Result
from notify.channels.sms_signature import Signatures
from notify.dispatch import after_publication, claims, outbox, plans, reports, results, routing, texts
from notify.dispatch.breaker import CircuitBreaker
from notify.extensions import db
from notify.models import GatewayEvent

log = logging.getLogger(__name__)


def worker_id(suffix: str = "") -> str:
    base = f"{socket.gethostname()}:{os.getpid()}"
    return f"{base}:{suffix}" if suffix else base


@dataclass
class Settings:
    claim_size: dict[str, int] = field(
        default_factory=lambda: {
            "aliyun": 1000,
            "twilio": 50,
            "wecom": 60,
            "dingtalk": 60,
            "feishu": 60,
            "webhook": 50,
        }
    )
    lease: timedelta = timedelta(seconds=60)
    ordering_hold: timedelta = timedelta(seconds=60)
    retry: results.RetryPolicy = field(default_factory=results.RetryPolicy)
    # Per gateway: (rate per second, unit "messages" | "segments"); rate 0 = unlimited.
    rates: dict[str, tuple[float, str]] = field(default_factory=dict)
    breaker_threshold: int = 5
    breaker_cooldown: float = 30.0
    expire_every: timedelta = timedelta(seconds=2)
    # Recipient ids per chunk of a dispatch plan, and how long an expander keeps its plan.
    plan_chunk: int = 20_000
    plan_lease: timedelta = timedelta(seconds=30)
    # When no robot or webhook row is due, the push routes are probed again only after this
    # long, so that idle routes cost the SMS path one read four times a second at most.
    idle_poll: float = 0.25


class Dispatcher:
    def __init__(
        self, gateways: dict[str, Gateway], settings: Settings | None = None, limiters: dict | None = None
    ):
        self.gateways = gateways
        self.settings = settings or Settings()
        self.limiters = limiters or {}
        self.breakers = {
            name: CircuitBreaker(
                name,
                threshold=self.settings.breaker_threshold,
                cooldown=self.settings.breaker_cooldown,
                on_change=self._record,
            )
            for name in gateways
        }
        self._failing_over: set[str] = set()
        # Every configured gateway that is not an SMS route is drained on its own, no failover.
        self._push_routes = [name for name in gateways if name not in routing.SMS_ROUTES]
        self._push_idle_until = 0.0
        self._last_expiry: datetime | None = None
        self._unmatched_after = 0
        self._lock = threading.Lock()

    # -- one round ---------------------------------------------------------------------------
    def run_once(self, worker: str, now: datetime | None = None) -> int:
        """Write one chunk of what publications left for after their commit (the registered
        writers' rows, then a dispatch plan's), then claim and send at most one batch per route.
        Returns how many rows it wrote or handled (0: nothing to do just now)."""
        fixed = now

        def current() -> datetime:
            # Each claim reads the clock afresh: a claim timed before a chunk or another route's
            # send would not see as due what a publication committed meanwhile, and would take a
            # batch of older, less urgent messages ahead of it.
            return fixed or clock.now()

        self._expire(current())
        # First, so the chunks written are claimable in this very round; the writers' rows (an
        # enterprise's duty) are responders' messages, the plan's the public's.
        handled = after_publication.write_next(worker, current())
        handled += plans.expand_next(
            worker, current(), chunk=self.settings.plan_chunk, lease=self.settings.plan_lease
        )
        for route in routing.SMS_ROUTES:
            sender = self._sender_for(route)
            if sender is None:
                continue
            batch = claims.claim(
                route,
                limit=self.settings.claim_size.get(sender.name, 100),
                worker=worker,
                lease=self.settings.lease,
                now=current(),
                ordering_hold=self.settings.ordering_hold,
            )
            if not batch:
                self.breakers[sender.name].cancel_trial()
                continue
            handled += len(batch)
            self._deliver(batch, sender, worker)
        if self._push_routes and self._push_idle_until <= time.monotonic():
            due = claims.due_routes(self._push_routes, current())
            if not due:
                self._push_idle_until = time.monotonic() + self.settings.idle_poll
            for route in self._push_routes:
                if route in due:
                    handled += self._drain_push_route(route, worker, current())
        return handled

    def _drain_push_route(self, route: str, worker: str, now: datetime) -> int:
        sender, breaker = self.gateways[route], self.breakers[route]
        if not breaker.allow():
            return 0
        batch = claims.claim(
            route,
            limit=self.settings.claim_size.get(route, 50),
            worker=worker,
            lease=self.settings.lease,
            now=now,
            ordering_hold=self.settings.ordering_hold,
        )
        if not batch:  # due rows held back by ordering, or taken by another worker
            breaker.cancel_trial()
            return 0
        self._deliver(batch, sender, worker)
        return len(batch)

    def _expire(self, now: datetime) -> None:
        """Housekeeping every few seconds: expire what ran out, apply receipts kept for later."""
        with self._lock:
            due = self._last_expiry is None or now - self._last_expiry >= self.settings.expire_every
            if due:
                self._last_expiry = now
        if due:
            claims.expire_overdue(now)
            _, self._unmatched_after = reports.retry_unmatched(now, after=self._unmatched_after)
            outbox.scrub_private(now)

    def _sender_for(self, route: str) -> Gateway | None:
        primary = self.gateways.get(route)
        if primary is not None and self.breakers[route].allow():
            if route in self._failing_over:
                self._failing_over.discard(route)
                self._record(route, "failback", f"{route} traffic goes to {route} again")
            return primary
        fallback = routing.FALLBACK.get(route)
        if fallback and fallback in self.gateways and self.breakers[fallback].allow():
            if route not in self._failing_over:
                self._failing_over.add(route)
                self._record(route, "failover", f"{route} is down; its traffic goes to {fallback}")
            return self.gateways[fallback]
        return None

    def _deliver(self, batch: list[claims.Claimed], sender: Gateway, worker: str) -> None:
        key = getattr(sender, "text_key", "sms")
        messages = [
            Message(c.id, c.address, texts.body_for(c.revision_id, c.locale, c.body, key)) for c in batch
        ]
        if sender.name in routing.SMS_ROUTES:
            # The route decides the signature: a failed-over message is signed by its new route.
            signatures = Signatures.from_config(current_app.config)
            messages = [
                Message(m.delivery_id, m.address, signatures.outgoing(m.body, sender.name, c.locale))
                for m, c in zip(messages, batch, strict=True)
            ]
        limiter = self.limiters.get(sender.name)
        if limiter is not None:
            unit = self.settings.rates.get(sender.name, (0, "messages"))[1]
            cost = (
                sum(sms_segments.count(m.body).segments for m in messages)
                if unit == "segments"
                else len(messages)
            )
            limiter.acquire(cost)
        breaker = self.breakers[sender.name]
        try:
            outcome = sender.send(messages)
        except GatewayUnavailable as exc:
            breaker.failure(str(exc))
            outcome = [
                Result(
                    m.delivery_id, "transient", code=exc.code or "unavailable", reason=f"{sender.name}: {exc}"
                )
                for m in messages
            ]
        except Exception as exc:  # a bug in a gateway client must not lose the batch
            log.exception("gateway %s raised", sender.name)
            breaker.failure(repr(exc))
            outcome = [
                Result(m.delivery_id, "transient", code="client_error", reason=f"{sender.name}: {exc!r}")
                for m in messages
            ]
        else:
            breaker.success()
        answered = {r.delivery_id for r in outcome}
        outcome += [
            Result(
                m.delivery_id,
                "transient",
                code="no_result",
                reason=f"{sender.name} gave no result for this message",
            )
            for m in messages
            if m.delivery_id not in answered
        ]
        results.apply(
            outcome,
            attempts={c.id: c.attempts for c in batch},
            sender=sender.name,
            worker=worker,
            now=clock.now(),
            policy=self.settings.retry,
            delivered=getattr(sender, "confirms_delivery", False),
        )

    def _record(self, gateway: str, event: str, detail: str) -> None:
        log.warning("gateway %s: %s (%s)", gateway, event, detail)
        with db.engine.begin() as conn:
            conn.execute(
                insert(GatewayEvent.__table__).values(
                    gateway=gateway, event=event, detail=detail, worker=worker_id(), at=clock.now()
                )
            )
