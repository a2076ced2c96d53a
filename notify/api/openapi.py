"""The OpenAPI 3.1 document of the API, built from the same schemas and parameter tables the
views check against. tests/notify/api/test_openapi.py keeps it and the routes in step."""

from __future__ import annotations

from notify.api import schemas
from notify.api.common import PAGE_PARAMS
from notify.api.revisions import LIST_PARAMS as REVISION_FILTERS
from notify.api.schemas import ref
from notify.api.warnings import LIST_PARAMS as WARNING_FILTERS

READ_NOTE = (
    "With `read` alone only published revisions (and warnings that have one) are listed and "
    "shown, without approval forms or console users; `read_drafts` (or `draft`) shows everything."
)
DRAFTS_NOTE = "The office's working records: `read` alone does not see them (`draft` also does)."
TITLE = "County warning platform API"
VERSION = "1.0.0"

ERRORS = {
    400: "Bad input: malformed JSON, a wrong type, an unknown code, a missing field (see `fields`).",
    401: "No token, or an unknown, revoked or switched-off one.",
    403: "The integration lacks the scope (`missing_scope`), its acting user has not confirmed it "
    "yet (`awaiting_consent`), or the acting user's role may not do this (`not_permitted`).",
    404: "No such resource in this integration's jurisdiction (or, with `read` alone, not published).",
    409: "The resource's state does not allow this (`wrong_state`), the `version` is stale "
    "(`stale`), the audience changed since the approval (`audience_changed`), or a warning of "
    "the same kind is in force over an overlapping area (`overlap`: send `confirm_overlap`).",
    415: "The body is not sent as application/json.",
}


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": ref("Error")}}}


def _json(schema: dict, description: str = "OK") -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _params(table: dict, where: str = "query") -> list[dict]:
    return [
        {"name": name, "in": where, "required": where == "path", "schema": schema}
        for name, schema in table.items()
    ]


def _path_id(name: str) -> dict:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "integer", "minimum": 1, "maximum": schemas.MAX_ID},
    }


def operation(
    op_id: str,
    summary: str,
    *,
    scope: str,
    ok: dict,
    ok_status: int = 200,
    params: list | None = None,
    body: str | None = None,
    errors: tuple = (),
    tags: tuple = (),
    note: str = "",
) -> dict:
    op: dict = {
        "operationId": op_id,
        "summary": summary,
        "tags": list(tags),
        "description": f"Needs the `{scope}` scope." + (f" {note}" if note else ""),
        "parameters": params or [],
        "responses": {str(ok_status): ok},
    }
    if body:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": ref(body)}}}
    for status in sorted({401, 403, *errors} | ({400, 415} if body else set())):
        op["responses"][str(status)] = _error(ERRORS[status])
    if ok_status == 201:
        op["responses"]["201"]["headers"] = {
            "Location": {"description": "Address of the new resource.", "schema": {"type": "string"}}
        }
    return op


def document() -> dict:
    warning_id, revision_id = _path_id("warning_id"), _path_id("revision_id")
    revision_ok = _json(ref("Revision"), "The revision as it now is.")
    created = _json(ref("Revision"), "The new draft revision.")

    def transition(name: str, summary: str, scope: str, body: str, note: str = "") -> dict:
        return {
            "post": operation(
                f"{name}Revision",
                summary,
                scope=scope,
                ok=revision_ok,
                params=[revision_id],
                body=body,
                errors=(404, 409),
                tags=("revisions",),
                note=note,
            )
        }

    def refused(name: str, summary: str) -> dict:
        return {
            "post": {
                "operationId": f"{name}Revision",
                "summary": summary,
                "tags": ["revisions"],
                "deprecated": True,
                "description": "Always refused with 403 `decision_in_console`, whatever the token's "
                "scopes: approving, returning and rejecting are decided by the approver, logged "
                "in to the console, never through an integration.",
                "parameters": [revision_id],
                "responses": {
                    "401": _error(ERRORS[401]),
                    "403": _error("Refused: decisions are taken in the console (`decision_in_console`)."),
                    "404": _error(ERRORS[404]),
                },
            }
        }

    paths = {
        "/me": {
            "get": operation(
                "getMe",
                "The integration this token belongs to",
                scope="read",
                ok=_json(ref("Integration")),
                tags=("reference",),
            )
        },
        "/kinds": {
            "get": operation(
                "listKinds",
                "Alert kinds and their levels",
                scope="read",
                ok=_json({"type": "array", "items": ref("Kind")}),
                tags=("reference",),
            )
        },
        "/townships": {
            "get": operation(
                "listTownships",
                "Townships of the jurisdiction",
                scope="read",
                ok=_json({"type": "array", "items": ref("Township")}),
                tags=("reference",),
            )
        },
        "/consultations": {
            "get": operation(
                "listConsultations",
                "Consultation records, newest first",
                scope="read_drafts",
                note=DRAFTS_NOTE,
                ok=_json(ref("ConsultationPage")),
                params=_params(PAGE_PARAMS),
                errors=(400,),
                tags=("consultations",),
            ),
            "post": operation(
                "createConsultation",
                "Record a consultation or a city notice",
                scope="draft",
                ok=_json(ref("Consultation"), "Recorded."),
                ok_status=201,
                body="NewConsultation",
                tags=("consultations",),
            ),
        },
        "/consultations/{consultation_id}": {
            "get": operation(
                "getConsultation",
                "One consultation record",
                scope="read_drafts",
                note=DRAFTS_NOTE,
                ok=_json(ref("Consultation")),
                params=[_path_id("consultation_id")],
                errors=(404,),
                tags=("consultations",),
            )
        },
        "/warnings": {
            "get": operation(
                "listWarnings",
                "Warnings, newest first",
                scope="read",
                note=READ_NOTE,
                ok=_json(ref("WarningPage")),
                params=_params(WARNING_FILTERS),
                errors=(400,),
                tags=("warnings",),
            ),
            "post": operation(
                "createWarning",
                "Draft a new warning (its first revision: issue)",
                scope="draft",
                ok=created,
                ok_status=201,
                body="NewWarning",
                errors=(409,),
                tags=("warnings",),
            ),
        },
        "/warnings/{warning_id}": {
            "get": operation(
                "getWarning",
                "A warning with its revisions",
                scope="read",
                note=READ_NOTE,
                ok=_json(ref("Warning")),
                params=[warning_id],
                errors=(404,),
                tags=("warnings",),
            )
        },
        "/warnings/{warning_id}/revisions": {
            "post": operation(
                "proposeChange",
                "Draft an upgrade, downgrade, extension or lifting",
                scope="draft",
                ok=created,
                ok_status=201,
                params=[warning_id],
                body="NewRevision",
                errors=(404, 409),
                tags=("warnings",),
            )
        },
        "/revisions": {
            "get": operation(
                "listRevisions",
                "Revisions, newest first",
                scope="read",
                note=READ_NOTE,
                ok=_json(ref("RevisionPage")),
                params=_params(REVISION_FILTERS),
                errors=(400,),
                tags=("revisions",),
            )
        },
        "/revisions/{revision_id}": {
            "get": operation(
                "getRevision",
                "A revision with its approval form and frozen snapshot",
                scope="read",
                note=READ_NOTE,
                ok=revision_ok,
                params=[revision_id],
                errors=(404,),
                tags=("revisions",),
            ),
            "patch": operation(
                "editRevision",
                "Edit a draft or returned revision",
                scope="draft",
                ok=revision_ok,
                params=[revision_id],
                body="EditRevision",
                errors=(404, 409),
                tags=("revisions",),
            ),
        },
        "/revisions/{revision_id}/submit": transition(
            "submit", "Submit for approval with the approval form", "draft", "Submit"
        ),
        "/revisions/{revision_id}/approve": refused("approve", "Approve (never through the API)"),
        "/revisions/{revision_id}/return": refused("return", "Return (never through the API)"),
        "/revisions/{revision_id}/reject": refused("reject", "Reject (never through the API)"),
        "/revisions/{revision_id}/publish": transition(
            "publish",
            "Publish an approved revision (writes its deliveries)",
            "publish",
            "Publish",
            note="Refused with 409 `audience_changed` when the recipients of a staff-managed group "
            "or the audience rules changed since the approval, or an open group (subscribers) "
            "drifted beyond the tolerance: the message says what changed; withdraw the revision "
            "for a new approval.",
        ),
        "/revisions/{revision_id}/withdraw": transition(
            "withdraw", "Send an approved revision back for a new approval", "draft", "Withdraw"
        ),
        "/revisions/{revision_id}/deliveries": {
            "get": operation(
                "getDeliverySummary",
                "Delivery counts per status, channel and gateway",
                scope="read",
                ok=_json(ref("DeliverySummary")),
                params=[revision_id],
                errors=(404,),
                tags=("revisions",),
            )
        },
        "/revisions/{revision_id}/cap": {
            "get": operation(
                "getCapDocument",
                "The CAP 1.2 document of a published revision",
                scope="read",
                params=[revision_id],
                errors=(404, 409),
                ok={
                    "description": "CAP 1.2 XML.",
                    "content": {"application/cap+xml": {"schema": {"type": "string"}}},
                },
                tags=("revisions",),
            )
        },
        "/openapi.json": {
            "get": {
                "operationId": "getOpenApi",
                "summary": "This document",
                "tags": ["reference"],
                "security": [],
                "parameters": [],
                "responses": {"200": _json({"type": "object"}, "The OpenAPI document.")},
            }
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": TITLE,
            "version": VERSION,
            "description": (
                "Read warnings, revisions, CAP documents and delivery summaries; draft, submit "
                "and publish through the same lifecycle rules as the console.\n\n"
                "Authenticate with `Authorization: Bearer <token>`; an administrator creates the "
                "integration and its token in the console (*Integrations*). Scopes: `read` "
                "(published warnings and revisions, CAP, deliveries, reference data), "
                "`read_drafts` (also drafts, pending and approved proposals, approval forms, "
                "consultations and console users), `draft` (consultations, drafts, submission; "
                "implies `read_drafts`), `publish`. Writes act as the integration's acting user, "
                "whose role the lifecycle checks; the integration works only once that user, "
                "logged in to the console, has confirmed it (403 `awaiting_consent` until then), "
                "and every action through it is recorded as done via the integration. Approving, "
                "returning and rejecting are never done through the API. Every state change "
                "carries the revision's `version` as last read; a stale one is refused with 409. "
                'Errors are `{"error": {"code", "message", "fields"}}`. Times are ISO 8601 with '
                "their offset."
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearerAuth": []}],
        "tags": [{"name": n} for n in ("warnings", "revisions", "consultations", "reference")],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A token issued in the console.",
                }
            },
            "schemas": {**schemas.REQUESTS, **schemas.RESPONSES},
        },
    }
