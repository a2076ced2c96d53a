"""The documents partner webhooks receive: the revision's frozen snapshot as JSON, and its CAP 1.2.

Built from the snapshot only (like every channel), with the same bytes on every retry, so a
partner that de-duplicates on `X-Notify-Delivery` or on `id` sees one document per revision.
The JSON carries the CAP XML in `cap_xml`; the sender keeps or drops it, or sends the XML
alone, as each webhook's formats say (notify.channels.partner_webhook).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from notify.cap.document import cap_xml
from notify.extensions import db
from notify.models import Revision

log = logging.getLogger(__name__)

SCHEMA = "county-warning/revision/1"
EVENTS = {
    "issue": "warning.issued",
    "upgrade": "warning.updated",
    "downgrade": "warning.updated",
    "extend": "warning.updated",
    "lift": "warning.lifted",
}


def document(revision_id: int, content: dict[str, Any]) -> dict[str, Any]:
    revision = content.get("revision", {})
    texts = content.get("texts", {})
    return {
        "schema": SCHEMA,
        "event": EVENTS.get(revision.get("action"), "warning.updated"),
        "id": f"{content['warning']['reference']}#{revision.get('sequence')}",
        "exercise": bool(content.get("exercise")),
        "warning": content["warning"],
        "revision": revision,
        "jurisdiction": content["jurisdiction"],
        "kind": content["kind"],
        "level": content["level"],
        "headline": content["headline"],
        "area": content["area"],
        "content": content["content"],
        "advisories": content.get("advisories", {}),
        "approved_at": content.get("approved", {}).get("at"),
        "text": texts.get("sms", {}),
    }


def cap_document(revision_id: int) -> str | None:
    """The revision's CAP 1.2 XML (notify.cap), or None if it cannot be made: JSON still goes."""
    try:
        revision = db.session.get(Revision, revision_id)
        if revision is None:
            raise LookupError(f"revision {revision_id} does not exist")
        xml = cap_xml(revision).decode()
        db.session.commit()  # cap_xml may assign the identifier of a revision published before CAP
        return xml
    except Exception:
        db.session.rollback()
        log.exception("no CAP document for revision %s; partners get JSON only", revision_id)
        return None


def json_document(revision_id: int, content: dict[str, Any]) -> str:
    doc = document(revision_id, content)
    cap = cap_document(revision_id)
    if cap is not None:
        doc["cap_xml"] = cap
    return json.dumps(doc, ensure_ascii=False, sort_keys=True)
