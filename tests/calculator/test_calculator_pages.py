"""The Calculator page includes exactly the generated fragments, and they hold the worked answers."""

from __future__ import annotations

import re
from pathlib import Path

from solutions.calculator.pages import fragments

PAGE = Path(__file__).parents[2] / "docs" / "calculator.md"


def test_page_includes_every_fragment_and_nothing_else() -> None:
    included = re.findall(r'^--8<-- "(calculator/[^"]+)"$', PAGE.read_text(encoding="utf-8"), flags=re.M)
    generated = fragments()
    assert sorted(included) == sorted(generated)
    assert len(set(included)) == len(included)


def test_fragments_hold_the_answers() -> None:
    generated = fragments()
    assert "**Total parameters:** 61,100,840" in generated["calculator/alexnet.md"]
    assert "**Total parameters:** 138,357,544" in generated["calculator/vgg16.md"]
    assert "| 13 | `MaxPool2d` | 256×6×6 | 0 | 0 | 0 | 195×195 | 32×32 |" in generated["calculator/alexnet.md"]
    assert "| 9 |" in generated["calculator/solve_kernel.md"]
    assert "| 4 | 0 |" in generated["calculator/solve_stride_padding.md"]
    assert "| 104 |" in generated["calculator/solve_repeat_3x3.md"]
    assert "| 36 |" in generated["calculator/solve_repeat_7x7.md"]
    assert "ConvTranspose2d" in generated["calculator/unet.md"]
    assert '??? note "All 104 rows"' in generated["calculator/csci5922_q4.md"]
    for name in ("Conv3d", "ConvTranspose1d", "AvgPool3d", "AdaptiveAvgPool2d", "BatchNorm1d", "Flatten", "GELU"):
        assert f"| `{name}` |" in generated["calculator/layers.md"]
    assert generated["calculator/errors.md"].count("error: layer 1 (") == 8


def test_site_generator_registers_the_fragments() -> None:
    source = (Path(__file__).parents[2] / "solutions" / "render" / "site.py").read_text(encoding="utf-8")
    assert "calculator_fragments()" in source
