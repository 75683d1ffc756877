"""``render``: write the generated Markdown fragments without building the site."""

from __future__ import annotations

import argparse
import sys

NAME = "render"
HELP = "write the pages' generated fragments (for engines other than MkDocs, or to inspect them)"


def register(parser: argparse.ArgumentParser) -> None:
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from solutions.render.site import GENERATED_DIR, BuildError, generate

    try:
        written = generate(GENERATED_DIR)
    except BuildError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"{len(written)} fragment(s) changed under {GENERATED_DIR}")
    return 0
