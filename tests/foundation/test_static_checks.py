"""The import rules (import-linter contracts) and the types (mypy, strict on the front door) hold.

Run through ``scripts/check-static.sh``, the same script a developer runs by hand, so CI and
the README's test command check them with the tests.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_import_rules_and_types_hold() -> None:
    for tool in ("lint-imports", "mypy"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is not installed; it is part of the test extra (pip install -e '.[test]')")
    done = subprocess.run(["bash", str(ROOT / "scripts" / "check-static.sh")], capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
