"""The OpenAPI document at /api/v1/openapi.json and a page that reads it for people at /api/v1/docs.

Neither needs a token: the document says nothing that is not already in this repository.
"""

from __future__ import annotations

from flask import jsonify, render_template

from notify.api import bp, openapi


@bp.get("/openapi.json")
def openapi_json():
    return jsonify(openapi.document())


@bp.get("/docs")
def docs():
    doc = openapi.document()
    operations = [
        (method.upper(), path, op) for path, item in doc["paths"].items() for method, op in item.items()
    ]
    return render_template(
        "api/docs.html", doc=doc, operations=operations, schemas=doc["components"]["schemas"]
    )
