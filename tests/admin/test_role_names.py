"""Roles are named, never shown as their codes: the users list and the warning's timeline."""

from __future__ import annotations

import re

import pytest

from tests.conftest import login, take_to

CODES = ("office_staff", "deputy_commander", "commander", "publicity", "member_unit")


@pytest.mark.parametrize(
    ("lang", "names"),
    [
        ("zh_CN", ("指挥部办公室工作人员", "副总指挥", "总指挥")),
        ("en", ("Office staff", "Deputy commander", "Commander")),
    ],
)
def test_the_users_list_names_each_role(lang, names, client, sample_users):
    login(client, "admin")
    page = client.get(f"/admin/users?lang={lang}").get_data(as_text=True)
    shown = dict(re.findall(r'<td data-role="(\w+)">([^<]*)</td>', page))
    assert set(shown) == {*CODES, "admin"}
    assert not set(shown.values()) & {*CODES, "admin"}
    assert (shown["office_staff"], shown["deputy_commander"], shown["commander"]) == names


def test_the_timeline_names_the_role_of_each_actor(client, sample_draft, sample_users, sample_recipients):
    take_to(sample_draft, "published", sample_users)
    login(client, "office")
    page = client.get(f"/admin/warnings/{sample_draft.warning_id}?lang=en").get_data(as_text=True)
    timeline = page.split('class="history timeline"', 1)[1]
    assert 'data-actor-role="deputy_commander">(Deputy commander)' in timeline
    assert 'data-actor-role="office_staff">(Office staff)' in timeline
