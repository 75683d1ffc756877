"""NumPy layers that own real arrays, to count parameters, buffers and MACs by construction.

A parameter count on the site is checked by allocating the layer's arrays and adding up their sizes,
and a MAC count by running a forward pass through the references with a :class:`MacCounter`. Shapes,
argument names and defaults follow ``torch.nn``; inputs are ``(C, *spatial)`` without a batch axis.
MACs are counted for Linear, Conv and ConvTranspose (the products of inputs with weights); pooling,
ReLU, BatchNorm and Flatten add none.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from solutions.errors import InvalidInputError, check_bool, check_int, check_spatial
from solutions.reference._common import allocate, as_array, check_counter, check_groups, check_real, resolve_padding
from solutions.reference.correlate import cross_correlate
from solutions.reference.counting import MacCounter
from solutions.reference.pooling import avg_pool, max_pool
from solutions.reference.transposed import conv_transpose

__all__ = [
    "AvgPool",
    "BatchNorm",
    "Conv",
    "ConvTranspose",
    "Flatten",
    "Layer",
    "Linear",
    "MaxPool",
    "ReLU",
    "Sequential",
]

Spatial = int | tuple[int, ...]


class Layer:
    """Base class: arrays it owns, their sizes, and a forward pass."""

    def parameters(self) -> list[np.ndarray]:
        """The learnable arrays (as ``torch.nn.Module.parameters()``)."""
        return []

    def buffers(self) -> list[np.ndarray]:
        """The non-learnable state arrays (as ``torch.nn.Module.buffers()``)."""
        return []

    @property
    def num_parameters(self) -> int:
        """Total number of learnable scalars: the sum of ``.size`` over :meth:`parameters`."""
        return sum(int(p.size) for p in self.parameters())

    @property
    def num_buffers(self) -> int:
        """Total number of buffer scalars: the sum of ``.size`` over :meth:`buffers`."""
        return sum(int(b.size) for b in self.buffers())

    def forward(self, x: Any, counter: MacCounter | None = None) -> np.ndarray:
        """Apply the layer to ``x`` of shape ``(C, *spatial)``, adding its MACs to ``counter``."""
        raise NotImplementedError

    def __call__(self, x: Any, counter: MacCounter | None = None) -> np.ndarray:
        return self.forward(x, counter)


def _initial(shape: tuple[int, ...], fan_in: int, rng: np.random.Generator, fill: float | None) -> np.ndarray:
    if fill is not None:
        return allocate(shape, fill)
    bound = 1.0 / np.sqrt(fan_in)  # PyTorch's default range; only the determinism matters here
    allocate(shape)  # refuses sizes beyond the references' budget before drawing
    return rng.uniform(-bound, bound, size=shape)


def _init_args(seed: Any, fill: Any) -> tuple[np.random.Generator, float | None]:
    seed = check_int("seed", seed, minimum=0)
    if fill is not None:
        fill = check_real("fill", fill)
    return np.random.default_rng(seed), fill


def _check_ndim(ndim: Any) -> int:
    ndim = check_int("ndim", ndim)
    if ndim > 3:
        raise InvalidInputError("ndim", ndim, "1, 2 or 3")
    return ndim


def _check_input(x: Any, channels: int, ndim: int, name: str) -> np.ndarray:
    what = f"an array (C={channels}, *spatial) with {ndim} spatial axes for {name}"
    x = as_array("x", x, ndims=(ndim + 1,), what=what)
    if x.shape[0] != channels:
        raise InvalidInputError("x", f"array of shape {x.shape}", what)
    return x


class Linear(Layer):
    """``torch.nn.Linear``: ``weight`` ``(out_features, in_features)``, ``bias`` ``(out_features,)``."""

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        *,
        seed: int = 0,
        fill: float | None = None,
    ) -> None:
        self.in_features = check_int("in_features", in_features)
        self.out_features = check_int("out_features", out_features)
        rng, fill = _init_args(seed, fill)
        self.weight = _initial((self.out_features, self.in_features), self.in_features, rng, fill)
        self.bias = _initial((self.out_features,), self.in_features, rng, fill) if check_bool("bias", bias) else None

    def parameters(self) -> list[np.ndarray]:
        return [self.weight] + ([] if self.bias is None else [self.bias])

    def forward(self, x: Any, counter: MacCounter | None = None) -> np.ndarray:
        """``x`` is ``(..., in_features)``; every input × weight product is counted."""
        what = f"an array (..., in_features={self.in_features})"
        x = as_array("x", x, ndims=tuple(range(1, 9)), what=what)
        if x.shape[-1] != self.in_features:
            raise InvalidInputError("x", f"array of shape {x.shape}", what)
        counter = check_counter(counter)
        products = x[..., None, :] * self.weight  # (..., out_features, in_features)
        if counter is not None:
            counter.add(products.size)
        out = products.sum(axis=-1)
        return out if self.bias is None else out + self.bias


class Conv(Layer):
    """``torch.nn.Conv{ndim}d``: ``weight`` ``(out_channels, in_channels/groups, *kernel_size)``."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Spatial,
        stride: Spatial = 1,
        padding: Spatial | str = 0,
        dilation: Spatial = 1,
        groups: int = 1,
        bias: bool = True,
        ndim: int = 2,
        *,
        seed: int = 0,
        fill: float | None = None,
    ) -> None:
        self.ndim = _check_ndim(ndim)
        self.in_channels = check_int("in_channels", in_channels)
        self.out_channels = check_int("out_channels", out_channels)
        self.groups = check_groups(groups, self.in_channels, self.out_channels)
        self.kernel_size = check_spatial("kernel_size", kernel_size, self.ndim)
        self.stride = check_spatial("stride", stride, self.ndim)
        self.dilation = check_spatial("dilation", dilation, self.ndim)
        resolve_padding(padding, self.kernel_size, self.dilation, self.stride)  # validates
        self.padding = padding if isinstance(padding, str) else check_spatial("padding", padding, self.ndim, minimum=0)
        rng, fill = _init_args(seed, fill)
        fan_in = self.in_channels // self.groups * int(np.prod(self.kernel_size))
        shape = (self.out_channels, self.in_channels // self.groups, *self.kernel_size)
        self.weight = _initial(shape, fan_in, rng, fill)
        self.bias = _initial((self.out_channels,), fan_in, rng, fill) if check_bool("bias", bias) else None

    def parameters(self) -> list[np.ndarray]:
        return [self.weight] + ([] if self.bias is None else [self.bias])

    def forward(self, x: Any, counter: MacCounter | None = None) -> np.ndarray:
        x = _check_input(x, self.in_channels, self.ndim, type(self).__name__)
        return cross_correlate(
            x,
            self.weight,
            self.bias,
            stride=self.stride,
            padding=self.padding,
            dilation=self.dilation,
            groups=self.groups,
            counter=counter,
        )


class ConvTranspose(Layer):
    """``torch.nn.ConvTranspose{ndim}d``: ``weight`` ``(in_channels, out_channels/groups, *kernel_size)``."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Spatial,
        stride: Spatial = 1,
        padding: Spatial = 0,
        output_padding: Spatial = 0,
        dilation: Spatial = 1,
        groups: int = 1,
        bias: bool = True,
        ndim: int = 2,
        *,
        seed: int = 0,
        fill: float | None = None,
    ) -> None:
        self.ndim = _check_ndim(ndim)
        self.in_channels = check_int("in_channels", in_channels)
        self.out_channels = check_int("out_channels", out_channels)
        self.groups = check_groups(groups, self.in_channels, self.out_channels)
        self.kernel_size = check_spatial("kernel_size", kernel_size, self.ndim)
        self.stride = check_spatial("stride", stride, self.ndim)
        self.padding = check_spatial("padding", padding, self.ndim, minimum=0)
        self.output_padding = check_spatial("output_padding", output_padding, self.ndim, minimum=0)
        self.dilation = check_spatial("dilation", dilation, self.ndim)
        for op, s, d in zip(self.output_padding, self.stride, self.dilation, strict=True):
            if op >= s and op >= d:
                raise InvalidInputError(
                    "output_padding", output_padding, "smaller than either stride or dilation on every axis"
                )
        rng, fill = _init_args(seed, fill)
        fan_in = self.out_channels // self.groups * int(np.prod(self.kernel_size))  # as PyTorch computes it
        shape = (self.in_channels, self.out_channels // self.groups, *self.kernel_size)
        self.weight = _initial(shape, fan_in, rng, fill)
        self.bias = _initial((self.out_channels,), fan_in, rng, fill) if check_bool("bias", bias) else None

    def parameters(self) -> list[np.ndarray]:
        return [self.weight] + ([] if self.bias is None else [self.bias])

    def forward(self, x: Any, counter: MacCounter | None = None) -> np.ndarray:
        x = _check_input(x, self.in_channels, self.ndim, type(self).__name__)
        return conv_transpose(
            x,
            self.weight,
            self.bias,
            stride=self.stride,
            padding=self.padding,
            output_padding=self.output_padding,
            dilation=self.dilation,
            groups=self.groups,
            counter=counter,
        )


class BatchNorm(Layer):
    """``torch.nn.BatchNorm{1,2,3}d`` in inference mode.

    Parameters ``weight`` (gamma, ones) and ``bias`` (beta, zeros) when ``affine``; buffers
    ``running_mean`` (zeros), ``running_var`` (ones) and ``num_batches_tracked`` (a 0-d int64 counter
    holding one element, as PyTorch) when ``track_running_stats``. Without running statistics the
    forward pass normalises each channel over its own spatial positions.
    """

    def __init__(
        self, num_features: int, eps: float = 1e-5, affine: bool = True, track_running_stats: bool = True
    ) -> None:
        self.num_features = check_int("num_features", num_features)
        self.eps = check_real("eps", eps, positive=True)
        self.affine = check_bool("affine", affine)
        self.track_running_stats = check_bool("track_running_stats", track_running_stats)
        n = self.num_features
        self.weight = allocate((n,), 1.0) if self.affine else None
        self.bias = allocate((n,)) if self.affine else None
        self.running_mean = allocate((n,)) if self.track_running_stats else None
        self.running_var = allocate((n,), 1.0) if self.track_running_stats else None
        self.num_batches_tracked = np.array(0, dtype=np.int64) if self.track_running_stats else None

    def parameters(self) -> list[np.ndarray]:
        return [self.weight, self.bias] if self.affine else []

    def buffers(self) -> list[np.ndarray]:
        if not self.track_running_stats:
            return []
        return [self.running_mean, self.running_var, self.num_batches_tracked]

    def forward(self, x: Any, counter: MacCounter | None = None) -> np.ndarray:
        what = f"an array (C={self.num_features}, *spatial) with 0 to 3 spatial axes"
        x = as_array("x", x, ndims=(1, 2, 3, 4), what=what)
        if x.shape[0] != self.num_features:
            raise InvalidInputError("x", f"array of shape {x.shape}", what)
        check_counter(counter)
        axes = tuple(range(1, x.ndim))
        column = (slice(None),) + (None,) * (x.ndim - 1)
        if self.track_running_stats:
            mean, var = self.running_mean[column], self.running_var[column]
        else:
            if x[0].size < 2:
                raise InvalidInputError(
                    "x",
                    f"array of shape {x.shape}",
                    "more than one value per channel when BatchNorm keeps no running statistics (as PyTorch)",
                )
            mean, var = x.mean(axis=axes, keepdims=True), x.var(axis=axes, keepdims=True)
        out = (x - mean) / np.sqrt(var + self.eps)
        return out * self.weight[column] + self.bias[column] if self.affine else out


class _Pool(Layer):
    """Shared argument checks; the number of spatial axes is only known from the input."""

    def _validate(self, kernel_size: Any, stride: Any, padding: Any, ceil_mode: Any) -> None:
        check_spatial("kernel_size", kernel_size, None)
        if stride is not None:
            check_spatial("stride", stride, None)
        check_spatial("padding", padding, None, minimum=0)
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        self.ceil_mode = check_bool("ceil_mode", ceil_mode)


class MaxPool(_Pool):
    """``torch.nn.MaxPool{1,2,3}d`` (the number of spatial axes comes from the input)."""

    def __init__(
        self,
        kernel_size: Spatial,
        stride: Spatial | None = None,
        padding: Spatial = 0,
        dilation: Spatial = 1,
        ceil_mode: bool = False,
    ) -> None:
        self._validate(kernel_size, stride, padding, ceil_mode)
        check_spatial("dilation", dilation, None)
        self.dilation = dilation

    def forward(self, x: Any, counter: MacCounter | None = None) -> np.ndarray:
        check_counter(counter)
        return max_pool(x, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode)


class AvgPool(_Pool):
    """``torch.nn.AvgPool{1,2,3}d`` (the number of spatial axes comes from the input)."""

    def __init__(
        self,
        kernel_size: Spatial,
        stride: Spatial | None = None,
        padding: Spatial = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
    ) -> None:
        self._validate(kernel_size, stride, padding, ceil_mode)
        self.dilation = 1
        self.count_include_pad = check_bool("count_include_pad", count_include_pad)

    def forward(self, x: Any, counter: MacCounter | None = None) -> np.ndarray:
        check_counter(counter)
        return avg_pool(x, self.kernel_size, self.stride, self.padding, self.ceil_mode, self.count_include_pad)


class ReLU(Layer):
    """``torch.nn.ReLU``."""

    def forward(self, x: Any, counter: MacCounter | None = None) -> np.ndarray:
        check_counter(counter)
        x = as_array("x", x, ndims=tuple(range(9)), what="a real-valued array")
        return np.maximum(x, 0.0)


class Flatten(Layer):
    """Flattens one sample to 1-D: what ``torch.nn.Flatten()`` does to each sample of a batch."""

    def forward(self, x: Any, counter: MacCounter | None = None) -> np.ndarray:
        check_counter(counter)
        return as_array("x", x, ndims=tuple(range(9)), what="a real-valued array").reshape(-1)


class Sequential(Layer):
    """``torch.nn.Sequential``: layers applied in order; parameters and buffers are all of theirs."""

    def __init__(self, *layers: Layer) -> None:
        for index, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise InvalidInputError(f"layers[{index}]", layer, "a layer from solutions.reference.layers")
        self.layers = list(layers)

    def parameters(self) -> list[np.ndarray]:
        return [p for layer in self.layers for p in layer.parameters()]

    def buffers(self) -> list[np.ndarray]:
        return [b for layer in self.layers for b in layer.buffers()]

    def forward(self, x: Any, counter: MacCounter | None = None) -> np.ndarray:
        for layer in self.layers:
            x = layer.forward(x, counter)
        return x
