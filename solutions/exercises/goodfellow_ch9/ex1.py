"""Deep Learning ch. 9, Exercise 1: convolution against cross-correlation.

The relation between the two operations is derived symbolically (SymPy writes both out for a
general kernel) and confirmed numerically against the convolution theorem: a full convolution
computed with NumPy's FFT, which shares no code with the site's cross-correlation reference.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from solutions import reference as ref
from solutions.exercises.work import Work
from solutions.formulas.matrices import cross_correlation, entries, rotate_180


def _convolve(x: sp.Matrix, kernel: sp.Matrix) -> sp.Matrix:
    """Valid convolution by its definition: output (r, c) pairs w_ab with the pixel at the opposite offset."""
    kr, kc = kernel.rows, kernel.cols
    rows, cols = x.rows - kr + 1, x.cols - kc + 1
    return sp.Matrix(
        rows,
        cols,
        lambda r, c: sum(x[r + kr - 1 - a, c + kc - 1 - b] * kernel[a, b] for a in range(kr) for b in range(kc)),
    )


def _fft_convolve_full(x: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Full 2-D convolution by the convolution theorem (product of zero-padded FFTs)."""
    shape = (x.shape[0] + kernel.shape[0] - 1, x.shape[1] + kernel.shape[1] - 1)
    return np.real(np.fft.ifft2(np.fft.fft2(x, shape) * np.fft.fft2(kernel, shape)))


def _paired_difference(x: sp.Matrix, kernel: sp.Matrix) -> sp.Expr:
    """sum over pairs {(a, b), rotated (a, b)} of (w_ab - w_rot)(x_ab - x_rot): the centre drops out."""
    flat_x, flat_w = list(x), list(kernel)
    n = len(flat_x)
    return sp.Add(*[(flat_w[t] - flat_w[n - 1 - t]) * (flat_x[t] - flat_x[n - 1 - t]) for t in range(n // 2)])


def ex1a(w: Work) -> None:
    x, kernel = entries("x", 2, 2), entries("w", 2, 2)
    n = len(kernel)
    w.note(
        "One output position of a 2 × 2 kernel $w$ over a 2 × 2 window $x$ (larger kernels work the same way). "
        "Cross-correlation pairs $w_{ab}$ with $x_{ab}$; convolution pairs it with the pixel in the opposite "
        "position, $x_{3-a,\\,3-b}$:"
    )
    correlation = cross_correlation(x, kernel)[0, 0]
    convolution = _convolve(x, kernel)[0, 0]
    w.derive(r"y_{\mathrm{corr}}", correlation)
    w.derive(r"y_{\mathrm{conv}}", convolution)
    w.note("Turning the kernel by 180° first and then cross-correlating gives the convolution term for term:")
    rotated = cross_correlation(x, rotate_180(kernel))[0, 0]
    w.derive(r"y_{\mathrm{corr}}\big|_{w \to \operatorname{rot}_{180^\circ} w}", rotated)
    w.result(
        "conv_is_flipped_corr",
        sp.expand(rotated - convolution) == 0,
        "Convolution equals cross-correlation with the kernel rotated by 180°",
    )

    w.note(
        "The difference of the two outputs collects in pairs of opposite positions, so it vanishes for every "
        "image exactly when each weight equals its opposite, $w_{ab} = w_{3-a,\\,3-b}$: when the rotation leaves "
        "the kernel unchanged, that is, when it is symmetric about its centre."
    )
    paired = _paired_difference(x, kernel)
    if sp.expand(paired - (correlation - convolution)) != 0:
        raise AssertionError("the paired form does not equal the difference of the two outputs")
    w.derive(r"y_{\mathrm{corr}} - y_{\mathrm{conv}}", paired)
    centre_symmetric = {kernel[t]: kernel[n - 1 - t] for t in range(n // 2)}
    w.result(
        "centre_symmetric_enough",
        sp.expand(paired.xreplace(centre_symmetric)) == 0,
        "Same output from both operations for every kernel symmetric about its centre",
    )

    roberts = sp.Matrix(w.given.roberts)
    w.note(
        "Being a symmetric matrix is a different condition: it asks for $w_{12} = w_{21}$ but not for "
        "$w_{11} = w_{22}$. The Roberts cross kernel\n\n$$\nw = [[given.roberts]]\n$$\n\nequals its transpose, "
        "but the rotation changes its sign. The two outputs are"
    )
    values = {kernel[t]: roberts[t] for t in range(n)}
    by_correlation = w.derive(r"y_{\mathrm{corr}}", correlation, values)
    by_convolution = w.derive(r"y_{\mathrm{conv}}", convolution, values)
    w.note("For this kernel the convolution is the negative of the cross-correlation.")
    w.result(
        "transpose_symmetric_enough",
        roberts == roberts.T and sp.expand(by_correlation - by_convolution) == 0,
        "Same output from both operations for every kernel equal to its transpose",
    )

    rng = np.random.default_rng(9)
    image = rng.standard_normal((6, 7))
    random_kernel = rng.standard_normal((3, 3))

    def correlated(k: np.ndarray) -> np.ndarray:
        return ref.cross_correlate(image[None], k[None, None], padding="full")[0]

    theorem = _fft_convolve_full(image, random_kernel)
    gap = np.abs(theorem - correlated(random_kernel[::-1, ::-1])).max()
    w.check(
        "conv_is_flipped_corr",
        bool(gap < 1e-12),
        f"for a random 6 × 7 image and 3 × 3 kernel, the full convolution by the convolution theorem (NumPy FFT) "
        f"and the NumPy full cross-correlation with the rotated kernel differ by at most {gap:.1e}",
    )
    binomial = np.array(w.given.binomial, dtype=float)
    gap = np.abs(_fft_convolve_full(image, binomial) - correlated(binomial)).max()
    w.check(
        "centre_symmetric_enough",
        bool(gap < 1e-12),
        f"with the binomial kernel [[given.binomial]], symmetric about its centre, the FFT convolution and the "
        f"cross-correlation of the same image differ by at most {gap:.1e}",
    )
    roberts_array = np.array(w.given.roberts, dtype=float)
    numeric_conv, numeric_corr = _fft_convolve_full(image, roberts_array), correlated(roberts_array)
    w.check(
        "transpose_symmetric_enough",
        bool(np.allclose(numeric_conv, numeric_corr)),
        f"with the Roberts cross kernel the FFT convolution is the negative of the cross-correlation "
        f"(largest entry of their sum: {np.abs(numeric_conv + numeric_corr).max():.1e}; of the cross-correlation: "
        f"{np.abs(numeric_corr).max():.1f})",
    )


def _squared_error(output: np.ndarray, target: np.ndarray) -> float:
    return float(0.5 * ((output - target) ** 2).sum())


def ex1c(w: Work) -> None:
    x, kernel, delta = entries("x", 3, 3), entries("w", 2, 2), entries("delta", 2, 2)
    w.note(
        "Take a 3 × 3 input and a 2 × 2 kernel, and let $\\delta_{rc} = \\partial \\mathcal{L} / \\partial y_{rc}$ "
        "be the upstream gradient (whatever the loss and the layers after this one). By the chain rule "
        "$\\partial \\mathcal{L} / \\partial w_{ab} = \\sum_{rc} \\delta_{rc}\\, \\partial y_{rc} / \\partial w_{ab}$. "
        "For a layer that convolves with $w$, SymPy gives"
    )
    conv_loss = sum(delta[r, c] * _convolve(x, kernel)[r, c] for r in range(2) for c in range(2))
    conv_gradient = kernel.applyfunc(lambda entry: sp.diff(conv_loss, entry))
    w.derive(r"\frac{\partial \mathcal{L}}{\partial w}\Big|_{\mathrm{conv}}", conv_gradient)
    w.note(
        "For a layer that cross-correlates with a kernel, take its gradient at "
        "$\\tilde{w} = \\operatorname{rot}_{180^\\circ} w$ (the kernel that computes the same outputs) and rotate it "
        "back:"
    )
    v = sp.Matrix(2, 2, lambda r, c: sp.Dummy(f"v{r}{c}"))
    corr_loss = sum(delta[r, c] * cross_correlation(x, v)[r, c] for r in range(2) for c in range(2))
    corr_gradient = v.applyfunc(lambda entry: sp.diff(corr_loss, entry))
    corr_gradient = corr_gradient.xreplace(dict(zip(v, rotate_180(kernel), strict=True)))
    back = rotate_180(corr_gradient)
    w.derive(
        r"\operatorname{rot}_{180^\circ}\!\left(\frac{\partial \mathcal{L}}{\partial v}\Big|_{\mathrm{corr},\,"
        r"v = \operatorname{rot}_{180^\circ} w}\right)",
        back,
    )
    w.note(
        "The two are the same. So if the kernels start as rotations of each other, "
        "$\\tilde{w} = \\operatorname{rot}_{180^\\circ} w$, a gradient step "
        "$w \\leftarrow w - \\eta\\, \\partial \\mathcal{L}/\\partial w$ on one network and "
        "$\\tilde{w} \\leftarrow \\tilde{w} - \\eta\\, \\partial \\mathcal{L}/\\partial \\tilde{w}$ "
        "on the other keep them rotations of each other,"
        " and by induction so does every later step: the two networks compute the same function throughout."
    )
    w.result(
        "learned_kernels_flipped",
        sp.expand(conv_gradient - back) == sp.zeros(2, 2),
        "The two networks' kernels stay 180° rotations of each other",
    )

    rng = np.random.default_rng(3)
    image, target = rng.standard_normal((6, 6)), rng.standard_normal((4, 4))
    conv_kernel = rng.standard_normal((3, 3))
    corr_kernel = conv_kernel[::-1, ::-1].copy()

    def conv_loss_value(k: np.ndarray) -> float:  # valid part of the FFT convolution
        return _squared_error(_fft_convolve_full(image, k[0, 0])[2:-2, 2:-2], target)

    def corr_loss_value(k: np.ndarray) -> float:
        return _squared_error(ref.cross_correlate(image[None], k)[0], target)

    gaps = []
    for _ in range(5):
        conv_step = ref.numerical_gradient(conv_loss_value, conv_kernel[None, None])[0, 0]
        corr_step = ref.numerical_gradient(corr_loss_value, corr_kernel[None, None])[0, 0]
        conv_kernel = conv_kernel - 0.01 * conv_step
        corr_kernel = corr_kernel - 0.01 * corr_step
        gaps.append(np.abs(conv_kernel - corr_kernel[::-1, ::-1]).max())
    w.check(
        "learned_kernels_flipped",
        bool(max(gaps) < 1e-8),
        "five steps of gradient descent on a squared error, one network convolving by the FFT and one "
        "cross-correlating with the NumPy reference, with finite-difference gradients and rotated starting "
        f"kernels: after every step the kernels are rotations of each other to within {max(gaps):.1e}",
    )
