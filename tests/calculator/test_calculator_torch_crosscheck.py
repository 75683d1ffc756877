"""The calculator against PyTorch, layer by layer, on thousands of random networks and on AlexNet and VGG-16.

For every network: output shapes (a forward pass, batch 1), parameter and buffer counts, MACs counted
by forward hooks, and receptive fields measured by back-propagation must equal the calculator's rows;
and where PyTorch refuses a layer, the calculator must refuse the same layer, naming it.
"""

from __future__ import annotations

import random
import time
from pathlib import Path
from typing import Any

import pytest

torch = pytest.importorskip("torch", reason="PyTorch is needed for the cross-check: pip install torch==2.13.0")

import yaml  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from torch_nets import TorchNet, measured_extent, random_net, rf_model, slim_spec, torch_net  # noqa: E402

from solutions.calculator import load_spec, summarize  # noqa: E402
from solutions.calculator.summary import LayerRow  # noqa: E402
from solutions.errors import InvalidInputError  # noqa: E402

pytestmark = [pytest.mark.torch, pytest.mark.filterwarnings("ignore:Using padding='same':UserWarning")]
torch.set_num_threads(1)

EXAMPLES = Path(__file__).parents[2] / "solutions" / "calculator" / "examples"
#: Random networks in the seeded part of the cross-check: CHUNKS x PER_CHUNK.
CHUNKS, PER_CHUNK = 8, 400


def _unit(row: LayerRow, input_spatial: tuple[int, ...]) -> tuple[tuple[int, ...], list[bool]]:
    """An output unit near the centre whose predicted field lies inside the input, where one exists.

    Inside the input, the field the formulas predict is exactly what back-propagation reaches. Where it
    overhangs, the reachable part can be smaller (inputs that floor division never reads), so only
    containment is asserted for that dimension.
    """
    unit, exact = [], []
    for size, r, j, u, n in zip(
        row.output_shape[1:], row.receptive_field, row.jump, row.start, input_spatial, strict=True
    ):
        inside = [t for t in range(size) if u + t * j >= 0 and u + t * j + r - 1 <= n - 1]
        centre = (size - 1) // 2
        unit.append(min(inside, key=lambda t: abs(t - centre)) if inside else centre)
        exact.append(bool(inside))
    return tuple(unit), exact


def check_receptive_field(net: TorchNet, row: LayerRow, stats: dict[str, int]) -> None:
    modules = rf_model(net, row.index)
    if modules is None:
        return
    input_spatial = tuple(net.spec["input"][1:])
    unit, exact = _unit(row, input_spatial)
    extent = measured_extent(modules, tuple(net.spec["input"]), unit)
    if extent is None:  # the unit reads only padding
        return
    stats["rf_checked"] += 1
    for axis, ((first, last), t, is_exact) in enumerate(zip(extent, unit, exact, strict=True)):
        r, j, u = row.receptive_field[axis], row.jump[axis], row.start[axis]
        predicted = (u + t * j, u + t * j + r - 1)
        if is_exact:
            stats["rf_exact_dims"] += 1
            assert (first, last) == predicted, (axis, unit, row)
        else:
            assert max(0, predicted[0]) <= first <= last <= min(input_spatial[axis] - 1, predicted[1]), (axis, row)


def check_net(net: TorchNet, stats: dict[str, int], rng: random.Random | None) -> None:
    """Every row of the calculator's summary equals what PyTorch measured; refusals agree."""
    stats["networks"] += 1
    if net.error_row is not None:
        stats["refused"] += 1
        with pytest.raises(InvalidInputError) as info:
            summarize(net.spec)
        assert f"layer {net.error_row} (" in str(info.value), (str(info.value), net.error)
        return
    summary = summarize(net.spec)
    assert len(summary.rows) == len(net.modules)
    for row, shape, params, buffers, macs in zip(
        summary.rows, net.shapes, net.params, net.buffers, net.macs, strict=True
    ):
        assert (row.output_shape, row.params, row.buffers, row.macs) == (shape, params, buffers, macs), row
    stats["rows"] += len(summary.rows)
    tracked = [row for row in summary.rows if row.receptive_field is not None]
    if tracked and rng is not None:
        check_receptive_field(net, tracked[-1], stats)
        if len(tracked) > 1:
            check_receptive_field(net, rng.choice(tracked[:-1]), stats)


def _fresh_stats() -> dict[str, int]:
    return dict.fromkeys(("networks", "refused", "rows", "rf_checked", "rf_exact_dims"), 0)


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_random_networks_match_torch(chunk: int, record_property: Any) -> None:
    stats = _fresh_stats()
    start = time.perf_counter()
    for seed in range(chunk * PER_CHUNK, (chunk + 1) * PER_CHUNK):
        rng = random.Random(seed)
        net = random_net(rng)
        try:
            check_net(net, stats, rng)
        except AssertionError as error:
            raise AssertionError(f"seed {seed}: {yaml.safe_dump(net.spec, sort_keys=False)}\n{error}") from error
    for key, value in stats.items():
        record_property(f"crosscheck_{key}", value)
    record_property("crosscheck_seconds", time.perf_counter() - start)
    assert stats["networks"] == PER_CHUNK
    assert stats["networks"] - stats["refused"] > PER_CHUNK // 2


def test_random_networks_match_torch_hypothesis(record_property: Any) -> None:
    """The same check with Hypothesis drawing the choices, so a failure shrinks to a small network."""
    stats = _fresh_stats()
    start = time.perf_counter()

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.randoms(use_true_random=False))
    def check(rng: random.Random) -> None:
        check_net(random_net(rng), stats, rng)

    check()
    for key, value in stats.items():
        record_property(f"crosscheck_{key}", value)
    record_property("crosscheck_seconds", time.perf_counter() - start)


# ----------------------------------------------------------------------------------------------
# Named networks


def _spec(name: str) -> dict[str, Any]:
    return yaml.safe_load((EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("name", "total_params", "rf_at_last_pool"),
    [("alexnet", 61_100_840, 195), ("vgg16", 138_357_544, 212)],
)
def test_named_networks_match_torch_and_the_literature(name: str, total_params: int, rf_at_last_pool: int) -> None:
    spec = _spec(name)
    net = torch_net(spec, device="meta")
    assert net.error_row is None, net.error
    stats = _fresh_stats()
    check_net(net, stats, None)
    summary = summarize(spec)
    assert summary.total_params == total_params == sum(net.params)
    assert summary.total_macs == sum(net.macs)
    last_pool = [row for row in summary.rows if row.type == "MaxPool2d"][-1]
    assert last_pool.receptive_field == (rf_at_last_pool, rf_at_last_pool)  # Araujo et al., Distill 2019

    # Receptive fields depend neither on channels nor on the input's size: measure every layer's on a
    # one-channel copy with a larger input, so that central units' fields lie inside it.
    slim = slim_spec(spec, scale=2)
    slim_net = torch_net(slim)
    tracked = 0
    for row, slim_row in zip(summary.rows, summarize(slim).rows, strict=True):
        if slim_row.receptive_field is not None:
            tracked += 1
            if not row.type.startswith("Adaptive"):  # adaptive windows do depend on the input's size
                assert (row.receptive_field, row.jump, row.start) == (
                    slim_row.receptive_field,
                    slim_row.jump,
                    slim_row.start,
                )
            check_receptive_field(slim_net, slim_row, stats)
    assert tracked >= 13
    assert stats["rf_exact_dims"] == 2 * tracked


SUMMARY_EXAMPLES = [path for path in sorted(EXAMPLES.glob("*.yaml")) if not load_spec(path).unknowns()]


@pytest.mark.parametrize("path", SUMMARY_EXAMPLES, ids=lambda p: p.stem)
def test_every_example_without_unknowns_matches_torch(path: Path) -> None:
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    net = torch_net(spec, device="meta")
    assert net.error_row is None, net.error
    stats = _fresh_stats()
    check_net(net, stats, None)
    slim = slim_spec(spec)
    slim_net = torch_net(slim)
    for row in summarize(slim).rows:
        if row.receptive_field is not None:
            check_receptive_field(slim_net, row, stats)
