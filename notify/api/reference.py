"""Who the token is, and the jurisdiction's alert kinds, levels and townships (the codes the
write endpoints take)."""

from __future__ import annotations

from flask import jsonify
from sqlalchemy import select

from notify.api import auth, bp, serialize
from notify.extensions import db
from notify.lifecycle import queries
from notify.models import Township


@bp.get("/me")
@auth.require("read")
def me():
    return jsonify(serialize.integration(auth.integration()))


@bp.get("/kinds")
@auth.require("read")
def kinds():
    return jsonify([serialize.kind(k) for k in queries.kinds(auth.jurisdiction_id())])


@bp.get("/townships")
@auth.require("read")
def townships():
    rows = db.session.scalars(
        select(Township).where(Township.jurisdiction_id == auth.jurisdiction_id()).order_by(Township.code)
    )
    return jsonify([serialize.township(t) for t in rows])
