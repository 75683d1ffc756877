"""Which solutions a build shows: the project's version, the commit and a date, never the wall clock.

* version: ``pyproject.toml`` of the source tree being built (so a bumped version shows at once,
  even in an editable install made from another checkout), else the installed distribution's
  metadata (``importlib.metadata``);
* commit: ``GITHUB_SHA`` in GitHub Actions, else ``git rev-parse HEAD``; None outside a repository;
* date: ``SOURCE_DATE_EPOCH`` when set (https://reproducible-builds.org/specs/source-date-epoch/),
  else the date of the last commit; None when neither is known.

Two builds of one commit therefore carry the same metadata, and a page can be compared byte for
byte with an earlier build of the same commit. Pages put the commit and the date only inside
elements marked :data:`METADATA_ATTRIBUTE`, so a reproducibility check can ignore exactly those.
"""

from __future__ import annotations

import os
import subprocess
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib import metadata
from pathlib import Path

__all__ = ["METADATA_ATTRIBUTE", "BuildInfo", "build_info"]

REPO_DIR = Path(__file__).resolve().parents[2]
DISTRIBUTION = "cnn-arithmetic"

#: The attribute that marks every element holding build metadata (the commit or the build date).
METADATA_ATTRIBUTE = "data-build-metadata"


@dataclass(frozen=True)
class BuildInfo:
    """What a build was made from."""

    version: str
    commit: str | None  # full hash
    date: datetime | None  # UTC

    @property
    def short_commit(self) -> str | None:
        return self.commit[:7] if self.commit else None

    @property
    def iso_date(self) -> str | None:
        """``2026-11-22``, or None."""
        return self.date.strftime("%Y-%m-%d") if self.date else None


def _git(*args: str) -> str | None:
    # safe.directory: CI containers check out as another user, and git would refuse the repository.
    command = ["git", "-c", f"safe.directory={REPO_DIR}", *args]
    try:
        done = subprocess.run(command, cwd=REPO_DIR, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    out = done.stdout.strip()
    return out if done.returncode == 0 and out else None


def _version() -> str:
    pyproject = REPO_DIR / "pyproject.toml"
    if pyproject.is_file():
        project = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {})
        if project.get("name") == DISTRIBUTION and "version" in project:
            return str(project["version"])
    return metadata.version(DISTRIBUTION)


def _commit() -> str | None:
    sha = os.environ.get("GITHUB_SHA", "").strip()
    return sha or _git("rev-parse", "HEAD")


def _date() -> datetime | None:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip() or _git("log", "-1", "--format=%ct")
    if epoch is None:
        return None
    try:
        return datetime.fromtimestamp(int(epoch), UTC)
    except ValueError:
        raise ValueError(f"SOURCE_DATE_EPOCH must be an integer number of seconds, not {epoch!r}") from None


@cache
def build_info() -> BuildInfo:
    """The build's metadata, read once per process."""
    return BuildInfo(version=_version(), commit=_commit(), date=_date())
