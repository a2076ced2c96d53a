"""The JSON document partner webhooks receive: the revision's frozen snapshot, as approved.

Built from the snapshot only (like every channel), with the same bytes on every retry, so a
partner that de-duplicates on `X-Notify-Delivery` or on `id` sees one document per revision.
"""
from __future__ import annotations

import json
from typing import Any

SCHEMA = "county-warning/revision/1"
EVENTS = {"issue": "warning.issued", "upgrade": "warning.updated", "downgrade": "warning.updated",
          "extend": "warning.updated", "lift": "warning.lifted"}


def document(revision_id: int, content: dict[str, Any]) -> dict[str, Any]:
    revision = content.get("revision", {})
    texts = content.get("texts", {})
    return {
        "schema": SCHEMA,
        "event": EVENTS.get(revision.get("action"), "warning.updated"),
        "id": f"{content['warning']['reference']}#{revision.get('sequence')}",
        "exercise": bool(content["warning"].get("is_exercise")),
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


def json_document(revision_id: int, content: dict[str, Any]) -> str:
    return json.dumps(document(revision_id, content), ensure_ascii=False, sort_keys=True)
