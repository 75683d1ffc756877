"""Tests that need a component outside Python (PyTorch, Chromium, Node, a linter binary) skip with
a message that says how to install it, except in CI (``CI=true``), where a missing component is a
failure: CI must run every test. Import as ``from environment import require`` (the tests folder is
on the import path through its conftest)."""

from __future__ import annotations

import os
import shutil
import sysconfig

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"


def require(available: bool, component: str, how: str) -> None:
    """Skip (or, in CI, fail) unless ``available``; ``how`` says how to install ``component``."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{component} is required in CI but missing; install it with: {how}")
    pytest.skip(f"{component} is not installed; to run this test: {how}")


def installed_executable(name: str) -> str | None:
    """A console script of this interpreter's environment, or one on PATH: the README's commands run
    ``.venv/bin/python -m pytest`` without activating the venv, so its scripts are not on PATH."""
    here = shutil.which(name, path=sysconfig.get_path("scripts"))
    return here or shutil.which(name)
