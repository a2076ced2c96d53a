"""The OpenAPI document describes exactly the API's routes, every $ref resolves, and the docs
page shows every operation."""

from __future__ import annotations

import re

from notify.api.openapi import document


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_document_and_routes_agree(app, client):
    served = client.get("/api/v1/openapi.json")
    assert served.status_code == 200
    doc = served.get_json()
    assert doc["openapi"].startswith("3.1") and doc["servers"] == [{"url": "/api/v1"}]
    documented = {(method.upper(), path) for path, item in doc["paths"].items() for method in item}
    routed = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api.") and rule.endpoint != "api.docs":
            path = re.sub(r"<(?:int:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
            routed |= {(m, path) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert documented == routed


def test_every_reference_resolves_and_every_operation_is_complete(app):
    with app.test_request_context():
        doc = document()
    schemas = doc["components"]["schemas"]
    for ref in _refs(doc):
        assert ref.startswith("#/components/schemas/") and ref.rsplit("/", 1)[1] in schemas, ref
    ids = set()
    for path, item in doc["paths"].items():
        for method, op in item.items():
            assert op["operationId"] not in ids
            ids.add(op["operationId"])
            params = {p["name"] for p in op["parameters"] if p["in"] == "path"}
            assert params == set(re.findall(r"{(\w+)}", path)), (method, path)
            if op.get("security") != []:
                assert {"401", "403"} <= set(op["responses"]), (method, path)
            if "requestBody" in op:
                assert {"400", "415"} <= set(op["responses"]), (method, path)


def test_docs_page_lists_every_operation(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    doc = client.get("/api/v1/openapi.json").get_json()
    for item in doc["paths"].values():
        for op in item.values():
            assert f'data-operation="{op["operationId"]}"' in html
    assert 'id="schema-NewWarning"' in html and "Authorization: Bearer" in html
