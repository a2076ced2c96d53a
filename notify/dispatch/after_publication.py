"""Rows a publication leaves for the executors to write after its commit.

The publish transaction writes a bounded amount (notify.publication); what grows with an
audience is written afterwards, in chunks, by whoever runs Dispatcher.run_once. The public
audience's plans (notify.dispatch.plans) are dispatch's own; a domain package that has such rows
of its own (the enterprises' duty notices) gives a Writer here, and the app factory registers it,
so that this package needs no import of the packages above it.

A Writer's write_next(worker, now) writes one chunk in its own transaction and returns how many
rows it took (0: nothing to do); pending() counts what is left, so that an executor polling for
outstanding work (the Celery chain, claims.outstanding) does not stop while rows are unwritten.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from notify.extensions import db

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Writer:
    name: str
    write_next: Callable[[str, datetime], int]
    pending: Callable[[], int]


_writers: dict[str, Writer] = {}


def register(writer: Writer) -> None:
    """Add (or, by its name, replace) a writer: every app the process builds registers the same."""
    _writers[writer.name] = writer


def registered() -> tuple[Writer, ...]:
    return tuple(_writers.values())


def write_next(worker: str, now: datetime) -> int:
    """One chunk of each registered writer; the rows they took.

    A writer that fails is logged and skipped for this round: the deliveries already written,
    red warnings among them, must still go out."""
    taken = 0
    for writer in registered():
        try:
            taken += writer.write_next(worker, now)
        except Exception:
            log.exception("writing %s after publication failed; trying again next round", writer.name)
            db.session.rollback()
    return taken


def pending() -> int:
    """Rows the registered writers still have to write."""
    return sum(writer.pending() for writer in registered())
