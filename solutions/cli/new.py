"""``new``: start an exercise: its data file, solution module and page, from the templates."""

from __future__ import annotations

import argparse

NAME = "new"
HELP = "start exercise SET/EXERCISE: write its data file, solution module and page from the templates"


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("key", metavar="SET/EXERCISE", help="such as seminar5/ex6 or supplementary/rf1")
    parser.add_argument(
        "--parts",
        type=int,
        default=1,
        help="number of parts, for a set without a manifest (a set with a manifest takes its parts from it)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from solutions.exercises.catalog import REPO_DIR
    from solutions.exercises.scaffold import new_exercise

    written = [path.relative_to(REPO_DIR).as_posix() for path in new_exercise(args.key, parts=args.parts)]
    print("wrote:\n" + "".join(f"  {path}\n" for path in written), end="")
    print(f"next: replace every FILL IN in these files, then run\n  python -m solutions check {written[0]}")
    return 0
