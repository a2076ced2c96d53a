"""Property: whatever is sent to the submit and status endpoints, the answer is never a 5xx."""

from __future__ import annotations

import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notify.tipoffs import timetrap
from tests.notify.tipoffs.fixtures import jpeg, png

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

text = st.one_of(
    st.text(max_size=300),
    st.sampled_from(
        [
            "",
            " ",
            "0",
            "-1",
            "1e309",
            "NaN",
            "<script>",
            "JB-20261123-0001",
            "13800000000",
            "real_name",
            "anonymous",
            "dust",
            "\x00",
            "'; DROP TABLE tipoffs;--",
        ]
    ),
)
photo = st.one_of(
    st.binary(max_size=2000),
    st.just(jpeg(size=(40, 30))),
    st.just(png(size=(20, 20))),
    st.binary(max_size=200).map(lambda b: b"\xff\xd8\xff" + b),
    st.binary(max_size=200).map(lambda b: b"\x89PNG\r\n\x1a\n" + b),
    st.binary(max_size=200).map(lambda b: b"RIFF\x00\x00\x00\x00WEBP" + b),
)
FIELDS = [
    "category",
    "description",
    "township",
    "address",
    "latitude",
    "longitude",
    "identity",
    "name",
    "phone",
    "captcha",
    "started",
    "website",
]


@SETTINGS
@given(
    fields=st.dictionaries(st.sampled_from(FIELDS), text),
    photos=st.lists(photo, max_size=4),
    solve=st.booleans(),
    valid_trap=st.booleans(),
)
def test_submit_never_fails_with_a_5xx(
    app, client, sample_tipoff_env, sample_jurisdiction, monkeypatch, fields, photos, solve, valid_trap
):
    monkeypatch.setitem(app.config, "TIPOFF_LIMIT_PER_IP", "100000 per hour")
    monkeypatch.setitem(app.config, "TIPOFF_LIMIT_PER_PHONE", "100000 per hour")
    data = dict(fields)
    if solve:
        client.get("/tipoffs/captcha.png")
        data.setdefault("captcha", sample_tipoff_env[-1])
    if valid_trap:
        data["started"] = timetrap.issue()
    data.setdefault("township", str(sample_jurisdiction.townships[0].id))
    data["photos"] = [(io.BytesIO(p), f"p{i}.jpg") for i, p in enumerate(photos)]
    response = client.post("/tipoffs/new", data=data, content_type="multipart/form-data")
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    assert response.status_code in (201, 400, 413, 429)


@SETTINGS
@given(ticket=text, code=text, path_number=text)
def test_status_never_fails_with_a_5xx(
    app, client, sample_tipoff_env, sample_jurisdiction, monkeypatch, ticket, code, path_number
):
    monkeypatch.setitem(app.config, "TIPOFF_LIMIT_STATUS_PER_IP", "100000 per hour")
    response = client.post("/tipoffs/status", data={"ticket": ticket, "code": code})
    assert response.status_code in (302, 400, 404)
    safe = path_number.replace("/", "").replace("?", "").replace("#", "").replace("%", "") or "x"
    response = client.get(f"/tipoffs/status/{safe}")
    assert response.status_code < 500
