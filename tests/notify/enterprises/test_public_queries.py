"""The public grading list and notice board data: only active enterprises of the jurisdiction,
the measure in force only while its warning is, and tip-offs without anything of the reporter."""

from __future__ import annotations

import pytest

from notify.enterprises import public_queries as q
from notify.extensions import db
from notify.lifecycle.proposals import propose_change
from notify.models import Township
from tests.conftest import proposal, take_to
from tests.notify.enterprises.board_builders import (
    MEASURE_III,
    create_duty,
    create_named_tipoff,
    create_plan,
)
from tests.notify.enterprises.builders import create_enterprise, create_line


@pytest.fixture
def townships(sample_jurisdiction) -> list[Township]:
    return list(sample_jurisdiction.townships)


def _names(page: q.GradingPage) -> list[str]:
    return [e.name for e in page.enterprises]


def test_the_list_holds_active_enterprises_best_grade_first_with_counts(sample_jurisdiction, townships):
    create_enterprise(sample_jurisdiction, name="乙石灰有限公司", grade="C")
    create_enterprise(sample_jurisdiction, name="甲铸造有限公司", industry="foundry", grade="A")
    create_enterprise(sample_jurisdiction, name="丙水泥有限公司", industry="cement", grade="C")
    create_enterprise(sample_jurisdiction, name="已关停有限公司", grade="A", active=False)

    page = q.grading_list(sample_jurisdiction.id, q.ListFilter())

    assert _names(page)[0] == "甲铸造有限公司"
    assert set(_names(page)) == {"甲铸造有限公司", "乙石灰有限公司", "丙水泥有限公司"}
    assert page.total == 3 and page.pages == 1
    assert page.grade_counts == {"A": 1, "C": 2}


def test_search_by_part_of_a_name_or_a_credit_code_and_filters(sample_jurisdiction, townships):
    first, second = townships[0], townships[1]
    lime = create_enterprise(sample_jurisdiction, name="盂县晋龙石灰有限公司", township=first, grade="B")
    create_enterprise(sample_jurisdiction, name="盂县宏达铸造有限公司", township=second, industry="foundry")
    create_enterprise(
        sample_jurisdiction, name="盂县晋阳耐火材料有限公司", township=second, industry="refractory"
    )

    def names(**wanted):
        return set(_names(q.grading_list(sample_jurisdiction.id, q.ListFilter(**wanted))))

    assert names(search="晋") == {"盂县晋龙石灰有限公司", "盂县晋阳耐火材料有限公司"}
    assert names(search=lime.credit_code[-8:].lower()) == {"盂县晋龙石灰有限公司"}
    assert names(search="%") == set()  # a wildcard is a character, not a pattern
    assert names(township_id=second.id) == {"盂县宏达铸造有限公司", "盂县晋阳耐火材料有限公司"}
    assert names(industry="foundry") == {"盂县宏达铸造有限公司"}
    assert names(grade="B") == {"盂县晋龙石灰有限公司"}
    # The counts per grade follow the search and the other filters, not the grade one.
    page = q.grading_list(sample_jurisdiction.id, q.ListFilter(search="晋", grade="B"))
    assert page.total == 1 and page.grade_counts == {"B": 1, "C": 1}


def test_pages_of_the_list(sample_jurisdiction):
    for n in range(5):
        create_enterprise(sample_jurisdiction, name=f"企业{n}")
    first = q.grading_list(sample_jurisdiction.id, q.ListFilter(), page_size=2)
    last = q.grading_list(sample_jurisdiction.id, q.ListFilter(page=9), page_size=2)
    assert (first.total, first.pages, first.page, _names(first)) == (5, 3, 1, ["企业0", "企业1"])
    assert (last.page, _names(last)) == (3, ["企业4"])  # past the end: the last page


@pytest.mark.parametrize(
    "args, reason",
    [
        ({"q": "x" * 101}, "search"),
        ({"township": "abc"}, "township"),
        ({"township": "999999"}, "township"),
        ({"industry": "steel"}, "industry"),
        ({"grade": "Z"}, "grade"),
        ({"page": "two"}, "page"),
    ],
)
def test_a_filter_no_choice_gives_is_refused_with_its_name(sample_jurisdiction, args, reason):
    with pytest.raises(q.BadFilter) as refused:
        q.parse_filter(sample_jurisdiction.id, args)
    assert str(refused.value) == reason


def test_parse_filter_reads_the_query_string(sample_jurisdiction, townships):
    wanted = q.parse_filter(
        sample_jurisdiction.id,
        {
            "q": "  晋龙   石灰 ",
            "township": str(townships[0].id),
            "industry": "lime_kiln",
            "grade": "A",
            "page": "0",
        },
    )
    assert wanted == q.ListFilter("晋龙 石灰", townships[0].id, "lime_kiln", "A", 1)


def test_public_enterprise_by_credit_code(sample_jurisdiction):
    e = create_enterprise(sample_jurisdiction)
    gone = create_enterprise(sample_jurisdiction, active=False)
    assert q.public_enterprise(sample_jurisdiction.id, e.credit_code.lower()) is e
    assert q.public_enterprise(sample_jurisdiction.id, gone.credit_code) is None
    assert q.public_enterprise(sample_jurisdiction.id, e.credit_code[:-1] + "0") in (None, e) and (
        q.public_enterprise(sample_jurisdiction.id, "not-a-code") is None
    )


def test_board_without_a_warning_shows_the_plan_but_nothing_in_force(sample_jurisdiction):
    e = create_enterprise(sample_jurisdiction)
    line = create_line(e, name="1号石灰窑")
    levels = {
        "III": {
            "text": "1号石灰窑停产",
            "lines": [line.id],
            "prep_hours": 2,
            "responsible": [{"name": "李四", "phone": "+8613900000001", "duty": "厂长"}],
        },
        "I": {"text": "全厂停产"},
    }
    create_plan(e, levels, version=1, state="superseded")
    create_plan(e, levels | {"II": {"text": "两条线停产"}}, version=2)
    create_plan(e, {"III": {"text": "草稿"}}, version=3, state="draft")

    board = q.board(e)

    assert board.in_force is None
    assert board.plan is not None and board.plan.version == 2
    assert [pl.response for pl in board.plan_levels] == ["III", "II", "I"]
    iii = board.plan_levels[0]
    assert (iii.text, iii.lines, iii.prep_hours) == ("1号石灰窑停产", ["1号石灰窑"], 2.0)
    assert iii.responsible == [{"name": "李四", "duty": "厂长"}]  # no phone on a public board


def test_board_without_a_plan_invents_nothing(sample_jurisdiction):
    board = q.board(create_enterprise(sample_jurisdiction))
    assert board.plan is None and board.plan_levels == [] and board.in_force is None


def test_the_measure_in_force_follows_the_warning(
    sample_jurisdiction, sample_users, sample_draft, sample_levels
):
    take_to(sample_draft, "published", sample_users)
    e = create_enterprise(sample_jurisdiction)
    create_plan(e)
    duty = create_duty(sample_draft, e)
    db.session.commit()

    m = q.board(e).in_force
    assert m is not None and m.duty.id == duty.id and m.duty.text_zh == MEASURE_III
    assert m.level["code"] == "yellow" and m.duty.response == "III"
    assert m.plan_level is not None and m.plan_level.text == "1号生产线停产"
    assert m.warning_reference == sample_draft.warning.reference

    # A newer published revision: the first duty is no longer in force, the newer one's is.
    upgrade = propose_change(
        sample_draft.warning, "upgrade", proposal(sample_levels["orange"]), sample_users["office"]
    )
    take_to(upgrade, "published", sample_users)
    written = q.duty_in_force(e.id)  # the publication's own effect may have written it
    assert written is None or written.revision_id == upgrade.id
    newer = written or create_duty(upgrade, e, text_zh="停产75%")
    db.session.commit()
    assert q.duty_in_force(e.id).id == newer.id and q.board(e).in_force.level["code"] == "orange"

    lift = propose_change(
        sample_draft.warning, "lift", proposal(sample_levels["orange"]), sample_users["office"]
    )
    take_to(lift, "published", sample_users)
    assert q.duty_in_force(e.id) is None and q.board(e).in_force is None


def test_a_superseded_or_release_row_is_not_in_force(sample_jurisdiction, sample_users, sample_draft):
    take_to(sample_draft, "published", sample_users)
    released = create_enterprise(sample_jurisdiction)
    replaced = create_enterprise(sample_jurisdiction)
    create_duty(sample_draft, released, kind="release", response="", text_zh="")
    create_duty(sample_draft, replaced, superseded_at=sample_draft.published_at)
    db.session.commit()
    assert q.duty_in_force(released.id) is None and q.duty_in_force(replaced.id) is None


def test_tipoffs_of_the_board_say_nothing_of_the_reporter(sample_jurisdiction):
    e = create_enterprise(sample_jurisdiction)
    other = create_enterprise(sample_jurisdiction)
    open_one = create_named_tipoff(e)
    closed = create_named_tipoff(e, anonymous=False, name="赵六", phone="+8613800138000")
    closed.state, closed.outcome, closed.reply = "closed", "true", "已责令停产，回复给举报人"
    not_yet = create_named_tipoff(e)
    not_yet.outcome = "true"  # a finding not yet approved is not shown
    create_named_tipoff(other)
    db.session.commit()

    shown = {t.ticket_number: t for t in q.board(e).tipoffs}

    assert set(shown) == {open_one.ticket_number, closed.ticket_number, not_yet.ticket_number}
    assert shown[closed.ticket_number].outcome == "true" and shown[not_yet.ticket_number].outcome is None
    assert shown[open_one.ticket_number].category == "production_during_shutdown"
    fields = set(q.PublicTipoff.__dataclass_fields__)
    assert fields == {"ticket_number", "received_at", "category", "state", "outcome", "clarification_id"}


def test_labels(sample_jurisdiction, app):
    e = create_enterprise(sample_jurisdiction, industry="cement", subtype="grinding_station", grade="leading")
    exempt = create_enterprise(sample_jurisdiction, grade="exempt", exempt_reason="micro")
    assert q.industry_label(e, "zh_CN") == "水泥·粉磨站（系统）、矿渣粉、水泥制品"
    assert str(q.grade_label(e)).startswith("Leading") or "引领性" in str(q.grade_label(e))
    assert "小微" in str(q.grade_label(exempt))
