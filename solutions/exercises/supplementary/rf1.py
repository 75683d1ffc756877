"""supplementary/rf1: one function per part derives it and confirms it numerically.

Each general formula called here is recorded as a step of the derivation on the page; every result
named with ``w.result`` must be confirmed with ``w.check`` by an independent computation.
"""

from __future__ import annotations

from solutions import reference as ref
from solutions.exercises.work import Work
from solutions.formulas import receptive_field
from solutions.reference import layers


def q1a(w: Work) -> None:
    k = w.given.kernel_size
    field = receptive_field([(k, 1, 0, d) for d in w.given.dilations])
    w.result("size", field.size, "Receptive field size, in input positions")

    stack = [layers.Conv(1, 1, k, dilation=d, ndim=1, fill=1.0) for d in w.given.dilations]
    mask = ref.receptive_field_mask(stack, (1, 64), (10,))
    (size,), _ = ref.receptive_field_extent(mask)
    w.check(
        "size",
        size,
        f"a one-hot gradient sent back from one output unit through the NumPy layers reaches {size} inputs",
    )
