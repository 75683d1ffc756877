"""A throw-away copy of the repository to run the contributor commands in, so no test writes to the repo."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
_IGNORE = shutil.ignore_patterns("__pycache__", "vendor", "*.pyc")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The files the commands read (code, data, pages, guide), copied to a temporary directory."""
    root = tmp_path / "repo"
    for name in ("solutions", "docs"):
        shutil.copytree(REPO / name, root / name, ignore=_IGNORE)
    for name in ("CONTRIBUTING.md", "pyproject.toml", "mkdocs.yml"):
        shutil.copy2(REPO / name, root / name)
    return root


def solutions_command(root: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "PYTHONPATH": str(root)}
        command = [sys.executable, "-m", "solutions", *args]
        return subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=300)

    return run


@pytest.fixture
def cli(repo: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """``python -m solutions ...`` run in the copy (its own code, its own files)."""
    return solutions_command(repo)
