"""The row count of set-based writes, whichever way the statement names its table."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from notify.extensions import db
from notify.models import Township
from notify.row_counts import rows_written


def test_an_update_reports_the_rows_it_changed(sample_jurisdiction):
    towns = len(sample_jurisdiction.townships)
    table = Township.__table__
    core = (
        update(table).where(table.c.jurisdiction_id == sample_jurisdiction.id).values(name_en=table.c.name_en)
    )
    assert rows_written(db.session.execute(core)) == towns
    orm = (
        update(Township)
        .where(Township.code == sample_jurisdiction.townships[0].code)
        .values(name_en="Xiushui")
        .execution_options(synchronize_session=False)
    )
    assert rows_written(db.session.execute(orm)) == 1


def test_a_select_has_no_row_count(sample_jurisdiction):
    with pytest.raises(AssertionError, match="only INSERT, UPDATE and DELETE"):
        rows_written(db.session.execute(select(Township.id)))
