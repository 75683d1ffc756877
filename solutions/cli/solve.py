"""``solve``: the values of a hyperparameter written "?" in a network spec that give a target shape."""

from __future__ import annotations

import argparse
import json
import sys

from solutions.errors import InvalidInputError

NAME = "solve"
HELP = 'find the values of a hyperparameter written "?" that give the target shape (see the Calculator page)'


def _range(text: str) -> tuple[str, list[int]]:
    name, _, bounds = text.partition("=")
    low, _, high = bounds.partition(":")
    try:
        return name.strip(), [int(low), int(high)]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected NAME=LOW:HIGH, e.g. stride=1:8") from None


def register(parser: argparse.ArgumentParser) -> None:
    """Add the arguments; ``run`` does the work."""
    parser.add_argument("spec", metavar="SPEC", help="YAML or JSON file with '?' unknowns and a target ('-': stdin)")
    parser.add_argument(
        "--range",
        metavar="NAME=LOW:HIGH",
        type=_range,
        action="append",
        default=[],
        help="search range of an unknown, overriding the spec's (repeatable), e.g. --range stride=1:8",
    )
    parser.add_argument("--format", choices=("text", "markdown", "json"), default="text", help="default: text")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Exit status 0 with at least one solution, 1 with none."""
    from solutions.calculator import solve
    from solutions.calculator.spec import parse_spec_text

    if args.spec == "-":
        spec = parse_spec_text(sys.stdin.read(), "<stdin>")
    else:
        try:
            with open(args.spec, encoding="utf-8") as handle:
                text = handle.read()
        except OSError as error:
            raise InvalidInputError("spec", args.spec, f"a readable YAML or JSON file ({error.strerror})") from None
        spec = parse_spec_text(text, args.spec)
    if args.range:
        ranges = spec.get("range") or {}
        if not isinstance(ranges, dict):
            raise InvalidInputError("range", ranges, "a mapping from an unknown's name to [low, high]", args.spec)
        spec["range"] = {**ranges, **dict(args.range)}
    result = solve(spec)
    if args.format == "json":
        sys.stdout.write(json.dumps(result.to_json(), indent=2) + "\n")
    elif args.format == "markdown":
        sys.stdout.write(result.to_markdown())
    else:
        sys.stdout.write(result.to_text())
    return 0 if result.solutions else 1
