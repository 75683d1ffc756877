"""``python -m solutions``: the command line (see ``python -m solutions --help``)."""

from solutions.cli import main

raise SystemExit(main())
