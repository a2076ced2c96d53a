"""JSON schemas of the API: request bodies (checked by notify.api.validation) and responses.

They are the `components.schemas` of the OpenAPI 3.1 document, so what the document promises
is what the views check and return. Request schemas are written inline (no $ref) because the
checker reads them directly.
"""

from __future__ import annotations

from notify.models import ADVISORY_BLOCKS, API_SCOPES

MAX_ID = 2_147_483_647
DATE_TIME = {"type": "string", "format": "date-time"}
DATE_TIME_OR_NULL = {"type": ["string", "null"], "format": "date-time"}
ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
VERSION = {
    "type": "integer",
    "minimum": 1,
    "maximum": MAX_ID,
    "description": "The revision's `version` as last read; a stale one is refused with 409 `stale`.",
}
CHANGE_ACTIONS = ["upgrade", "downgrade", "extend", "lift"]
REVISION_ACTIONS = ["issue", *CHANGE_ACTIONS]
REVISION_STATES = ["draft", "pending_approval", "returned", "approved", "published", "rejected"]
WARNING_STATUSES = ["proposed", "active", "lifted", "abandoned"]


def nullable(ref: str) -> dict:
    return {"anyOf": [{"$ref": f"#/components/schemas/{ref}"}, {"type": "null"}]}


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(properties: dict, required: list[str] | None = None, **extra) -> dict:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
        "additionalProperties": False,
        **extra,
    }


# ---- request bodies -------------------------------------------------------------------------

_PARAGRAPH = obj(
    {"zh": {"type": "string", "maxLength": 4000}, "en": {"type": "string", "maxLength": 4000}},
    required=["zh"],
)
ADVISORIES_IN = {
    "type": ["object", "null"],
    "additionalProperties": False,
    "properties": {
        block: {"type": "array", "maxItems": 50, "items": _PARAGRAPH} for block in ADVISORY_BLOCKS
    },
    "description": "Paragraphs per advisory block; null or absent takes the level's own advice.",
}

CONTENT_FIELDS = {
    "level": {
        "type": "string",
        "maxLength": 20,
        "description": "Level code of the warning's alert kind (see GET /kinds).",
    },
    "headline_zh": {"type": "string", "minLength": 1, "maxLength": 200},
    "headline_en": {"type": "string", "maxLength": 300},
    "area_scope": {"type": "string", "enum": ["county", "townships"]},
    "townships": {
        "type": "array",
        "maxItems": 100,
        "items": {"type": "string", "maxLength": 12},
        "description": "Township codes (GB/T 2260), when area_scope is townships.",
    },
    "trend": {"type": "string", "maxLength": 2000},
    "episode_start": DATE_TIME_OR_NULL,
    "episode_end": DATE_TIME_OR_NULL,
    "aqi_min": {"type": ["integer", "null"], "minimum": 0, "maximum": 2000},
    "aqi_max": {"type": ["integer", "null"], "minimum": 0, "maximum": 2000},
    "degree": {"type": "string", "maxLength": 50},
    "primary_pollutant": {"type": "string", "maxLength": 50},
    "response_start_at": DATE_TIME_OR_NULL,
    "advisories": ADVISORIES_IN,
    "consultation_id": {"type": ["integer", "null"], "minimum": 1, "maximum": MAX_ID},
}

CONFIRM_OVERLAP = {
    "type": "boolean",
    "description": "A warning of the same kind in force over an overlapping area refuses the "
    "draft with 409 `overlap` (the message names it) unless this is true.",
}
NEW_WARNING = obj(
    {
        "kind": {"type": "string", "maxLength": 40, "description": "Alert kind code (see GET /kinds)."},
        **CONTENT_FIELDS,
        "confirm_overlap": CONFIRM_OVERLAP,
    },
    required=["kind", "level", "headline_zh"],
    description="headline_en left out is the English headline of an issue at the level.",
)
NEW_REVISION = obj(
    {"action": {"type": "string", "enum": CHANGE_ACTIONS}, **CONTENT_FIELDS},
    required=["action"],
    description="Fields left out are taken from the current published revision "
    "(advice from the new level when the level changes), except the headlines, which are "
    "those of the action and level, and the consultation, which is none.",
)
EDIT_REVISION = obj(
    {"version": VERSION, **CONTENT_FIELDS, "confirm_overlap": CONFIRM_OVERLAP},
    required=["version"],
    description="Fields left out keep their value.",
)
SUBMIT = obj(
    {
        "version": VERSION,
        "basis": {"type": "string", "minLength": 1, "maxLength": 4000},
        "main_content": {"type": "string", "minLength": 1, "maxLength": 4000},
        "department_opinion": {"type": "string", "minLength": 1, "maxLength": 4000},
        "planned_publish_at": DATE_TIME_OR_NULL,
    },
    required=["version", "basis", "main_content", "department_opinion"],
    description="The office's half of the approval form (附件5).",
)
PUBLISH = obj({"version": VERSION})
WITHDRAW = obj(
    {"version": VERSION},
    description="Sends an approved revision back to pending approval (its audience changed since "
    "the approval, or it must be looked at again); the approval form is filed again unchanged.",
)
NEW_CONSULTATION = obj(
    {
        "source": {"type": "string", "enum": ["consultation", "city_notice"]},
        "concluded_at": DATE_TIME,
        "conclusion": {"type": "string", "minLength": 1, "maxLength": 4000},
        "reporter": {"type": "string", "minLength": 1, "maxLength": 100},
        "reviewer": {"type": "string", "maxLength": 100},
        "expert_opinion": {"type": "string", "maxLength": 4000},
        "forecast_daily_aqi": {
            "type": ["array", "null"],
            "maxItems": 30,
            "items": {"type": "integer", "minimum": 0, "maximum": 9999},
        },
    },
    required=["concluded_at", "conclusion", "reporter"],
)

# ---- responses ------------------------------------------------------------------------------

_STR = {"type": "string"}
_STR_OR_NULL = {"type": ["string", "null"]}
_INT = {"type": "integer"}
_COUNTS = {"type": "object", "additionalProperties": {"type": "integer"}}

RESPONSES = {
    "Error": obj(
        {
            "error": obj(
                {
                    "code": _STR,
                    "message": _STR,
                    "fields": {
                        "type": "object",
                        "additionalProperties": _STR,
                        "description": "Message per offending field (dotted path), if any.",
                    },
                }
            )
        }
    ),
    "Page": obj({"page": _INT, "per_page": _INT, "total": _INT}),
    "UserRef": obj({"username": _STR, "display_name": _STR, "role": _STR}),
    "LevelRef": obj({"code": _STR, "rank": _INT, "name_zh": _STR, "name_en": _STR, "colour": _STR}),
    "Level": obj(
        {
            "code": _STR,
            "rank": _INT,
            "name_zh": _STR,
            "name_en": _STR,
            "numeral": _STR,
            "colour": _STR,
            "response_level_zh": _STR,
            "response_level_en": _STR,
            "approver_role": _STR,
            "cap_severity": _STR,
        }
    ),
    "Kind": obj(
        {
            "code": _STR,
            "name_zh": _STR,
            "name_en": _STR,
            "graded": {"type": "boolean"},
            "levels": {"type": "array", "items": ref("Level")},
        }
    ),
    "Township": obj({"code": _STR, "name_zh": _STR, "name_en": _STR}),
    "Integration": obj(
        {
            "name": _STR,
            "scopes": {"type": "array", "items": {"enum": list(API_SCOPES)}},
            "acting_user": nullable("UserRef"),
        }
    ),
    "Consultation": obj(
        {
            "id": _INT,
            "source": _STR,
            "concluded_at": DATE_TIME,
            "conclusion": _STR,
            "reporter": _STR,
            "reviewer": _STR,
            "expert_opinion": _STR,
            "forecast_daily_aqi": {"type": ["array", "null"], "items": _INT},
            "created_at": DATE_TIME,
            "created_by": ref("UserRef"),
        }
    ),
    "RevisionSummary": obj(
        {
            "id": _INT,
            "warning_id": _INT,
            "warning_reference": _STR,
            "sequence": _INT,
            "action": {"type": "string", "enum": REVISION_ACTIONS},
            "state": {"type": "string", "enum": REVISION_STATES},
            "level": ref("LevelRef"),
            "headline_zh": _STR,
            "headline_en": _STR,
            "supersedes_id": {"type": ["integer", "null"]},
            "version": _INT,
            "created_at": DATE_TIME,
            "submitted_at": DATE_TIME_OR_NULL,
            "decided_at": DATE_TIME_OR_NULL,
            "published_at": DATE_TIME_OR_NULL,
        }
    ),
    "ApprovalForm": obj(
        {
            "level_label": _STR,
            "planned_publish_at": DATE_TIME_OR_NULL,
            "basis": _STR,
            "main_content": _STR,
            "department_opinion": _STR,
            "filed_by": ref("UserRef"),
            "filed_at": DATE_TIME,
            "decision": {"type": ["string", "null"], "enum": ["approved", "returned", "rejected", None]},
            "leader_opinion": _STR,
            "decided_by": nullable("UserRef"),
            "decided_at": DATE_TIME_OR_NULL,
            "audience_size_confirmed": {"type": ["integer", "null"]},
        }
    ),
    "Snapshot": obj(
        {
            "digest": _STR,
            "frozen_at": DATE_TIME,
            "content": {
                "type": "object",
                "description": "The exact content approved, "
                "from which every channel renders (texts per channel included).",
            },
        }
    ),
}
_REVISION_DETAIL = {
    **RESPONSES["RevisionSummary"]["properties"],
    "area_scope": {"type": "string", "enum": ["county", "townships"]},
    "townships": {"type": "array", "items": ref("Township")},
    "trend": _STR,
    "episode_start": DATE_TIME_OR_NULL,
    "episode_end": DATE_TIME_OR_NULL,
    "aqi_min": {"type": ["integer", "null"]},
    "aqi_max": {"type": ["integer", "null"]},
    "degree": _STR,
    "primary_pollutant": _STR,
    "response_start_at": DATE_TIME_OR_NULL,
    "advisories": {
        "type": "object",
        "additionalProperties": {"type": "array", "items": {"type": "object", "additionalProperties": _STR}},
    },
    "consultation_id": {"type": ["integer", "null"]},
    "author": {
        **nullable("UserRef"),
        "description": "Console users are given to tokens with read_drafts or draft only.",
    },
    "submitted_by": nullable("UserRef"),
    "decided_by": nullable("UserRef"),
    "published_by": nullable("UserRef"),
    "approval_form": {
        **nullable("ApprovalForm"),
        "description": "The approval form (附件5) with the leaders' opinions; null without "
        "read_drafts or draft.",
    },
    "audience_size": {
        "type": "integer",
        "description": "Recipients it reaches: counted now until "
        "approval, as frozen in the snapshot after it. Approving needs this number.",
    },
    "snapshot": nullable("Snapshot"),
}
RESPONSES["Revision"] = obj(_REVISION_DETAIL)
_WARNING_SUMMARY = {
    "id": _INT,
    "reference": _STR,
    "kind": _STR,
    "status": {"type": "string", "enum": WARNING_STATUSES},
    "is_exercise": {"type": "boolean"},
    "created_at": DATE_TIME,
    "current": nullable("RevisionSummary"),
    "open_proposal": nullable("RevisionSummary"),
}
RESPONSES["WarningSummary"] = obj(_WARNING_SUMMARY)
RESPONSES["Warning"] = obj(
    {**_WARNING_SUMMARY, "revisions": {"type": "array", "items": ref("RevisionSummary")}}
)
RESPONSES["DeliverySummary"] = obj(
    {
        "revision_id": _INT,
        "total": _INT,
        "final": _INT,
        "done": {"type": "boolean"},
        # The large audience's deliveries are written after publication, in chunks: until
        # `expanding` is false, `total` is not yet the whole audience.
        "expansion": obj({"expanding": {"type": "boolean"}, "percent": {"type": "number"}, "written": _INT}),
        "by_status": _COUNTS,
        "by_channel": {"type": "object", "additionalProperties": _COUNTS},
        "by_gateway": {"type": "object", "additionalProperties": _COUNTS},
        "first_at": DATE_TIME_OR_NULL,
        "last_at": DATE_TIME_OR_NULL,
    }
)
for _name, _item in (
    ("WarningPage", "WarningSummary"),
    ("RevisionPage", "RevisionSummary"),
    ("ConsultationPage", "Consultation"),
):
    RESPONSES[_name] = obj(
        {"items": {"type": "array", "items": ref(_item)}, "page": _INT, "per_page": _INT, "total": _INT}
    )
del RESPONSES["Page"]

# Shown in the document and tried first by schemathesis: what a real client sends.
EXAMPLES = {
    "NewWarning": {
        "kind": "heavy_pollution",
        "level": "yellow",
        "headline_zh": "盂县发布重污染天气黄色预警",
        "headline_en": "Yu County issues a yellow heavy-pollution warning",
        "aqi_min": 160,
        "aqi_max": 240,
        "primary_pollutant": "PM2.5",
        "episode_start": "2026-11-23T08:00:00+08:00",
        "episode_end": "2026-11-25T08:00:00+08:00",
    },
    "NewRevision": {"action": "upgrade", "level": "orange", "headline_zh": "盂县重污染天气预警升级为橙色"},
    "EditRevision": {"version": 1, "aqi_max": 260},
    "Submit": {
        "version": 1,
        "basis": "会商结论：预计日AQI>150持续48小时",
        "main_content": "发布黄色预警",
        "department_opinion": "同意，请审批",
    },
    "Publish": {"version": 3},
    "Withdraw": {"version": 3},
    "NewConsultation": {
        "source": "consultation",
        "concluded_at": "2026-11-23T07:30:00+08:00",
        "conclusion": "预计未来48小时扩散条件不利",
        "reporter": "县环境监测站",
        "forecast_daily_aqi": [165, 185, 140],
    },
}
REQUESTS = {
    "NewWarning": NEW_WARNING,
    "NewRevision": NEW_REVISION,
    "EditRevision": EDIT_REVISION,
    "Submit": SUBMIT,
    "Publish": PUBLISH,
    "Withdraw": WITHDRAW,
    "NewConsultation": NEW_CONSULTATION,
}
for _name, _example in EXAMPLES.items():
    REQUESTS[_name]["examples"] = [_example]
