"""The headline a step starts with says that step's action and level, in both languages."""

from __future__ import annotations

import pytest

from notify.lifecycle.headlines import headline_for
from notify.lifecycle.queries import kinds


@pytest.mark.parametrize(
    ("action", "level", "zh", "en"),
    [
        (
            "issue",
            "yellow",
            "盂县发布重污染天气黄色预警，启动Ⅲ级响应",
            "Yu County issues a yellow warning for heavy pollution weather; level III response starts",
        ),
        (
            "upgrade",
            "orange",
            "盂县重污染天气预警升级为橙色预警，启动Ⅱ级响应",
            "Yu County raises the heavy pollution weather warning to an orange warning; "
            "level II response starts",
        ),
        (
            "downgrade",
            "yellow",
            "盂县重污染天气预警降级为黄色预警，调整为Ⅲ级响应",
            "Yu County lowers the heavy pollution weather warning to a yellow warning; "
            "level III response applies",
        ),
        (
            "extend",
            "orange",
            "盂县重污染天气橙色预警延长，继续实施Ⅱ级响应",
            "Yu County extends the orange warning for heavy pollution weather; level II response continues",
        ),
        (
            "lift",
            "red",
            "盂县解除重污染天气红色预警，终止Ⅰ级响应",
            "Yu County lifts the red warning for heavy pollution weather; level I response ends",
        ),
    ],
)
def test_each_action_and_level_has_its_own_headline(action, level, zh, en, sample_kind, sample_levels):
    headline = headline_for(sample_kind, action, sample_levels[level])
    assert (headline.zh, headline.en) == (zh, en)


def test_no_two_actions_share_a_headline(sample_kind, sample_levels):
    orange = sample_levels["orange"]
    texts = [
        headline_for(sample_kind, a, orange) for a in ("issue", "upgrade", "downgrade", "extend", "lift")
    ]
    assert len({h.zh for h in texts}) == len({h.en for h in texts}) == 5


def test_an_ungraded_kind_names_its_event(sample_jurisdiction):
    ozone = next(k for k in kinds(sample_jurisdiction.id) if k.code == "ozone_prompt")
    prompt = ozone.levels[0]
    assert headline_for(ozone, "issue", prompt).zh == "盂县发布臭氧污染预警提示"
    assert headline_for(ozone, "issue", prompt).en == "Yu County issues an ozone pollution advisory"
    assert headline_for(ozone, "lift", prompt).zh == "盂县解除臭氧污染预警提示"
