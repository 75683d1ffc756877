"""A tally of multiply-accumulates, filled in by the references while they compute.

The MAC counts the site quotes are checked against this tally, which the reference functions
increase by the number of products they actually form, so a count is only as right as the
computation that produced it, never a formula evaluated afterwards.
"""

from __future__ import annotations

from solutions.errors import check_int

__all__ = ["MacCounter"]


class MacCounter:
    """Counts scalar multiply-accumulates (MACs); start at zero and :meth:`add` as products are made."""

    def __init__(self) -> None:
        self.macs: int = 0

    def add(self, n: int) -> None:
        """Add ``n`` (an integer >= 0) MACs to the tally."""
        self.macs += check_int("n", n, minimum=0)

    def __repr__(self) -> str:
        return f"MacCounter(macs={self.macs})"
