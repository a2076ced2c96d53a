"""Schemathesis over every operation of the OpenAPI document, against the app itself (WSGI) with
valid tokens and a database holding a published warning, a pending proposal and a consultation:
no 5xx, and every response conforms to the document (status, content type, schema)."""

from __future__ import annotations

# Instants are passed explicitly; everything else runs on the suite's frozen scene clock
# (tests/scene_clock.py), so the fixed dates hold on any day.
import contextvars
from datetime import UTC, datetime

import pytest
import schemathesis
from flask import has_app_context
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

from notify.api.openapi import document
from notify.extensions import db
from notify.lifecycle.proposals import propose_issue
from notify.models import Revision, Township
from tests.conftest import proposal, take_to

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def isolated(app):
    """Each request in a context of its own, as in production (see tests.conftest.IsolatedClient)."""

    def wsgi(environ, start_response):
        return contextvars.Context().run(lambda: list(app(environ, start_response)))

    return wsgi


# The document as the app serves it (tests/notify/api/test_openapi.py checks that it is).
schema = schemathesis.openapi.from_dict(document())

# Random text seldom names a real level or township, and random ids seldom hit a row; mix the
# seeded ones in, so that drafts, edits and decisions also get as far as the database.
KINDS, LEVELS = ["heavy_pollution"], ["yellow", "orange", "red"]
DATES = st.datetimes(datetime(2025, 1, 1), datetime(2027, 12, 31), timezones=st.just(UTC)).map(
    lambda d: d.isoformat()
)


def _ours(original, known: st.SearchStrategy) -> st.SearchStrategy:
    # Three in four take a seeded value; the rest keep what schemathesis generated.
    return st.integers(0, 3).flatmap(lambda n: known if n else st.just(original))


def _seeded(query, fallback: list) -> st.SearchStrategy:
    """Values from the test's database, looked up when drawn (examples are also drawn when the
    tests are collected, before any database exists: those keep the fallback)."""

    def draw():
        values = list(query()) if has_app_context() else []
        return st.sampled_from(values or fallback)

    return st.deferred(draw)


IDS = _seeded(lambda: db.session.scalars(select(Revision.id)), [1, 2, 3])
TOWNSHIPS = _seeded(lambda: db.session.scalars(select(Township.code).limit(6)), ["140322100"])


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    if not isinstance(path_parameters, dict):
        return st.just(path_parameters)
    return st.fixed_dictionaries(
        {k: _ours(v, IDS) if k.endswith("_id") else st.just(v) for k, v in path_parameters.items()}
    )


@schema.hook
def flatmap_body(context, body):
    if not isinstance(body, dict):
        return st.just(body)
    known = {
        "kind": st.sampled_from(KINDS),
        "level": st.sampled_from(LEVELS),
        "townships": st.lists(TOWNSHIPS, max_size=3),
        "consultation_id": st.sampled_from([1, 2]),
        "version": st.integers(1, 4),
        "episode_start": DATES,
        "episode_end": DATES,
        "response_start_at": DATES,
        "concluded_at": DATES,
        "planned_publish_at": DATES,
    }
    return st.fixed_dictionaries(
        {k: _ours(v, known[k]) if k in known else st.just(v) for k, v in body.items()}
    )


@pytest.fixture
def seeded(tokens, sample_recipients, sample_published, sample_users, sample_kind, sample_levels):
    from notify.lifecycle.consultations import ConsultationData, record_consultation

    record_consultation(
        sample_users["office"].jurisdiction_id,
        ConsultationData(
            concluded_at=datetime(2026, 11, 23, tzinfo=UTC), conclusion="会商结论", reporter="监测站"
        ),
        sample_users["office"],
    )
    pending = propose_issue(
        sample_kind,
        proposal(sample_levels["orange"], headline_zh="待审批"),
        sample_users["office"],
        confirm_overlap=True,
    )
    db.session.commit()
    take_to(pending, "pending_approval", sample_users)
    db.session.remove()
    return tokens


@schema.parametrize()
@settings(max_examples=50, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_api_conforms_and_never_fails(case, app, seeded):
    # Everything as the office's duty system; decisions are refused to every token alike.
    token = seeded["office"]
    case.call_and_validate(app=isolated(app), headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
