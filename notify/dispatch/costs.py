"""What a revision's audience costs in SMS parts, for the approver to read before approving.

Here rather than in notify.audience: it needs the SMS routing, and the audience must not import
the dispatch package, which builds on it.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import func, select

from notify.audience import audience_select
from notify.channels import sms_segments
from notify.channels.sms_signature import Signatures
from notify.dispatch import routing
from notify.extensions import db
from notify.models import Revision


def audience_segments(revision: Revision, texts: dict[str, str]) -> int:
    """Total SMS parts the audience will cost: per language's text as the phones show it, with
    the signature of the route each number takes."""
    sub = audience_select(revision).subquery()
    gateway = routing.gateway_sql(sub.c.address).label("gateway")
    rows = db.session.execute(
        select(sub.c.locale, gateway, func.count())
        .where(sub.c.channel == "sms")
        .group_by(sub.c.locale, gateway)
    ).all()
    signatures = Signatures.from_config(current_app.config)
    return sum(
        n
        * sms_segments.count(
            signatures.phone_text(texts.get(locale) or texts.get("zh", ""), route, locale)
        ).segments
        for locale, route, n in rows
    )
