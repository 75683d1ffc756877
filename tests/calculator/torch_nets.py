"""Random networks built in PyTorch next to their calculator spec, and what PyTorch measures on them.

A network is generated entry by entry: each entry is written as a spec entry (the YAML-like dict
the calculator reads), built as torch.nn modules and run on the tensor so far. PyTorch alone decides
whether a layer is valid and what it outputs; an entry PyTorch rejects is usually drawn again, and
sometimes kept as the network's last entry, so that the calculator must reject that same layer.

Measured per layer: output shape (forward pass, batch 1), parameter and buffer counts, MACs from
forward hooks, and, on demand, the receptive field of one output unit by back-propagation through a
copy of the network with all-ones weights, zero biases, identity activations and max pooling replaced
by an all-ones window sum.
"""

from __future__ import annotations

import copy
import math
import random
from dataclasses import dataclass, field
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

CONV = {1: nn.Conv1d, 2: nn.Conv2d, 3: nn.Conv3d}
ACTIVATIONS = ["ReLU", "LeakyReLU", "GELU", "Sigmoid", "Tanh", "ELU", "SiLU", "Hardswish", "ReLU6", "Mish"]


# ----------------------------------------------------------------------------------------------
# Spec -> modules


def expand(entries: list[Any]) -> list[tuple[str, dict[str, Any]]]:
    """Spec entries as (torch.nn class, kwargs) per row, repeats expanded (independently of the calculator)."""
    rows: list[tuple[str, dict[str, Any]]] = []
    for entry in entries:
        if isinstance(entry, str):
            entry = {entry: None}
        repeat = entry.get("repeat", 1)
        (name,) = [key for key in entry if key not in ("repeat", "target")]
        value = entry[name]
        for _ in range(repeat):
            if name == "Sequential":
                rows += expand(value)
            else:
                rows.append((name, dict(value or {})))
    return rows


def _tuples(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def build_module(name: str, kwargs: dict[str, Any], x: torch.Tensor) -> nn.Module:
    """The torch.nn module for one row, taking inferred sizes from the tensor it will see."""
    kwargs = {key: _tuples(value) for key, value in kwargs.items()}
    if name.startswith(("Conv", "ConvTranspose")):
        kwargs.setdefault("in_channels", x.shape[1])
    elif name.startswith("BatchNorm"):
        kwargs.setdefault("num_features", x.shape[1])
    elif name == "Linear":
        kwargs.setdefault("in_features", x.shape[-1])
    return getattr(nn, name)(**kwargs)


def hook_macs(module: nn.Module, inputs: tuple[torch.Tensor, ...], output: torch.Tensor) -> int:
    """MACs by the site's convention, from the module and the tensors it actually saw."""
    (x,) = inputs
    if isinstance(module, nn.modules.conv._ConvTransposeNd):
        return x.numel() * (module.out_channels // module.groups) * math.prod(module.kernel_size)
    if isinstance(module, nn.modules.conv._ConvNd):
        return output.numel() * (module.in_channels // module.groups) * math.prod(module.kernel_size)
    if isinstance(module, nn.Linear):
        return x.numel() // module.in_features * module.in_features * module.out_features
    return 0


@dataclass
class TorchNet:
    """A spec and PyTorch's account of it, row by row."""

    spec: dict[str, Any]
    modules: list[nn.Module] = field(default_factory=list)
    shapes: list[tuple[int, ...]] = field(default_factory=list)
    params: list[int] = field(default_factory=list)
    buffers: list[int] = field(default_factory=list)
    macs: list[int] = field(default_factory=list)
    #: 1-based row at which PyTorch refused the network (construction or forward), if it did.
    error_row: int | None = None
    error: str = ""


def _batch_statistics(module: nn.Module, x: torch.Tensor) -> bool:
    """A batch norm that normalises with batch statistics fails on one value per channel at batch size 1,
    a limit of the batch, not of the network; such layers are run on a batch of two identical inputs."""
    return (
        isinstance(module, nn.modules.batchnorm._BatchNorm) and not module.track_running_stats and x[0, 0].numel() == 1
    )


def run_rows(rows: list[tuple[str, dict[str, Any]]], x: torch.Tensor, net: TorchNet) -> torch.Tensor | None:
    """Build and run ``rows`` on ``x``, appending to ``net``; None (and error_row set) if PyTorch refuses."""
    for name, kwargs in rows:
        row = len(net.modules) + 1
        try:
            module = build_module(name, kwargs, x).eval()
            seen: list[int] = []
            handle = module.register_forward_hook(lambda m, i, o, seen=seen: seen.append(hook_macs(m, i, o)))
            with torch.no_grad():
                if _batch_statistics(module, x):  # batch norm without running statistics needs a batch
                    x = module(torch.cat([x, x]))[:1]
                    seen[:] = [n // 2 for n in seen]
                else:
                    x = module(x)
            handle.remove()
        except (RuntimeError, ValueError, TypeError, IndexError) as error:
            net.error_row, net.error = row, f"{type(error).__name__}: {error}"
            return None
        if x.numel() == 0:  # PyTorch lets a transposed convolution crop to nothing; the next layer fails
            net.error_row, net.error = row, f"empty output {tuple(x.shape)}"
            return None
        net.modules.append(module)
        net.shapes.append(tuple(x.shape[1:]))
        net.params.append(sum(p.numel() for p in module.parameters()))
        net.buffers.append(sum(b.numel() for b in module.buffers()))
        net.macs.append(sum(seen))
    return x


def slim_spec(spec: Any, scale: int = 1) -> Any:
    """The spec with one channel everywhere and the input ``scale`` times larger (same layer geometry),
    to measure receptive fields cheaply."""
    if isinstance(spec, list):
        return [slim_spec(item) for item in spec]
    if not isinstance(spec, dict):
        return spec
    out = {key: slim_spec(value) for key, value in spec.items()}
    if "input" in out:
        out["input"] = [1, *(scale * n for n in out["input"][1:])]
    for key in ("out_channels", "groups", "in_channels", "num_features"):
        if key in out:
            out[key] = 1
    return out


def torch_net(spec: dict[str, Any], device: str = "cpu") -> TorchNet:
    """PyTorch's account of a given spec (AlexNet, VGG-16, the examples). On the "meta" device
    PyTorch computes shapes without computing values, which keeps big networks fast."""
    net = TorchNet(spec)
    with torch.device(device):
        run_rows(expand(spec["layers"]), torch.zeros(1, *spec["input"]), net)
    return net


# ----------------------------------------------------------------------------------------------
# Random networks


def _spatial(rng: random.Random, ndim: int, low: int, high: int) -> int | list[int]:
    if rng.random() < 0.6:
        return rng.randint(low, high)
    return [rng.randint(low, high) for _ in range(ndim)]


def _divisors(n: int) -> list[int]:
    return [d for d in range(1, n + 1) if n % d == 0]


def _conv(rng: random.Random, ndim: int, channels: int, transpose: bool) -> dict[str, Any]:
    groups = rng.choice(_divisors(channels)) if rng.random() < 0.4 else 1
    if rng.random() < 0.03:
        groups = channels + 1  # does not divide: PyTorch refuses
    args: dict[str, Any] = {
        "out_channels": max(1, groups) * rng.randint(1, 3),
        "kernel_size": _spatial(rng, ndim, 1, 4),
    }
    if rng.random() < 0.5:
        args["stride"] = _spatial(rng, ndim, 1, 3)
    if rng.random() < 0.4:
        args["dilation"] = _spatial(rng, ndim, 1, 3)
    if groups != 1:
        args["groups"] = groups
    if rng.random() < 0.3:
        args["bias"] = False
    if not transpose:
        roll = rng.random()
        if roll < 0.15:
            args["padding"] = "valid"
        elif roll < 0.3:
            args["padding"] = "same"  # refused when strided
        elif roll < 0.7:
            args["padding"] = _spatial(rng, ndim, 0, 3)
        if rng.random() < 0.08 and isinstance(args.get("padding", 0), int):
            args["padding_mode"] = rng.choice(["reflect", "replicate", "circular"])
        if "in_channels" not in args and rng.random() < 0.1:
            args["in_channels"] = channels  # given explicitly, and right
        return args
    if rng.random() < 0.5:
        args["padding"] = _spatial(rng, ndim, 0, 2)
    if rng.random() < 0.5:
        args["output_padding"] = _spatial(rng, ndim, 0, 2)  # sometimes >= stride and dilation: refused
    return args


def _pool(rng: random.Random, ndim: int, kind: str) -> dict[str, Any]:
    args: dict[str, Any] = {"kernel_size": _spatial(rng, ndim, 1, 4)}
    if rng.random() < 0.6:
        args["stride"] = _spatial(rng, ndim, 1, 3)
    if rng.random() < 0.4:
        args["padding"] = _spatial(rng, ndim, 0, 2)  # at most kernel_size // 2, or PyTorch refuses
    if rng.random() < 0.5:
        args["ceil_mode"] = True
    if kind == "Max" and rng.random() < 0.4:
        args["dilation"] = _spatial(rng, ndim, 1, 3)
    if kind == "Avg" and rng.random() < 0.3:
        args["count_include_pad"] = False
    return args


def _layer(rng: random.Random, rank: int, channels: int) -> dict[str, Any]:
    """One spec entry for an input with ``rank`` spatial dimensions (0: flat) and ``channels``."""
    if rank == 0:
        roll = rng.random()
        if roll < 0.45:
            return {"Linear": {"out_features": rng.randint(1, 12), **({"bias": False} if rng.random() < 0.3 else {})}}
        if roll < 0.6:
            return {"BatchNorm1d": {"affine": rng.random() < 0.7, "track_running_stats": rng.random() < 0.7}}
        if roll < 0.75:
            return {"Dropout": {"p": rng.choice([0.0, 0.1, 0.5])}}
        return {rng.choice(ACTIVATIONS): None}
    roll = rng.random()
    if roll < 0.32:
        return {f"Conv{rank}d": _conv(rng, rank, channels, transpose=False)}
    if roll < 0.42:
        return {f"ConvTranspose{rank}d": _conv(rng, rank, channels, transpose=True)}
    if roll < 0.54:
        return {f"MaxPool{rank}d": _pool(rng, rank, "Max")}
    if roll < 0.64:
        return {f"AvgPool{rank}d": _pool(rng, rank, "Avg")}
    if roll < 0.70:
        kind = rng.choice(["Avg", "Max"])
        size = [rng.choice([None, 1, 2, 3, 4]) for _ in range(rank)] if rng.random() < 0.5 else rng.randint(1, 4)
        return {f"Adaptive{kind}Pool{rank}d": {"output_size": size}}
    if roll < 0.80:
        args = {} if rng.random() < 0.6 else {"affine": rng.random() < 0.5, "track_running_stats": rng.random() < 0.5}
        return {f"BatchNorm{rank}d": args}
    if roll < 0.90:
        name = rng.choice(ACTIVATIONS)
        return {name: {"negative_slope": 0.2} if name == "LeakyReLU" else None}
    if roll < 0.95:
        return {rng.choice(["Dropout", f"Dropout{rank}d", "Identity"]): None}
    return {"Softmax": {"dim": 1}}


def _head(rng: random.Random) -> list[dict[str, Any]]:
    head: list[dict[str, Any]] = [{"Flatten": None}]
    for _ in range(rng.randint(1, 3)):
        head.append(_layer(rng, 0, 0))
    return head


@dataclass
class RandomNet(TorchNet):
    ndim: int = 0


def random_net(rng: random.Random) -> RandomNet:
    """A random network over 1 to 3 spatial dimensions, built and run in PyTorch as it is drawn."""
    ndim = rng.choice((1, 2, 3))
    high = {1: 40, 2: 18, 3: 9}[ndim]
    sizes = [rng.randint(2, high)] * ndim if rng.random() < 0.5 else [rng.randint(2, high) for _ in range(ndim)]
    shape = [rng.randint(1, 4), *sizes]
    spec: dict[str, Any] = {"input": shape, "layers": []}
    net = RandomNet(spec, ndim=ndim)
    x = torch.zeros(1, *shape)
    wanted = rng.randint(1, 7)
    while len(spec["layers"]) < wanted:
        rank = x.dim() - 2
        if rank > 0 and rng.random() < 0.12:
            entry_list = _head(rng) if rng.random() < 0.8 else [{"Flatten": {"start_dim": 2}}]
        else:
            entry: dict[str, Any] = _layer(rng, rank, x.shape[1])
            if rng.random() < 0.12:
                entry = {"Sequential": [entry, _layer(rng, rank, x.shape[1])]} if rng.random() < 0.5 else entry
                entry["repeat"] = rng.randint(1, 3)
            entry_list = [entry]
        for attempt in range(5):
            before = len(net.modules)
            out = run_rows(expand(entry_list), x, net)
            if out is not None:
                break
            if rng.random() < 0.12 or attempt == 4:  # keep it: the calculator must refuse the same row
                spec["layers"] += entry_list
                return net
            for name in ("modules", "shapes", "params", "buffers", "macs"):
                del getattr(net, name)[before:]
            net.error_row, net.error = None, ""
            entry_list = [_layer(rng, rank, x.shape[1])]
        spec["layers"] += entry_list
        x = out
    return net


# ----------------------------------------------------------------------------------------------
# Receptive fields, measured


class OnesWindow(nn.Module):
    """A max pool's windows as an all-ones window sum (so no position is blocked), same output shape."""

    def __init__(self, pool: nn.Module, channels: int, out_spatial: tuple[int, ...]) -> None:
        super().__init__()
        ndim = len(out_spatial)

        def spatial(value: Any) -> tuple[int, ...]:
            return tuple(value) if isinstance(value, (tuple, list)) else (value,) * ndim

        kernel, padding = spatial(pool.kernel_size), spatial(pool.padding)
        stride, dilation = spatial(pool.stride or pool.kernel_size), spatial(pool.dilation)
        self.conv = CONV[ndim](channels, channels, kernel, stride, 0, dilation, groups=channels, bias=False).double()
        with torch.no_grad():
            self.conv.weight.fill_(1.0)
        # Zeros past the padded input as well: a ceil-mode window may hang over its end.
        extra = [s + d * (k - 1) for s, d, k in zip(stride, dilation, kernel, strict=True)]
        self.pads = [v for p, e in zip(reversed(padding), reversed(extra), strict=True) for v in (p, p + e)]
        self.out_spatial = out_spatial

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.conv(F.pad(x, self.pads))
        return y[(..., *(slice(0, n) for n in self.out_spatial))]


def rf_model(net: TorchNet, upto: int) -> list[nn.Module] | None:
    """The first ``upto`` rows with nothing blocking a gradient; None if a row cannot be made so."""
    out: list[nn.Module] = []
    for n, module in enumerate(net.modules[:upto]):
        channels = net.shapes[n][0]
        if isinstance(module, (nn.modules.conv._ConvNd,)):
            if getattr(module, "padding_mode", "zeros") != "zeros":
                return None  # reflected or wrapped padding reads real inputs where zeros would be
            module = copy.deepcopy(module).double()
            with torch.no_grad():
                module.weight.fill_(1.0)
                if module.bias is not None:
                    module.bias.zero_()
        elif isinstance(module, (nn.MaxPool1d, nn.MaxPool2d, nn.MaxPool3d)):
            module = OnesWindow(module, channels, net.shapes[n][1:])
        elif isinstance(module, (nn.AdaptiveMaxPool1d, nn.AdaptiveMaxPool2d, nn.AdaptiveMaxPool3d)):
            module = getattr(nn, type(module).__name__.replace("Max", "Avg"))(module.output_size)
        elif isinstance(module, (nn.AvgPool1d, nn.AvgPool2d, nn.AvgPool3d)):
            pass  # every position of a window gets a positive share
        elif isinstance(module, (nn.AdaptiveAvgPool1d, nn.AdaptiveAvgPool2d, nn.AdaptiveAvgPool3d)):
            pass
        elif isinstance(module, nn.Softmax):
            module = nn.Identity()  # dim=1: across channels only
        elif isinstance(module, (nn.Flatten, nn.Linear)):
            return None
        else:
            module = nn.Identity()  # activations, dropout, batch norm: pointwise
        out.append(module)
    return out


def measured_extent(
    modules: list[nn.Module], input_shape: tuple[int, ...], unit: tuple[int, ...]
) -> list[tuple[int, int]] | None:
    """(first, last) input index per spatial dimension with a nonzero gradient of output unit ``unit``
    (channel 0); None if no input position reaches it (a unit that reads only padding)."""
    x = torch.ones(1, *input_shape, dtype=torch.float64, requires_grad=True)
    y = x
    for module in modules:
        y = module(y)
    y[(0, 0, *unit)].backward()
    mask = x.grad[0].abs().sum(0) != 0
    if not bool(mask.any()):
        return None
    extent = []
    for axis in range(mask.dim()):
        others = tuple(a for a in range(mask.dim()) if a != axis)
        hit = torch.nonzero(mask.any(dim=others) if others else mask).flatten()
        extent.append((int(hit[0]), int(hit[-1])))
    return extent
