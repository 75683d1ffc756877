"""Naive pure-Python loop versions of the references, and hypothesis strategies for their arguments.

These loops use the textbook output-size formulas and gather-style indexing, so they share neither
code nor method with ``solutions.reference`` (which enumerates windows and vectorises per tap).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from hypothesis import strategies as st


def out_len(n: int, k: int, s: int, left: int, right: int, d: int) -> int:
    return (n + left + right - d * (k - 1) - 1) // s + 1


def naive_conv(x, w, b, stride, pads, dilation, groups):
    """Cross-correlation by loops; returns (output, number of multiplications performed)."""
    ndim = x.ndim - 1
    c_in, c_out = x.shape[0], w.shape[0]
    cin_g, cout_g = c_in // groups, c_out // groups
    kernel = w.shape[2:]
    sizes = [out_len(x.shape[1 + i], kernel[i], stride[i], *pads[i], dilation[i]) for i in range(ndim)]
    out = np.zeros((c_out, *sizes))
    macs = 0
    for o in range(c_out):
        g = o // cout_g
        for pos in itertools.product(*(range(n) for n in sizes)):
            acc = 0.0 if b is None else float(b[o])
            for c in range(cin_g):
                for tap in itertools.product(*(range(k) for k in kernel)):
                    idx = [pos[i] * stride[i] + tap[i] * dilation[i] - pads[i][0] for i in range(ndim)]
                    inside = all(0 <= idx[i] < x.shape[1 + i] for i in range(ndim))
                    value = float(x[(g * cin_g + c, *idx)]) if inside else 0.0
                    acc += value * float(w[(o, c, *tap)])
                    macs += 1
            out[(o, *pos)] = acc
    return out, macs


def naive_conv_transpose(x, w, b, stride, padding, output_padding, dilation, groups):
    """Transposed convolution by gathering: output j collects input i and tap t with i*s + t*d - p == j."""
    ndim = x.ndim - 1
    c_in = x.shape[0]
    cin_g, cout_g = c_in // groups, w.shape[1]
    c_out = cout_g * groups
    kernel = w.shape[2:]
    sizes = [
        (x.shape[1 + i] - 1) * stride[i] - 2 * padding[i] + dilation[i] * (kernel[i] - 1) + output_padding[i] + 1
        for i in range(ndim)
    ]
    out = np.zeros((c_out, *sizes))
    for o in range(c_out):
        g = o // cout_g
        for pos in itertools.product(*(range(n) for n in sizes)):
            acc = 0.0 if b is None else float(b[o])
            for c in range(cin_g):
                for tap in itertools.product(*(range(k) for k in kernel)):
                    idx = []
                    for i in range(ndim):
                        q, r = divmod(pos[i] + padding[i] - tap[i] * dilation[i], stride[i])
                        idx.append(q if r == 0 and 0 <= q < x.shape[1 + i] else None)
                    if None not in idx:
                        acc += float(x[(g * cin_g + c, *idx)]) * float(w[(g * cin_g + c, o % cout_g, *tap)])
            out[(o, *pos)] = acc
    # The scatter form multiplies every input element by every tap for every output channel of its group.
    macs = 0
    for _element in itertools.product(*(range(n) for n in x.shape)):
        for _tap in itertools.product(*(range(k) for k in kernel)):
            for _o in range(cout_g):
                macs += 1
    return out, macs


def torch_pool_len(n: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    """PyTorch's pooling_output_shape (aten/src/ATen/native/Pool.h), transcribed."""
    numerator = n + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)
    size = numerator // s + 1
    if ceil_mode and (size - 1) * s >= n + p:
        size -= 1
    return size


def naive_pool(x, kernel, stride, padding, dilation, ceil_mode, mode, count_include_pad=True):
    """Max/avg pooling with PyTorch's CPU loop logic (start = o*s - p; clip ends; divisor rules)."""
    ndim = x.ndim - 1
    sizes = [
        torch_pool_len(x.shape[1 + i], kernel[i], stride[i], padding[i], dilation[i], ceil_mode) for i in range(ndim)
    ]
    out = np.zeros((x.shape[0], *sizes))
    for c in range(x.shape[0]):
        for pos in itertools.product(*(range(n) for n in sizes)):
            begins = [pos[i] * stride[i] - padding[i] for i in range(ndim)]
            if mode == "max":
                best = -math.inf
                for tap in itertools.product(*(range(k) for k in kernel)):
                    idx = [begins[i] + tap[i] * dilation[i] for i in range(ndim)]
                    if all(0 <= idx[i] < x.shape[1 + i] for i in range(ndim)):
                        best = max(best, float(x[(c, *idx)]))
                out[(c, *pos)] = best
            else:
                total = 0.0
                ends = [min(begins[i] + kernel[i], x.shape[1 + i] + padding[i]) for i in range(ndim)]
                pool_size = math.prod(ends[i] - begins[i] for i in range(ndim))
                lo = [max(begins[i], 0) for i in range(ndim)]
                hi = [min(ends[i], x.shape[1 + i]) for i in range(ndim)]
                for idx in itertools.product(*(range(lo[i], hi[i]) for i in range(ndim))):
                    total += float(x[(c, *idx)])
                divisor = pool_size if count_include_pad else math.prod(hi[i] - lo[i] for i in range(ndim))
                out[(c, *pos)] = total / divisor
    return out


@st.composite
def conv_cases(draw, max_ndim=3, strings=True):
    """Arguments for a small conv: shapes, stride, padding (int, tuple or string), dilation, groups."""
    ndim = draw(st.integers(1, max_ndim))
    small = ndim == 3
    groups = draw(st.integers(1, 2 if small else 3))
    cin = groups * draw(st.integers(1, 2))
    cout = groups * draw(st.integers(1, 2))
    kernel = tuple(draw(st.integers(1, 2 if small else 3)) for _ in range(ndim))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(ndim))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(ndim))
    choice = draw(st.sampled_from(["int", "tuple", "valid", "same", "full"] if strings else ["int", "tuple"]))
    if choice == "same" and any(s != 1 for s in stride):
        stride = (1,) * ndim
    if choice == "int":
        padding = draw(st.integers(0, 2))
        pads = [(padding, padding)] * ndim
    elif choice == "tuple":
        padding = tuple(draw(st.integers(0, 2)) for _ in range(ndim))
        pads = [(p, p) for p in padding]
    else:
        padding = choice
        totals = [d * (k - 1) for k, d in zip(kernel, dilation, strict=True)]
        pads = {
            "valid": [(0, 0) for _ in totals],
            "full": [(t, t) for t in totals],
            "same": [(t // 2, t - t // 2) for t in totals],
        }[choice]
    spatial = []
    for k, d, (left, right) in zip(kernel, dilation, pads, strict=True):
        least = max(1, d * (k - 1) + 1 - left - right)
        spatial.append(draw(st.integers(least, least + (2 if small else 4))))
    seed = draw(st.integers(0, 2**32 - 1))
    with_bias = draw(st.booleans())
    return {
        "ndim": ndim,
        "groups": groups,
        "cin": cin,
        "cout": cout,
        "kernel": kernel,
        "stride": stride,
        "padding": padding,
        "pads": pads,
        "dilation": dilation,
        "spatial": tuple(spatial),
        "seed": seed,
        "bias": with_bias,
    }


def conv_arrays(case):
    rng = np.random.default_rng(case["seed"])
    x = rng.standard_normal((case["cin"], *case["spatial"]))
    w = rng.standard_normal((case["cout"], case["cin"] // case["groups"], *case["kernel"]))
    b = rng.standard_normal(case["cout"]) if case["bias"] else None
    return x, w, b


@st.composite
def transpose_cases(draw, max_ndim=3):
    ndim = draw(st.integers(1, max_ndim))
    small = ndim == 3
    groups = draw(st.integers(1, 2))
    cin = groups * draw(st.integers(1, 2))
    cout = groups * draw(st.integers(1, 2))
    kernel = tuple(draw(st.integers(1, 2 if small else 3)) for _ in range(ndim))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(ndim))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(ndim))
    output_padding = tuple(draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dilation, strict=True))
    spatial = tuple(draw(st.integers(1, 2 if small else 4)) for _ in range(ndim))
    padding = []
    for n, k, s, d, op in zip(spatial, kernel, stride, dilation, output_padding, strict=True):
        full = (n - 1) * s + d * (k - 1) + 1 + op
        padding.append(draw(st.integers(0, min(2, (full - 1) // 2))))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((cin, *spatial))
    w = rng.standard_normal((cin, cout // groups, *kernel))
    b = rng.standard_normal(cout) if draw(st.booleans()) else None
    args = {
        "stride": stride,
        "padding": tuple(padding),
        "output_padding": output_padding,
        "dilation": dilation,
        "groups": groups,
    }
    return x, w, b, args


@st.composite
def pool_cases(draw, max_ndim=3, with_dilation=True):
    ndim = draw(st.integers(1, max_ndim))
    small = ndim == 3
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(ndim))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(ndim))
    padding = tuple(draw(st.integers(0, k // 2)) for k in kernel)
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(ndim)) if with_dilation else (1,) * ndim
    ceil_mode = draw(st.booleans())
    spatial = []
    for k, p, d in zip(kernel, padding, dilation, strict=True):
        least = max(1, d * (k - 1) + 1 - 2 * p)
        spatial.append(draw(st.integers(least, least + (3 if small else 5))))
    channels = draw(st.integers(1, 2))
    seed = draw(st.integers(0, 2**32 - 1))
    x = np.random.default_rng(seed).standard_normal((channels, *spatial))
    return x, kernel, stride, padding, dilation, ceil_mode
