"""``summarize``: one row per layer of a network spec (shape, parameters, buffers, MACs, receptive field)."""

from __future__ import annotations

import argparse
import json
import sys

NAME = "summarize"
HELP = "summarize a network described in YAML/JSON, torch.nn style (see the Calculator page)"

_FORMATS = ("table", "json", "markdown", "csv")


def register(parser: argparse.ArgumentParser) -> None:
    """Add the arguments; ``run`` does the work."""
    parser.add_argument("spec", metavar="SPEC", help="YAML or JSON file ('-' reads standard input)")
    parser.add_argument("--format", choices=_FORMATS, default="table", help="output format (default: table)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Print the summary; bad input raises, and the dispatcher reports it on one line."""
    from solutions.calculator import summarize
    from solutions.calculator.spec import parse_spec_text

    spec = parse_spec_text(sys.stdin.read(), "<stdin>") if args.spec == "-" else args.spec
    summary = summarize(spec)
    if args.format == "json":
        text = json.dumps(summary.to_json(), indent=2) + "\n"
    elif args.format == "markdown":
        text = summary.to_markdown()
    elif args.format == "csv":
        text = summary.to_csv()
    else:
        text = summary.to_table()
    sys.stdout.write(text)
    return 0
