"""``new-set``: start a set: its ``set.yaml`` (attribution, manifest) and its index page."""

from __future__ import annotations

import argparse
from pathlib import Path

NAME = "new-set"
HELP = "start set SET: write its set.yaml (attribution and manifest) and index page from the templates"


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("set_id", metavar="SET", help="the set's id, such as ceng403 or supplementary")
    parser.add_argument(
        "--own",
        action="store_true",
        help="this project's own exercises (no external source): no manifest, parts labelled in the data",
    )
    parser.add_argument("--title", help="the set's title (else a FILL IN placeholder)")
    parser.add_argument("--short-title", help="a short title for the navigation (else a FILL IN placeholder)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from solutions.exercises.catalog import REPO_DIR
    from solutions.exercises.scaffold import new_set

    written = new_set(args.set_id, own=args.own, title=args.title, short_title=args.short_title)
    print("wrote:")
    for path in written:
        print(f"  {Path(path).relative_to(REPO_DIR).as_posix()}")
    then = f"python -m solutions new {args.set_id}/EXERCISE"
    print(
        f"next: replace every FILL IN in these files, check them with\n  python -m solutions check "
        f"{written[0].parent.relative_to(REPO_DIR).as_posix()}\nthen add an exercise: {then}"
    )
    return 0
