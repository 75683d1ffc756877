"""Adds the size of the PyTorch cross-check to the end of the test report (also under pytest-xdist)."""

from __future__ import annotations

from collections import Counter
from typing import Any

_TOTALS: Counter[str] = Counter()


def pytest_runtest_logreport(report: Any) -> None:
    if report.when != "call":
        return
    for name, value in report.user_properties:
        if name.startswith("crosscheck_"):
            _TOTALS[name.removeprefix("crosscheck_")] += value


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not _TOTALS.get("networks"):
        return
    t = _TOTALS
    terminalreporter.write_line(
        f"torch cross-check: {t['networks']} random networks ({t['networks'] - t['refused']} valid, "
        f"{t['refused']} refused by PyTorch and the calculator alike), {t['rows']} layers compared, "
        f"{t['rf_checked']} receptive fields measured ({t['rf_exact_dims']} exact per-dimension comparisons), "
        f"in {t['seconds']:.1f} s of test time"
    )
