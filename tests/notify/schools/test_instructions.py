"""Loading the schools' instructions from a jurisdiction's data document."""

from __future__ import annotations

import pytest

from notify.schools.instructions import InstructionError, load


@pytest.mark.parametrize("kind", [["heavy_pollution"], {"code": "heavy_pollution"}, 7, None])
def test_an_entry_whose_kind_is_not_a_known_code_is_refused_by_its_position(sample_jurisdiction, kind):
    with pytest.raises(InstructionError, match=r"^school_instructions\[0\]: unknown kind"):
        load(sample_jurisdiction, [{"kind": kind, "level": "*"}])
