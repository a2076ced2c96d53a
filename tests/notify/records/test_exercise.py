"""Exercise mode: the same approval and dispatch, only the test group, every text marked
【演练】, nothing on the public site, and the drill forms filled from the record."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta

from freezegun import freeze_time
from sqlalchemy import select

from notify.audience import audience_size
from notify.extensions import db
from notify.lifecycle.proposals import propose_issue
from notify.models import Delivery
from notify.records import drills, exports, forms
from notify.revision_steps import take
from tests.conftest import proposal, take_to

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def exercise(kind, levels, users):
    with freeze_time(T0):
        drill = propose_issue(kind, proposal(levels["orange"]), users["office"], exercise=True)
        db.session.commit()
        take_to(drill, "approved", users)
    with freeze_time(T0 + timedelta(minutes=40)):
        take(drill, "publish", users["office"])
        db.session.commit()
    return drill


def test_an_exercise_reaches_only_the_test_group_marked(
    sample_recipients, sample_kind, sample_levels, sample_users
):
    drill = exercise(sample_kind, sample_levels, sample_users)
    assert drill.warning.is_exercise and drill.state == "published"
    addresses = sorted(db.session.scalars(select(Delivery.address).where(Delivery.revision_id == drill.id)))
    assert addresses == ["+8613903539001", "+8613903539002"]
    content = drill.snapshot.content
    assert content["exercise"] is True
    # The gateway puts the signature in front (【盂县应急指挥部】【演练】…): the text carries none.
    assert (
        content["texts"]["sms"]["zh"].startswith("【演练】")
        and "应急指挥部" not in content["texts"]["sms"]["zh"]
    )
    assert content["texts"]["sms"]["en"].startswith("[EXERCISE] ")
    assert all(
        text.startswith(("【演练】", "[EXERCISE]"))
        for by_lang in content["texts"].values()
        for text in by_lang.values()
    )


def test_a_real_warning_never_reaches_the_test_group(sample_recipients, sample_published):
    addresses = set(
        db.session.scalars(select(Delivery.address).where(Delivery.revision_id == sample_published.id))
    )
    assert addresses and not addresses & {"+8613903539001", "+8613903539002"}
    assert sample_published.snapshot.content["exercise"] is False
    assert not sample_published.snapshot.content["texts"]["sms"]["zh"].startswith("【演练】")
    assert audience_size(sample_published) == sample_recipients - 2


def test_the_public_site_shows_no_exercise(
    client, sample_recipients, sample_kind, sample_levels, sample_users
):
    drill = exercise(sample_kind, sample_levels, sample_users)
    reference = drill.warning.reference
    for path in ("/", "/history"):
        page = client.get(path)
        assert page.status_code == 200 and reference not in page.get_data(as_text=True)
    assert client.get(f"/warnings/{reference}").status_code == 404


def test_drill_record_and_evaluation_come_from_the_record(
    sample_recipients, sample_kind, sample_levels, sample_users, tmp_path
):
    drill = exercise(sample_kind, sample_levels, sample_users)
    warning = drill.warning
    now = T0 + timedelta(hours=1)
    record = drills.drill_record(warning, "盂县重污染天气应急指挥部办公室", now=now)
    assert record.commander == sample_users["deputy"].display_name
    assert sample_users["office"].display_name in record.participants
    assert "演练测试组接收短信2条" in record.participants
    assert record.assessment["suitability"] == "all" and record.assessment["coordination"] == "efficient"
    facts = drills.facts(warning, now)
    assert (facts.sent, facts.deadlines_late) == (2, 0)
    assert drills.span_text(warning, now) == "2026年11月23日 09:00–09:40"
    evaluation = drills.evaluation(warning, "盂县重污染天气应急指挥部办公室", now=now)
    assert "橙色预警（Ⅱ级响应）" in evaluation.content and "演练短信2条" in evaluation.content
    pdf = exports.pdf(forms.drill_form(record, warning, now))
    path = tmp_path / "drill.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    ).stdout.decode()
    assert "盂县重污染天气应急演练记录表" in text and "■全部能够执行" in text.replace(" ", "")
    subprocess.run(
        ["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(path), str(tmp_path / "p")], check=True
    )
    from PIL import Image

    [png] = tmp_path.glob("p*.png")
    grey = Image.open(png).convert("L")
    assert sum(grey.histogram()[:128]) > 1500
    evaluation_pdf = exports.pdf(forms.evaluation_form(evaluation, warning, now))
    path.write_bytes(evaluation_pdf)
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    ).stdout.decode()
    assert "应急效果评估表" in text and "评估内容" in text
