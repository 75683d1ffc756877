"""The one notation used by every formula, derivation and page.

Each quantity is declared once, with its SymPy symbol (and the assumptions that make simplification
valid), its LaTeX, its meaning and the PyTorch argument it corresponds to. Formulas build their
expressions from these symbols, the LaTeX printer takes their names from here, and the Notation page
is generated from :data:`NOTATION`.

The per-dimension letters follow Dumoulin and Visin, "A guide to convolution arithmetic for deep
learning" (2016): input size ``i``, kernel ``k``, stride ``s``, padding ``p``, output size ``o``.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

__all__ = ["INDICES", "NOTATION", "Notation", "indexed", "latex_names", "rank", "symbol"]


@dataclass(frozen=True)
class Notation:
    """One quantity of the notation."""

    key: str
    latex: str
    meaning: str
    pytorch: str = ""
    domain: str = "positive integer"  # see _ASSUMPTIONS

    @property
    def symbol(self) -> sp.Symbol:
        return _SYMBOLS[self.key]


_ASSUMPTIONS = {
    "positive integer": {"integer": True, "positive": True},
    "nonnegative integer": {"integer": True, "nonnegative": True},
    "integer": {"integer": True},
    "positive": {"positive": True},
    "real": {"real": True},
}

_N = Notation
_ENTRIES: tuple[Notation, ...] = (
    # The order is the reading order of printed sums: a term whose first symbol comes earlier here
    # is printed first (i + 2p - k_eff, W + b C_out, u_prev - p j_prev).
    # Sizes along one spatial dimension (per layer).
    _N("i", "i", "input size along one spatial dimension", "L_in / H_in / W_in / D_in"),
    _N("o", "o", "output size along one spatial dimension", "L_out / H_out / W_out / D_out"),
    _N("i_d", "i_D", "input depth (frames of a video)", "D_in"),
    _N("i_h", "i_H", "input height", "H_in"),
    _N("i_w", "i_W", "input width", "W_in"),
    _N("o_d", "o_D", "output depth (frames)", "D_out"),
    _N("o_h", "o_H", "output height", "H_out"),
    _N("o_w", "o_W", "output width", "W_out"),
    _N(
        "o_full",
        r"o_{\mathrm{full}}",
        "length of a transposed convolution's scatter-add canvas before cropping",
        "",
    ),
    _N(
        "o_ceil",
        r"o_{\lceil\rceil}",
        "pooling output size before PyTorch drops a window that starts in the right padding",
        "",
    ),
    # Receptive field (Araujo et al., 2019).
    _N("r_prev", r"r_{\ell-1}", "receptive field size before layer ℓ (1 for the input)", ""),
    _N(
        "r",
        "r",
        "receptive field size: input positions from the first to the last one an output unit reads",
        "",
    ),
    _N("u_prev", r"u_{\ell-1}", "start before layer ℓ (0 for the input)", "", "integer"),
    _N(
        "u",
        "u",
        "start: input index of the first position output unit 0 reads (negative inside the padding)",
        "",
        "integer",
    ),
    _N("j_prev", r"j_{\ell-1}", "jump before layer ℓ (1 for the input)", ""),
    _N("j", "j", "jump: input positions between adjacent output units (effective stride)", ""),
    # Counts.
    _N("W", "W", "number of weights (learnable, without biases)", ""),
    _N("W_std", r"W_{\mathrm{std}}", "weights of the standard (unfactorised) layer", ""),
    _N("W_sep", r"W_{\mathrm{sep}}", "weights of the factorised (separable) replacement", ""),
    _N("P", "P", "number of learnable parameters (weights and biases)", "parameters()"),
    _N(
        "B",
        "B",
        "number of buffer entries (running statistics and counters, not learned)",
        "buffers()",
        "nonnegative integer",
    ),
    _N("MACs", r"\mathrm{MACs}", "multiply-accumulate operations for one input (batch size 1)", ""),
    _N("M", "M", "memory in bytes", "nbytes"),
    _N("e", "e", "bytes per stored number (4 for float32)", "element_size()"),
    _N("n_train", r"n_{\mathrm{train}}", "training examples a rule of thumb asks for", ""),
    _N("O", "O", "output positions: the product of the output sizes", ""),
    _N("I", "I", "input positions: the product of the input sizes", ""),
    _N("K", "K", "kernel volume: the product of the kernel sizes", ""),
    # Channels and features.
    _N("C_in", r"C_{\mathrm{in}}", "input channels", "in_channels"),
    _N("C_out", r"C_{\mathrm{out}}", "output channels (number of filters)", "out_channels"),
    _N("C_mid", r"C_{\mathrm{mid}}", "channels between two factorised convolutions", ""),
    _N("C", "C", "channels normalised by batch normalisation", "num_features"),
    _N("g", "g", "groups: channels split into g independent groups", "groups"),
    _N("m", "m", "channel multiplier of a depthwise convolution", "out_channels / in_channels"),
    _N("n_in", r"n_{\mathrm{in}}", "input features of a fully connected layer", "in_features"),
    _N("n_out", r"n_{\mathrm{out}}", "output features of a fully connected layer", "out_features"),
    _N("b", "b", "1 if the layer has a bias, else 0", "bias", "nonnegative integer"),
    # Layer hyperparameters along one spatial dimension.
    _N("p", "p", "zero padding added to each side", "padding", "nonnegative integer"),
    _N("p_left", r"p_{\mathrm{left}}", "padding before the input (left/top)", "", "nonnegative integer"),
    _N("p_right", r"p_{\mathrm{right}}", "padding after the input (right/bottom)", "", "nonnegative integer"),
    _N(
        "a",
        "a",
        "extra size kept at the far end by a transposed convolution",
        "output_padding",
        "nonnegative integer",
    ),
    _N("k", "k", "kernel size along one spatial dimension", "kernel_size"),
    _N("k_d", "k_D", "kernel depth (frames)", "kernel_size[0] of a 3-d kernel"),
    _N("k_h", "k_H", "kernel height", "kernel_size[-2]"),
    _N("k_w", "k_W", "kernel width", "kernel_size[-1]"),
    _N("k_eff", r"\hat{k}", "effective (dilated) kernel size, d(k - 1) + 1", ""),
    _N("s", "s", "stride", "stride"),
    _N("d", "d", "dilation: distance between adjacent kernel taps", "dilation"),
    _N("dx", r"\Delta x", "horizontal offset of a deformable convolution's sampling point (pixels)", "offset", "real"),
    _N("dy", r"\Delta y", "vertical offset of a deformable convolution's sampling point (pixels)", "offset", "real"),
    # Stacks and ratios.
    _N("N", "N", "number of spatial dimensions (1, 2 or 3)", "Conv1d / Conv2d / Conv3d"),
    _N("L", "L", "number of layers in a stack", ""),
    _N("ell", r"\ell", "index of a layer in a stack, from 1", ""),
    _N("rho", r"\rho", "cost ratio: factorised over standard", "", "positive"),
    # Values flowing through a layer; indexed as x_12 (row 1, column 2, counted from 1).
    _N("x", "x", "input values of a layer", "input", "real"),
    _N("w", "w", "kernel weights", "weight", "real"),
    _N(
        "w_rot",
        r"\tilde{w}",
        "the kernel rotated by 180° (flipped along every spatial axis)",
        "weight.flip(...)",
        "real",
    ),
    _N("v", "v", "a value sampled between pixels by bilinear interpolation", "grid_sample output", "real"),
    _N("tau", r"\tau", "shift of a translation, in positions", "torch.roll shifts", "integer"),
    _N("G", "G", "weight of one neighbouring pixel in bilinear interpolation (G_ab for pixel a, b)", "", "real"),
    _N("kappa", r"\kappa", "the bilinear (tent) kernel, kappa(t) = max(0, 1 - |t|)", "", "real"),
    _N("f", "f", "the function a layer or a network computes", "module.forward", "real"),
    _N("T", "T", "a transformation of the input: a translation, rotation or scaling", "", "real"),
    _N("eta", r"\eta", "learning rate of a gradient step", "lr", "positive"),
    _N("A", "A", "the matrix of a linear system (a convolution written as a matrix)", "", "real"),
    _N("gamma", r"\gamma", "learnable scale of batch normalisation, one per channel", "bn.weight", "real"),
    _N("beta", r"\beta", "learnable shift of batch normalisation, one per channel", "bn.bias", "real"),
    _N("R", "R", "a rotation of the image plane, as an operator on images and kernels", "torch.rot90", "real"),
    _N("y", "y", "output values of a layer", "output", "real"),
    _N("loss", r"\mathcal{L}", "scalar loss being differentiated", "", "real"),
    _N(
        "delta",
        r"\delta",
        "upstream gradient: the loss's derivative with respect to a layer's output",
        "grad_output",
        "real",
    ),
    _N(
        "z",
        "z",
        "output values of a transposed convolution (where a convolution's y is on the same page)",
        "output",
        "real",
    ),
)

NOTATION: dict[str, Notation] = {entry.key: entry for entry in _ENTRIES}

# Letters that only count or point (an entry, a channel, a position), never a quantity of their own;
# math may use them alone ("filter $c$") and in subscripts (x_{rc}), as may any notation letter.
INDICES: dict[str, str] = {
    "c": "index of a channel or filter, or of a column (row r, column c)",
    "t": "index of a position along one dimension",
    "n": "index of an output position (of a transposed convolution's canvas, say)",
}


def _make_symbol(entry: Notation) -> sp.Symbol:
    return sp.Symbol(entry.key, **_ASSUMPTIONS[entry.domain])


_SYMBOLS: dict[str, sp.Symbol] = {entry.key: _make_symbol(entry) for entry in _ENTRIES}
_RANK: dict[sp.Symbol, int] = {_SYMBOLS[entry.key]: n for n, entry in enumerate(_ENTRIES)}


def symbol(key: str) -> sp.Symbol:
    """The SymPy symbol of a notation key, e.g. ``symbol("k")``."""
    try:
        return _SYMBOLS[key]
    except KeyError:
        known = ", ".join(NOTATION)
        raise KeyError(f"{key!r} is not in the notation; known keys: {known}") from None


def indexed(key: str, index: int | str) -> sp.Symbol:
    """``key`` with a subscript: layer ``index`` of a stack (``k_1``) or an entry (``x_12``); same domain."""
    return sp.Symbol(f"{key}_{index}", **_ASSUMPTIONS[NOTATION[key].domain])


def latex_names() -> dict[sp.Symbol, str]:
    """LaTeX for every notation symbol, for SymPy's ``latex(symbol_names=...)``."""
    return {_SYMBOLS[key]: entry.latex for key, entry in NOTATION.items()}


def rank(sym: sp.Symbol) -> int:
    """Reading order of a symbol in printed sums (input sizes first, constants last)."""
    if sym in _RANK:
        return _RANK[sym]
    base, _, index = sym.name.rpartition("_")
    if index.isdigit() and base in _SYMBOLS:  # a layer's copy, k_1, s_2, ...
        return _RANK[_SYMBOLS[base]]
    return len(_RANK)
