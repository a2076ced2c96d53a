"""Run a program in a child process on the parent test's scene clock.

    python -m tests.scene_process OFFSET_SECONDS MODULE [ARG ...]

runs `python -m MODULE ARG ...` with freezegun's clock started at the real time plus OFFSET_SECONDS
and ticking, so that a real `flask scheduler` or dispatch worker sees the same instant as the test
that started it (tests/conftest.py `scene_command` computes the offset), on any date.
"""

from __future__ import annotations

import runpy
import sys
from datetime import UTC, datetime, timedelta

from tests.scene_clock import scene_freeze


def main() -> None:
    offset, module, *args = sys.argv[1:]
    sys.argv = [module, *args]
    scene_freeze(datetime.now(UTC) + timedelta(seconds=float(offset))).start()
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
