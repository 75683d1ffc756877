"""CENG 403 exam, Question 6: deformable convolution, its cost, and the gradient through bilinear sampling.

The checks run a small NumPy deformable convolution written here (offset branch by the reference
cross-correlation, bilinear sampling with the kernel max(0, 1 - |t|), main convolution by the
reference), counting every product it forms; the interpolation's derivatives are checked by finite
differences of that sampler.
"""

from __future__ import annotations

import itertools

import numpy as np
import sympy as sp

from solutions import reference as ref
from solutions.exercises.work import Work
from solutions.formulas import conv_macs, conv_params
from solutions.notation import indexed, symbol
from solutions.reference import layers


def _rounded(value: sp.Rational, digits: int) -> sp.Rational:
    """``value`` rounded half up to ``digits`` decimals, exactly."""
    scale = 10**digits
    return sp.Rational(sp.floor(value * scale + sp.Rational(1, 2)), scale)


def _bilinear(image: np.ndarray, x: float, y: float, counter: ref.MacCounter | None = None) -> np.ndarray:
    """Value of ``image`` (C, H, W) at the fractional point (x horizontal, y vertical), all channels.

    Every pixel weighs ``max(0, 1 - |col - x|) * max(0, 1 - |row - y|)``; only the (up to four)
    pixels with a non-zero weight are multiplied, and each product is counted.
    """
    value = np.zeros(image.shape[0])
    for row in range(int(np.floor(y)), int(np.floor(y)) + 2):
        for col in range(int(np.floor(x)), int(np.floor(x)) + 2):
            if not (0 <= row < image.shape[1] and 0 <= col < image.shape[2]):
                continue
            weight = max(0.0, 1 - abs(col - x)) * max(0.0, 1 - abs(row - y))
            value += weight * image[:, row, col]
            if counter is not None:
                counter.add(image.shape[0])
    return value


def _deformable_at(
    image: np.ndarray,
    centre: tuple[int, int],
    offset_weight: np.ndarray,
    weight: np.ndarray,
    counters: dict[str, ref.MacCounter],
) -> np.ndarray:
    """One output position of a 3 × 3 deformable convolution (stride 1), counting MACs per stage."""
    row, col = centre
    patch = image[:, row - 1 : row + 2, col - 1 : col + 2]
    offsets = ref.cross_correlate(patch, offset_weight, counter=counters["offsets"])[:, 0, 0]
    samples = np.zeros((image.shape[0], 3, 3))
    for n, (a, b) in enumerate(itertools.product((-1, 0, 1), repeat=2)):
        dy, dx = offsets[2 * n], offsets[2 * n + 1]
        samples[:, a + 1, b + 1] = _bilinear(image, col + b + dx, row + a + dy, counters["interpolation"])
    return ref.cross_correlate(samples, weight, counter=counters["main"])[:, 0, 0]


def q6a(w: Work) -> None:
    g = w.given
    k, c_in = g.kernel, g.in_channels
    points = w.let("K", "k_h * k_w", k_h=k, k_w=k)
    w.result("sampling_points", points, "Sampling points of one filter")
    w.note("The offset branch predicts an $x$ and a $y$ offset for every sampling point:")
    channels = w.let("C_out", "2 * K", K=points)
    w.result("offset_channels", channels, "Output channels of the offset branch (offsets per position)")
    w.result(
        "offset_params",
        conv_params(c_in, channels, k),
        "Parameters that deformable convolution adds (those of the offset branch)",
    )

    w.note("Costs per output position, for one output channel of the deformable layer:")
    standard = conv_macs((1, 1), c_in, 1, k)
    offsets = conv_macs((1, 1), c_in, channels, k)
    w.note(
        f"Each of the $K$ samples, in each of the $C_{{\\mathrm{{in}}}}$ channels, is a weighted sum of "
        f"{g.neighbours} pixels:"
    )
    interpolation = w.let("MACs", f"{g.neighbours} * K * C_in", K=points, C_in=c_in)
    w.note("The main convolution is the standard one, on the sampled values; in all,")
    total = w.let(
        "MACs", "MACs_off + MACs_int + MACs_main", MACs_off=offsets, MACs_int=interpolation, MACs_main=standard
    )
    deformable, plain = indexed("MACs", "def"), indexed("MACs", "std")
    ratio = w.derive(r"\text{ratio}", deformable / plain, {deformable: total, plain: standard})
    w.result("standard_macs", standard, "Standard convolution: MACs")
    w.result("offset_macs", offsets, "Offset branch: MACs")
    w.result("interpolation_macs", interpolation, "Bilinear interpolation: MACs")
    w.result("main_macs", standard, "Main convolution: MACs")
    w.result("total_macs", total, "Deformable convolution: MACs")
    w.result("cost_ratio", ratio, "Deformable against standard, one output channel")

    w.note(
        f"For a layer with {g.out_channels} output channels the offsets and samples are computed once and "
        "shared by all filters:"
    )
    layer_standard = conv_macs((1, 1), c_in, g.out_channels, k)
    layer_total = w.let(
        "MACs", "MACs_off + MACs_int + MACs_main", MACs_off=offsets, MACs_int=interpolation, MACs_main=layer_standard
    )
    layer_ratio = w.derive(r"\text{ratio}", deformable / plain, {deformable: layer_total, plain: layer_standard})
    w.result("layer_standard_macs", layer_standard, f"Standard layer, {g.out_channels} filters: MACs")
    w.result("layer_total_macs", layer_total, "Deformable layer: MACs")
    w.result("layer_ratio", _rounded(layer_ratio, 2), "Deformable against standard, whole layer, to two decimals")

    rng = np.random.default_rng(0)
    image = rng.standard_normal((c_in, 7, 7))
    offset_layer = layers.Conv(c_in, channels, k, fill=0.0)
    offset_weight = rng.standard_normal(offset_layer.weight.shape) * 0.02
    weight = rng.standard_normal((g.out_channels, c_in, k, k))
    stages = ("offsets", "interpolation", "main")
    one = {name: ref.MacCounter() for name in stages}
    _deformable_at(image, (3, 3), offset_weight, weight[:1], one)
    full = {name: ref.MacCounter() for name in stages}
    out = _deformable_at(image, (3, 3), offset_weight, weight, full)
    plain_counter = ref.MacCounter()
    regular = ref.cross_correlate(image[:, 2:5, 2:5], weight, counter=plain_counter)[:, 0, 0]
    at_zero = _deformable_at(image, (3, 3), np.zeros_like(offset_weight), weight, {n: ref.MacCounter() for n in stages})
    w.check("sampling_points", offset_layer.weight[0, 0].size, f"a NumPy {k}×{k} kernel slice has {k * k} taps")
    w.check(
        "offset_channels",
        offset_layer(image[:, 2:5, 2:5]).shape[0],
        f"the NumPy offset branch returns {channels} values at one position",
    )
    w.check("offset_params", offset_layer.num_parameters, f"a NumPy `Conv({c_in}, {channels}, {k})` holds that many")
    w.check(
        "standard_macs",
        plain_counter.macs // g.out_channels,
        f"a NumPy {k}×{k} cross-correlation at one position forms {plain_counter.macs:,} products for "
        f"{g.out_channels} filters",
    )
    w.check(
        "offset_macs",
        one["offsets"].macs,
        "a NumPy deformable convolution at one position (offset branch, bilinear sampling, main convolution) "
        f"counts {one['offsets'].macs:,} products in its offset branch",
    )
    w.check("interpolation_macs", one["interpolation"].macs, f"{one['interpolation'].macs:,} in its sampling")
    w.check("main_macs", one["main"].macs, f"{one['main'].macs:,} in its main convolution (one filter)")
    w.check("total_macs", sum(c.macs for c in one.values()), "the three stages together")
    w.check("cost_ratio", sum(c.macs for c in one.values()) / one["main"].macs, "against the standard filter's count")
    w.check(
        "layer_standard_macs",
        plain_counter.macs,
        f"the NumPy cross-correlation with all {g.out_channels} filters",
    )
    w.check(
        "layer_total_macs",
        sum(c.macs for c in full.values()),
        f"the NumPy deformable convolution with all {g.out_channels} filters; with zero offsets it reproduces the "
        f"standard convolution ({'yes' if np.allclose(at_zero, regular) else 'no'}), and with non-zero offsets "
        f"it does not ({'yes' if not np.allclose(out, regular) else 'no'})",
    )
    w.check(
        "layer_ratio",
        round(sum(c.macs for c in full.values()) / plain_counter.macs, 2),
        f"{sum(c.macs for c in full.values()) / plain_counter.macs:.4f}",
    )


def q6b(w: Work) -> None:
    g = w.given
    points = w.let("K", "k_h * k_w", k_h=g.kernel, k_w=g.kernel)
    depth_symbol, taps = symbol("L"), symbol("K")
    paths = w.derive(r"\text{paths}", taps**depth_symbol, {taps: points, depth_symbol: g.layers})
    w.result("sampling_points", paths, "Sampling points of a unit three deformable layers deep")
    w.note("On the regular grid those paths only reach the unit's receptive field (stride 1, derived in 3(b)):")
    field = w.let("r", "1 + L*(k - 1)", L=g.layers, k=g.kernel)
    distinct = w.derive(r"\text{pixels}", symbol("r") ** 2, {symbol("r"): field})
    w.result("fixed_field", field, "Receptive field of the regular grid (per side)")
    w.result("fixed_positions", distinct, "Distinct pixels the regular paths reach")

    grid = list(itertools.product((-1, 0, 1), repeat=2))
    regular = {tuple(np.sum(path, axis=0)) for path in itertools.product(grid, repeat=g.layers)}
    rng = np.random.default_rng(0)
    moved = {
        tuple(np.round(np.sum(path, axis=0) + rng.uniform(-0.5, 0.5, size=2), 9))
        for path in itertools.product(grid, repeat=g.layers)
    }
    count = len(list(itertools.product(grid, repeat=g.layers)))
    w.check(
        "sampling_points",
        count,
        f"enumerating the paths through {g.layers} NumPy grids of {g.kernel}×{g.kernel} offsets gives {count}; with a "
        f"random fractional offset added to each, {len(moved)} distinct points",
    )
    stack = [layers.Conv(1, 1, g.kernel, fill=1.0) for _ in range(g.layers)]
    mask = ref.receptive_field_mask(stack, (1, 9, 9), (1, 1))
    w.check("fixed_positions", len(regular), f"the enumerated regular paths end on {len(regular)} distinct pixels")
    w.check(
        "fixed_field",
        ref.receptive_field_extent(mask)[0][0],
        f"a one-hot gradient sent back through {g.layers} all-ones NumPy convolutions marks {int(mask.sum())} pixels, "
        f"a square of side {ref.receptive_field_extent(mask)[0][0]}",
    )


def q6c(w: Work) -> None:
    g = w.given
    dx, dy = symbol("dx"), symbol("dy")
    point = {dx: g.offset[0], dy: g.offset[1]}
    other = {dx: g.other_offset[0], dy: g.other_offset[1]}
    half = sp.Rational(1, 2)
    rounding = sp.Matrix([[sp.floor(dx + half), sp.floor(dy + half)]])
    w.note("Rounding to the nearest pixel, for the two offsets:")
    w.result("rounded", w.derive(r"\operatorname{round}(\Delta x, \Delta y)", rounding, point)[0], "Rounded offset")
    w.result(
        "rounded_other",
        w.derive(r"\operatorname{round}(\Delta x, \Delta y)", rounding, other)[0],
        "Rounded second offset",
    )
    corner = w.derive(r"\text{top-left pixel}", sp.Matrix([[sp.floor(dx), sp.floor(dy)]]), point)[0]
    x0, y0 = corner
    neighbours = [[x0, y0], [x0 + 1, y0], [x0, y0 + 1], [x0 + 1, y0 + 1]]
    w.result("neighbours", neighbours, "The four neighbouring pixels (horizontal, vertical)")

    w.note(
        "In the cell between those pixels, $\\kappa(t) = \\max(0, 1 - |t|)$ reduces to linear functions, and the "
        "weight $G_{ab}$ of pixel $(a, b)$ (value $x_{ab}$) is a product of two of them. For pixel (2, 2):"
    )
    left, top = x0, y0

    def weight(a: int, b: int) -> sp.Expr:
        horizontal = (dx - left) if a == left + 1 else (left + 1 - dx)
        vertical = (dy - top) if b == top + 1 else (top + 1 - dy)
        return horizontal * vertical

    g22 = weight(left + 1, top)
    w.result("weight_22", w.derive("G_{22}", g22, point), "Weight of pixel (2, 2)")
    w.result(
        "dweight_22_ddx",
        w.derive(r"\partial G_{22} / \partial \Delta x", sp.diff(g22, dx), point),
        r"Its derivative with respect to $\Delta x$",
    )
    values = [w.derive(f"G_{{{a}{b}}}", weight(a, b), point) for a, b in neighbours[:1] + neighbours[2:]]
    w.result(
        "weights",
        [values[0], w.results["weight_22"].value, values[1], values[2]],
        "Weights of the four pixels, in the order above",
    )
    pixels = {(a, b): indexed("x", f"{a}{b}") for a, b in neighbours}
    sampled = sum(weight(a, b) * pixels[(a, b)] for a, b in neighbours)
    w.note("The sampled value $v = \\sum G_{ab} x_{ab}$ and its derivatives at the point:")
    x12, x22, x13, x23 = (pixels[tuple(pixel)] for pixel in neighbours)
    by_dx = (top + 1 - dy) * (x22 - x12) + (dy - top) * (x23 - x13)
    by_dy = (left + 1 - dx) * (x13 - x12) + (dx - left) * (x23 - x22)
    if sp.expand(by_dx - sp.diff(sampled, dx)) != 0 or sp.expand(by_dy - sp.diff(sampled, dy)) != 0:
        raise AssertionError("the grouped derivatives differ from SymPy's")
    for key, lhs, general, first, second in (
        ("dv_ddx", r"\partial v / \partial \Delta x", by_dx, (x22 - x12), (x23 - x13)),
        ("dv_ddy", r"\partial v / \partial \Delta y", by_dy, (x13 - x12), (x23 - x22)),
    ):
        w.derive(lhs, general)
        weights_here = [sp.nsimplify(general.coeff(pair).xreplace(point)) for pair in (first, second)]
        at_point = sp.Add(
            *(sp.Mul(c, pair, evaluate=False) for c, pair in zip(weights_here, (first, second), strict=True)),
            evaluate=False,
        )
        if sp.expand(at_point - general.xreplace(point)) != 0:
            raise AssertionError(f"{key}: the grouped value differs from the substituted derivative")
        w.result(key, w.derive(lhs, at_point), f"${lhs}$ at the point")

    offset = np.array(g.offset, dtype=float)
    w.check("rounded", np.rint(offset), f"`np.rint` of {offset.tolist()}")
    w.check(
        "rounded_other",
        np.rint(np.array(g.other_offset, dtype=float)),
        f"`np.rint` of {[float(v) for v in g.other_offset]}",
    )
    size = 5
    read = {}
    for row in range(size):
        for col in range(size):
            one_hot = np.zeros((1, size, size))
            one_hot[0, row, col] = 1.0
            value = _bilinear(one_hot, *offset)[0]
            if value:
                read[(col, row)] = value
    w.check(
        "neighbours",
        [list(pixel) for pixel in sorted(read, key=lambda p: (p[1], p[0]))],
        "sampling one-hot NumPy images with the bilinear kernel max(0, 1 − |t|): only these pixels contribute",
    )
    w.check("weight_22", read[(2, 2)], f"the one-hot image at pixel (2, 2) is read with weight {read[(2, 2)]:.4f}")
    w.check(
        "weights",
        [read[(a, b)] for a, b in neighbours],
        f"the four one-hot weights, which sum to {sum(read.values()):.4f}",
    )
    step = 1e-4  # the sampler is linear in each offset inside a cell: no truncation error
    one_hot = np.zeros((1, size, size))
    one_hot[0, 2, 2] = 1.0
    slope = (
        _bilinear(one_hot, offset[0] + step, offset[1])[0] - _bilinear(one_hot, offset[0] - step, offset[1])[0]
    ) / (2 * step)
    w.check("dweight_22_ddx", slope, f"central difference of that weight in $\\Delta x$: {slope:.6f}")
    image = np.random.default_rng(0).standard_normal((1, size, size))
    at = {f"x_{a}{b}": float(image[0, b, a]) for a, b in neighbours}
    for key, shift in (("dv_ddx", (step, 0.0)), ("dv_ddy", (0.0, step))):
        plus = _bilinear(image, offset[0] + shift[0], offset[1] + shift[1])[0]
        minus = _bilinear(image, offset[0] - shift[0], offset[1] - shift[1])[0]
        difference = (plus - minus) / (2 * step)
        w.check_at(
            key,
            at,
            difference,
            f"central differences of the NumPy sampler on a random 5×5 image: {difference:.6f}",
        )
