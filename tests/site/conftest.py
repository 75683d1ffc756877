"""One strict build of the site per test process, shared by the site tests."""

from __future__ import annotations

import pytest
from builtsite import PINNED, build


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    target = tmp_path_factory.mktemp("site")
    result = build(target, env=PINNED)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    # The notebook kernel's notice about local TCP transport is not a warning about the site.
    warnings = [line for line in output.splitlines() if "WARNING" in line and "[IPKernelApp]" not in line]
    assert not warnings, output
    return target
