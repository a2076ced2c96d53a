"""The demo's Yu County reduction list: at least 60 plants over every 附件11 industry and sub-type,
every grade and exemption, valid credit codes, points inside the county, lines with their
capacity bases, and phones apart from every other demo list."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from notify.demo.enterprises import seed_enterprises
from notify.demo.loader import DATA_DIR, load_jurisdiction, read
from notify.enterprises import credit_code, industries
from notify.extensions import db
from notify.models import Enterprise, EnterpriseContact, Recipient, School, SchoolContact, Township
from notify.models.enterprises import EXEMPT_REASONS, GRADES


@pytest.fixture
def yu_enterprises(sample_jurisdiction) -> list[Enterprise]:
    assert seed_enterprises(sample_jurisdiction) >= 60
    db.session.commit()
    return list(db.session.scalars(select(Enterprise).order_by(Enterprise.id)))


def test_at_least_sixty_plants_over_every_industry_and_sub_type(yu_enterprises):
    assert len(yu_enterprises) >= 60
    kinds = {(e.industry, e.subtype) for e in yu_enterprises}
    assert {i for i, _ in kinds} == set(industries.INDUSTRIES)
    every_subtype = {(i.code, s) for i in industries.INDUSTRIES.values() for s in i.subtypes if s}
    assert every_subtype <= kinds
    assert len({e.name for e in yu_enterprises}) == len(yu_enterprises)


def test_every_grade_and_every_exemption_is_held_by_a_grade_the_industry_allows(yu_enterprises):
    assert {e.grade for e in yu_enterprises} == set(GRADES)
    assert {e.exempt_reason for e in yu_enterprises if e.grade == "exempt"} == set(EXEMPT_REASONS)
    for e in yu_enterprises:
        assert e.grade in industries.grades_for(e.industry, e.subtype), e.name
        assert bool(e.exempt_reason) == (e.grade == "exempt"), e.name
    micro = [e for e in yu_enterprises if e.exempt_reason == "micro"]
    # 附件11 备注 (2): under 100 kg a year, a single pollutant.
    assert all(sum(e.emissions().values()) < 0.1 for e in micro)
    assert all(sum(1 for v in e.emissions().values() if v) == 1 for e in micro)


def test_credit_codes_are_valid_and_plants_sit_inside_yu_county(yu_enterprises):
    assert all(credit_code.valid(e.credit_code) for e in yu_enterprises)
    assert len({e.credit_code for e in yu_enterprises}) == len(yu_enterprises)
    for e in yu_enterprises:
        assert 37.9 < e.latitude < 38.35 and 113.05 < e.longitude < 113.7, e.name
        assert e.address.startswith("盂县") and e.name.startswith("盂县")
        assert e.truck_standard and e.env_officer and e.legal_person
        assert min(e.emissions().values()) >= 0 and e.freight_tpa > 0
    assert len({e.township_id for e in yu_enterprises}) == 13


def test_every_plant_has_one_to_four_lines_with_the_appendix_processes(yu_enterprises):
    processes = set()
    for e in yu_enterprises:
        assert 1 <= len(e.lines) <= 4, e.name
        for line in e.lines:
            assert line.basis == min(line.capacity_eia, line.capacity_permit, line.capacity_actual)
            processes |= set(line.processes.split(","))
        assert [line.position for line in e.lines] == list(range(len(e.lines)))
    assert {"烧结", "球团", "熔炼", "焙烧", "破碎", "成型", "喷涂", "流平", "烘干", "印刷"} <= processes


def test_phones_are_distinct_and_apart_from_the_other_demo_lists(sample_recipients, yu_enterprises):
    from notify.demo.schools import seed_schools

    seed_schools(db.session.get(Township, yu_enterprises[0].township_id).jurisdiction)
    officers = [e.env_officer_phone for e in yu_enterprises]
    assert len(set(officers)) == len(officers)
    contacts = list(db.session.scalars(select(EnterpriseContact)))
    assert sum(c.township_id is None for c in contacts) == 1 and len(contacts) == 14
    ours = set(officers) | {c.phone for c in contacts}
    others = (
        set(db.session.scalars(select(Recipient.address)))
        | set(db.session.scalars(select(School.head_phone)))
        | set(db.session.scalars(select(School.duty_phone)))
        | set(db.session.scalars(select(SchoolContact.phone)))
    )
    assert not ours & others


def test_the_list_is_the_same_every_time(sample_jurisdiction):
    seed_enterprises(sample_jurisdiction)
    first = [(e.credit_code, e.name, e.so2_tpa, len(e.lines)) for e in db.session.scalars(select(Enterprise))]
    db.session.rollback()
    seed_enterprises(sample_jurisdiction)
    again = [(e.credit_code, e.name, e.so2_tpa, len(e.lines)) for e in db.session.scalars(select(Enterprise))]
    assert first == again


def test_wuan_gets_a_handful_when_it_has_townships(sample_jurisdiction):
    wuan = load_jurisdiction(read(DATA_DIR / "wuan.json"))
    assert seed_enterprises(wuan) == 0  # its data names no townships yet: nowhere to place a plant
    db.session.add_all(
        Township(jurisdiction=wuan, code=code, name_zh=name, name_en=name)
        for code, name in (("130481100", "武安镇"), ("130481101", "午汲镇"))
    )
    db.session.flush()
    assert seed_enterprises(wuan) >= 8
    plants = list(db.session.scalars(select(Enterprise).where(Enterprise.jurisdiction_id == wuan.id)))
    assert all(credit_code.valid(e.credit_code) and e.name.startswith("武安市") for e in plants)
