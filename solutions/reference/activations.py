"""ReLU and its gradient in NumPy, the pointwise pieces of the worked backprop examples.

The site fixes the convention f'(0) = 0 (as PyTorch's autograd does), and this module is where that
convention is written down and checked.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from solutions.errors import InvalidInputError
from solutions.reference._common import as_array

__all__ = ["relu", "relu_grad"]

_ANY = (0, 1, 2, 3, 4, 5, 6, 7, 8)
_WHAT = "a real-valued array (any shape, at least one element)"


def relu(x: Any) -> np.ndarray:
    """``max(x, 0)`` elementwise, in float64."""
    x = as_array("x", x, ndims=_ANY, what=_WHAT)
    return np.maximum(x, 0.0)


def relu_grad(x: Any, grad_out: Any) -> np.ndarray:
    """Gradient w.r.t. the ReLU's input: ``grad_out`` where ``x > 0``, else 0 (so f'(0) = 0)."""
    x = as_array("x", x, ndims=_ANY, what=_WHAT)
    grad_out = as_array("grad_out", grad_out, ndims=_ANY, what=_WHAT)
    if grad_out.shape != x.shape:
        raise InvalidInputError("grad_out", f"array of shape {grad_out.shape}", f"of the same shape as x, {x.shape}")
    return np.where(x > 0, grad_out, 0.0)
