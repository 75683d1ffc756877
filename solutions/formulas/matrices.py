"""Convolution written out on SymPy matrices, entry by entry, for derivations that show every product.

The general formulas count; these compute: a valid cross-correlation of symbolic (or exact) matrices
as explicit sums, so SymPy can differentiate it, solve for its unknowns, or show one entry's terms.
"""

from __future__ import annotations

import sympy as sp

from solutions.notation import indexed

__all__ = ["cross_correlation", "entries", "rotate_180"]


def entries(key: str, rows: int, cols: int) -> sp.Matrix:
    """A matrix of the notation symbols ``key_11, key_12, ...`` (rows and columns counted from 1).

    >>> entries("w", 1, 2)
    Matrix([[w_11, w_12]])
    """
    return sp.Matrix(rows, cols, lambda r, c: indexed(key, f"{r + 1}{c + 1}"))


def cross_correlation(x: sp.Matrix, kernel: sp.Matrix) -> sp.Matrix:
    """Valid cross-correlation (the kernel is not flipped): output ``(r, c)`` sums ``x[r+a, c+b] kernel[a, b]``.

    >>> cross_correlation(sp.Matrix([[0, -1, 3], [2, 1, 1]]), sp.Matrix([[0, 1], [1, 2]]))
    Matrix([[3, 6]])
    """
    rows, cols = x.rows - kernel.rows + 1, x.cols - kernel.cols + 1
    return sp.Matrix(
        rows,
        cols,
        lambda r, c: sum(x[r + a, c + b] * kernel[a, b] for a in range(kernel.rows) for b in range(kernel.cols)),
    )


def rotate_180(matrix: sp.Matrix) -> sp.Matrix:
    """The matrix turned by 180°, rows and columns both reversed: a convolution's kernel as a correlation sees it."""
    return matrix[::-1, ::-1]
