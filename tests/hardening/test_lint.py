"""The same checks as the pre-commit hooks, so the one test command covers them."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from environment import installed_executable, require

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("command", [["check", "."], ["format", "--check", "."]], ids=["lint", "format"])
def test_ruff(command):
    ruff = installed_executable("ruff")  # the locked version first, whatever else is on PATH
    require(ruff is not None, "ruff", "pip install ruff (installed by .[test])")
    result = subprocess.run([ruff, *command], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
