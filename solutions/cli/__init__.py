"""The command line: one module per subcommand in this package, discovered, never listed.

Each subcommand module defines ``NAME``, ``HELP`` and ``register(parser)`` (adding its arguments and
``parser.set_defaults(run=...)``, where ``run(args) -> int`` is the exit status). Bad input is
reported as one line on stderr with a non-zero status, never as a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from solutions.errors import InvalidInputError

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m solutions",
        description="CNN arithmetic: worked solutions, a network calculator and contributor tools.",
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        sub = commands.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except InvalidInputError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
