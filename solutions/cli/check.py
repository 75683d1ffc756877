"""``check``: validate the contributed files and run just their checks."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

NAME = "check"
HELP = (
    "check exercise files: data against the schema, derivations against the source's answers, pages "
    "and notation; PATH is a data file, solution module, page or set folder (none: everything)"
)


_START = time.perf_counter()  # when the command line was read: the summary times the whole run


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", type=Path, metavar="PATH")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from solutions.exercises.check import check

    report, errors = check(args.paths)
    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    if errors:
        return 2
    for problem in report.problems:
        print(problem)
    print(f"{report.summary()} in {time.perf_counter() - _START:.1f} s")
    return 1 if report.problems else 0
