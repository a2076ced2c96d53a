"""Short signed acknowledgement links: one per school and revision, at /a/<token>.

The signing is notify.ack_links's (shared with the enterprises' duty links, each with its own
salt); this module keeps the schools' names for it. A link lives as long as its revision is the
warning's current one and its episode has not ended, which only the database knows.
"""

from __future__ import annotations

from notify.ack_links import SCHOOL_NOTICE

SALT = SCHOOL_NOTICE.salt


def make(revision_id: int, school_id: int) -> str:
    return SCHOOL_NOTICE.make(revision_id, school_id)


def read(token: str) -> tuple[int, int] | None:
    """(revision_id, school_id) of an authentic token; None for anything else."""
    ids = SCHOOL_NOTICE.read(token)
    return (ids[0], ids[1]) if ids else None


def link(revision_id: int, school_id: int) -> str:
    return SCHOOL_NOTICE.link(revision_id, school_id)
