"""The hashed lock files cover pyproject.toml's dependencies, so every install is reproducible.

Regenerate them with ``scripts/lock.sh`` after changing a dependency; this test says which one.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

REPO = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
PIN = re.compile(r"^([A-Za-z0-9_.-]+)==([^\s\\]+)")


def locked(path: Path) -> dict[str, tuple[Version, int]]:
    """Package -> (pinned version, number of hashes) from a pip-compile output."""
    pins: dict[str, tuple[Version, int]] = {}
    current = None
    for line in path.read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match:
            current = canonicalize_name(match.group(1))
            pins[current] = (Version(match.group(2)), 0)
        elif current and "--hash=sha256:" in line:
            version, hashes = pins[current]
            pins[current] = (version, hashes + 1)
    return pins


def requirements(extra: str) -> list[Requirement]:
    direct = [Requirement(text) for text in PROJECT["dependencies"]]
    for text in PROJECT["optional-dependencies"][extra]:
        requirement = Requirement(text)
        if canonicalize_name(requirement.name) == canonicalize_name(PROJECT["name"]):
            for inner in requirement.extras:  # the test extra includes the docs extra
                direct += requirements(inner)
        else:
            direct.append(requirement)
    return direct


@pytest.mark.parametrize("extra", ["docs", "test"])
def test_lock_pins_every_dependency_within_its_range_with_hashes(extra):
    pins = locked(REPO / "requirements" / f"{extra}.txt")
    assert pins, f"requirements/{extra}.txt pins nothing"
    for requirement in requirements(extra):
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is not in requirements/{extra}.txt: run scripts/lock.sh"
        version, _ = pins[name]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"requirements/{extra}.txt pins {name}=={version}, outside {requirement.specifier}: run scripts/lock.sh"
        )
    unhashed = [name for name, (_, hashes) in pins.items() if hashes == 0]
    assert not unhashed, f"pinned without a hash: {unhashed}"


def test_every_install_command_uses_the_lock_files():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    workflows = [path.read_text(encoding="utf-8") for path in (REPO / ".github" / "workflows").glob("*.yml")]
    for text in [readme, ci, *workflows]:
        for line in text.splitlines():
            if "pip install" in line and "pip install pre-commit" not in line:
                assert "-r requirements/" in line or "--no-deps -e ." in line, line
    assert "requirements/test.txt" in ci and "requirements/docs.txt" in readme
