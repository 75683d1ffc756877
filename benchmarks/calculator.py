"""Benchmark: ``solutions.calculator.summarize`` against torchinfo's ``summary``.

Run from the repository root (torch and torchinfo are needed here only; ``pip install torchinfo``)::

    PYTHONPATH=. python benchmarks/calculator.py            # everything (the big forward passes take minutes)
    PYTHONPATH=. python benchmarks/calculator.py --quick    # skip torchinfo on the 2048 input and the 104-layer net

Networks: VGG-16 at 224×224 and at 2048×2048, the 104-layer encoder of CSCI 5922 Q4 at 224×224, and a
150-layer random network. For each: the whole process (a fresh ``python`` that imports, builds and
summarizes, timed from outside, with its peak resident memory) and in-process (timeit, best of
several runs, with the peak of Python allocations from tracemalloc). torchinfo runs a forward pass
on real tensors, as it does by default; the calculator evaluates formulas, so its time and memory do
not depend on the input's size.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
import timeit
import tracemalloc
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "solutions" / "calculator" / "examples"


# ----------------------------------------------------------------------------------------------
# The networks, as specs


def vgg16(size: int) -> dict[str, Any]:
    spec = yaml.safe_load((EXAMPLES / "vgg16.yaml").read_text(encoding="utf-8"))
    spec["input"] = [3, size, size]
    return spec


def encoder104() -> dict[str, Any]:
    return yaml.safe_load((EXAMPLES / "csci5922_q4.yaml").read_text(encoding="utf-8"))


def random150(seed: int = 150) -> dict[str, Any]:
    """150 layers: convolutions (kernel 1 or 3, size-keeping padding, some grouped or dilated), batch norm,
    activations, dropout and 2x2 max pooling, then adaptive pooling and a linear head."""
    rng = random.Random(seed)
    layers: list[Any] = []
    size, channels = 128, 3
    while len(layers) < 146:
        roll = rng.random()
        if roll < 0.45:
            out = rng.choice([16, 32, 48, 64])
            k = rng.choice([1, 3, 3])
            dilation = rng.choice([1, 1, 2]) if k == 3 else 1
            args: dict[str, Any] = {"out_channels": out, "kernel_size": k, "padding": dilation * (k - 1) // 2}
            if dilation > 1:
                args["dilation"] = dilation
            if k == 3 and channels == out and rng.random() < 0.3:
                args["groups"] = out
            layers.append({"Conv2d": args})
            channels = out
        elif roll < 0.65:
            layers.append("BatchNorm2d")
        elif roll < 0.85:
            layers.append(rng.choice(["ReLU", "GELU", "SiLU", "LeakyReLU"]))
        elif roll < 0.93:
            layers.append({"Dropout": {"p": 0.1}})
        elif size >= 8:
            layers.append({"MaxPool2d": {"kernel_size": 2}})
            size //= 2
    layers += [{"AdaptiveAvgPool2d": {"output_size": 1}}, "Flatten", {"Linear": {"out_features": 10}}]
    layers.append({"Softmax": {"dim": 1}})
    return {"name": "random-150", "input": [3, 128, 128], "layers": layers}


NETWORKS = {
    "VGG-16 @ 224": lambda: vgg16(224),
    "VGG-16 @ 2048": lambda: vgg16(2048),
    "104-layer encoder @ 224": encoder104,
    "150-layer random @ 128": random150,
}
BIG = {"VGG-16 @ 2048", "104-layer encoder @ 224"}


# ----------------------------------------------------------------------------------------------
# The same network in PyTorch, for torchinfo


def _rows(entries: list[Any]) -> list[tuple[str, dict[str, Any]]]:
    rows: list[tuple[str, dict[str, Any]]] = []
    for entry in entries:
        if isinstance(entry, str):
            entry = {entry: None}
        (name,) = [key for key in entry if key not in ("repeat", "target")]
        for _ in range(entry.get("repeat", 1)):
            rows += _rows(entry[name]) if name == "Sequential" else [(name, dict(entry[name] or {}))]
    return rows


def torch_model(spec: dict[str, Any]) -> Any:
    """An ``nn.Sequential`` of the spec's layers, inferring input sizes by tracking the shape on the meta device."""
    import torch
    from torch import nn

    modules = []
    x = torch.zeros(1, *spec["input"], device="meta")
    for name, kwargs in _rows(spec["layers"]):
        kwargs = {key: tuple(v) if isinstance(v, list) else v for key, v in kwargs.items()}
        if name.startswith("Conv"):
            kwargs.setdefault("in_channels", x.shape[1])
        elif name.startswith("BatchNorm"):
            kwargs.setdefault("num_features", x.shape[1])
        elif name == "Linear":
            kwargs.setdefault("in_features", x.shape[-1])
        with torch.device("meta"):
            x = getattr(nn, name)(**kwargs).eval()(x)
        modules.append(getattr(nn, name)(**kwargs))
    return nn.Sequential(*modules).eval()


# ----------------------------------------------------------------------------------------------
# Measurements


def run_calculator(spec: dict[str, Any]) -> Any:
    from solutions.calculator import summarize

    return summarize(spec)


def run_torchinfo(model: Any, spec: dict[str, Any]) -> Any:
    from torchinfo import summary

    return summary(model, input_size=(1, *spec["input"]), verbose=0, device="cpu")


def child(tool: str, name: str) -> None:
    """One summary in this (fresh) process; prints its time and peak memory as JSON."""
    start = time.perf_counter()
    spec = NETWORKS[name]()
    if tool == "calculator":
        result = run_calculator(spec)
        total = result.total_params
    else:
        result = run_torchinfo(torch_model(spec), spec)
        total = result.total_params
    elapsed = time.perf_counter() - start
    print(json.dumps({"seconds_inside": elapsed, "peak_rss_mib": _peak_rss_kib() / 1024, "total_params": total}))


def _peak_rss_kib() -> int:
    """This process's peak resident memory. ``ru_maxrss`` would do, but Linux carries the parent's peak
    over ``fork`` and ``exec``; ``VmHWM`` starts afresh with the new program."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def whole_process(tool: str, name: str) -> dict[str, float]:
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, __file__, "--child", tool, name], capture_output=True, text=True, check=True, cwd=ROOT
    )
    wall = time.perf_counter() - start
    data = json.loads(done.stdout.strip().splitlines()[-1])
    data["seconds_wall"] = wall
    return data


def in_process(func: Any, repeat: int) -> float:
    """Best time of one call, over ``repeat`` timeit runs of as many calls as fit in ~0.2 s."""
    timer = timeit.Timer(func)
    number, _ = timer.autorange()
    return min(timer.repeat(repeat=repeat, number=number)) / number


def python_peak(func: Any) -> int:
    func()
    tracemalloc.start()
    func()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip torchinfo on the two biggest forward passes")
    parser.add_argument("--child", nargs=2, metavar=("TOOL", "NETWORK"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    import platform

    import torch
    import torchinfo

    print(
        f"Python {platform.python_version()}, torch {torch.__version__}, torchinfo {torchinfo.__version__}, "
        f"{torch.get_num_threads()} torch threads, {platform.machine()}\n"
    )
    header = (
        "| Network | Rows | calculator in-process | torchinfo in-process | ratio | calculator process "
        "(wall, peak RSS) | torchinfo process (wall, peak RSS) | calculator Python peak |"
    )
    print(header)
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, make in NETWORKS.items():
        spec = make()
        summary = run_calculator(spec)
        calc_time = in_process(lambda spec=spec: run_calculator(spec), repeat=5)
        calc_peak = python_peak(lambda spec=spec: run_calculator(spec))
        calc_proc = whole_process("calculator", name)
        if args.quick and name in BIG:
            ti_time, ti_proc, ratio = None, None, None
        else:
            model = torch_model(spec)
            start = time.perf_counter()
            ti = run_torchinfo(model, spec)
            ti_time = time.perf_counter() - start
            assert ti.total_params == summary.total_params, (ti.total_params, summary.total_params)
            if name not in BIG:  # a big forward pass is timed once
                repeats = timeit.repeat(lambda m=model, s=spec: run_torchinfo(m, s), repeat=3, number=1)
                ti_time = min([ti_time, *repeats])
            del model, ti
            ti_proc = whole_process("torchinfo", name)
            ratio = ti_time / calc_time
        cells = [
            name,
            str(len(summary.rows)),
            f"{calc_time * 1e3:.2f} ms",
            "—" if ti_time is None else f"{ti_time * 1e3:,.0f} ms",
            "—" if ratio is None else f"{ratio:,.0f}×",
            f"{calc_proc['seconds_wall']:.2f} s, {calc_proc['peak_rss_mib']:.0f} MiB",
            "—" if ti_proc is None else f"{ti_proc['seconds_wall']:.2f} s, {ti_proc['peak_rss_mib']:,.0f} MiB",
            f"{calc_peak / 1024:.0f} KiB",
        ]
        print("| " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
