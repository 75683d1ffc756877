"""The Calculator page's generated fragments: the supported layers, worked summaries and solutions.

:func:`fragments` maps fragment paths (under ``.generated/``) to Markdown; the site generator writes
them and ``docs/calculator.md`` includes them, so every table on the page is computed at build time
from the example specs in ``solutions/calculator/examples/``.
"""

from __future__ import annotations

from pathlib import Path

from solutions.calculator.arguments import INFERRED, REQUIRED
from solutions.calculator.layers import CATALOG, Layer
from solutions.calculator.solve import DEFAULT_RANGES, solve
from solutions.calculator.spec import load_spec
from solutions.calculator.summary import summarize

__all__ = ["EXAMPLES_DIR", "SOLVE_EXAMPLES", "SUMMARY_EXAMPLES", "fragments"]

EXAMPLES_DIR = Path(__file__).parent / "examples"
#: Example specs summarized on the page (file stem); long tables are folded.
SUMMARY_EXAMPLES = ("alexnet", "vgg16", "depthwise_separable", "unet", "csci5922_q4")
SOLVE_EXAMPLES = ("solve_kernel", "solve_stride_padding", "solve_repeat_3x3", "solve_repeat_7x7")
_FOLD_ABOVE = 45  # rows


def _default(layer: Layer, name: str) -> str:
    default = layer.args[name].default
    if default is REQUIRED:
        return f"**`{name}`**"
    if default is INFERRED:
        return f"`{name}` (inferred)"
    if default is None:
        return f"`{name}=None`"
    return f"`{name}={default!r}`"


def layers_table() -> str:
    """Every supported torch.nn class with its arguments (required in bold) and defaults."""
    rows = ["| torch.nn class | What it is | Arguments and defaults |", "|---|---|---|"]
    for name, layer in CATALOG.items():
        if name == "Identity":
            args = "any (ignored)"
        else:
            args = ", ".join(_default(layer, arg) for arg in layer.args) or "none"
        rows.append(f"| `{name}` | {layer.what} | {args} |")
    return "\n".join(rows) + "\n"


def solvable_table() -> str:
    """What may be written "?", and the default search range of each."""
    rows = ["| Unknown | Written | Default range |", "|---|---|---|"]
    where = {
        "repeat": '`repeat: "?"` beside a layer or `Sequential`',
        "input": '`input: [3, "?", "?"]` (one size for every `"?"`)',
    }
    for name, (low, high) in DEFAULT_RANGES.items():
        written = where.get(name, f'`{name}: "?"`')
        rows.append(f"| `{name}` | {written} | {low} to {high} |")
    return "\n".join(rows) + "\n"


def _spec_block(stem: str) -> str:
    text = (EXAMPLES_DIR / f"{stem}.yaml").read_text(encoding="utf-8").rstrip()
    return f'??? example "The spec: `{stem}.yaml`"\n\n    ```yaml\n' + _indent(text) + "\n    ```\n"


def _indent(text: str) -> str:
    return "\n".join(f"    {line}" if line else "" for line in text.splitlines())


def summary_fragment(stem: str) -> str:
    """An example spec (folded) and its summary table with totals."""
    summary = summarize(EXAMPLES_DIR / f"{stem}.yaml")
    spec = load_spec(EXAMPLES_DIR / f"{stem}.yaml")
    table = summary.to_markdown()
    intro = f"{spec.description.strip()}\n\n" if spec.description else ""
    if len(summary.rows) > _FOLD_ABOVE:
        body, _, totals = table.partition("\n\n")
        table = f'??? note "All {len(summary.rows)} rows"\n\n{_indent(body)}\n\n{totals}'
    return f"{intro}{_spec_block(stem)}\n{table}"


def solve_fragment(stem: str) -> str:
    """An example problem (folded spec), its derivation and its solutions."""
    spec = load_spec(EXAMPLES_DIR / f"{stem}.yaml")
    intro = f"{spec.description.strip()}\n\n" if spec.description else ""
    return f"{intro}{_spec_block(stem)}\n{solve(spec).to_markdown()}"


#: Mistakes shown with the message they get: (what, spec).
ERROR_EXAMPLES = (
    ("a misspelt class", {"input": [3, 32, 32], "layers": [{"Conv2D": {"out_channels": 8, "kernel_size": 3}}]}),
    ("a misspelt argument", {"input": [3, 32, 32], "layers": [{"Conv2d": {"out_channels": 8, "kernel_sise": 3}}]}),
    (
        "a kernel larger than the padded input",
        {"input": [3, 4, 4], "layers": [{"Conv2d": {"out_channels": 8, "kernel_size": 7}}]},
    ),
    (
        "groups that do not divide the channels",
        {"input": [3, 32, 32], "layers": [{"Conv2d": {"out_channels": 8, "kernel_size": 3, "groups": 2}}]},
    ),
    (
        "`padding='same'` with a stride",
        {
            "input": [3, 32, 32],
            "layers": [{"Conv2d": {"out_channels": 8, "kernel_size": 3, "stride": 2, "padding": "same"}}],
        },
    ),
    (
        "`output_padding` not smaller than the stride",
        {
            "input": [8, 4, 4],
            "layers": [{"ConvTranspose2d": {"out_channels": 4, "kernel_size": 3, "stride": 2, "output_padding": 2}}],
        },
    ),
    ("a boolean where a size is meant", {"input": [3, 32, 32], "layers": [{"MaxPool2d": {"kernel_size": True}}]}),
    ("a Linear layer on an unflattened input", {"input": [3, 32, 32], "layers": [{"Linear": {"out_features": 10}}]}),
)


def errors_list() -> str:
    """What the calculator answers to common mistakes (the messages as the code words them)."""
    from solutions.errors import InvalidInputError

    items = []
    for what, spec in ERROR_EXAMPLES:
        try:
            summarize(spec)
        except InvalidInputError as error:
            items.append(f"- {what}:\n\n    ```text\n    error: {error}\n    ```")
        else:
            raise AssertionError(f"the example of {what} was accepted")
    return "\n\n".join(items) + "\n"


def json_example(stem: str = "alexnet") -> str:
    """The JSON summary of an example, with only its first and last layer (a sample of the format)."""
    import json

    data = summarize(EXAMPLES_DIR / f"{stem}.yaml").to_json()
    data["layers"] = [data["layers"][0], data["layers"][-1]]
    return f"```json\n{json.dumps(data, indent=2)}\n```\n"


def fragments() -> dict[str, str]:
    """Fragment path -> Markdown, for ``docs/calculator.md``."""
    out = {
        "calculator/layers.md": layers_table(),
        "calculator/unknowns.md": solvable_table(),
        "calculator/errors.md": errors_list(),
        "calculator/json.md": json_example(),
    }
    for stem in SUMMARY_EXAMPLES:
        out[f"calculator/{stem}.md"] = summary_fragment(stem)
    for stem in SOLVE_EXAMPLES:
        out[f"calculator/{stem}.md"] = solve_fragment(stem)
    return out
