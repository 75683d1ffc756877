"""The network calculator: summarize a torch.nn-style network, or solve for a hyperparameter.

A network is described in YAML (or JSON) the way ``torch.nn.Sequential`` is written in Python; see
:mod:`solutions.calculator.spec` and the Calculator page. Every number comes from the general
formulas of :mod:`solutions.formulas`.

>>> from solutions.calculator import summarize
>>> summary = summarize({"input": [3, 32, 32], "layers": [{"Conv2d": {"out_channels": 8, "kernel_size": 3}}]})
>>> summary.rows[0].output_shape, summary.total_params
((8, 30, 30), 224)
>>> from solutions.calculator import solve
>>> solve({"input": [3, 512, 512], "layers": [{"Conv2d": {"out_channels": 16, "kernel_size": "?"}}],
...        "target": [16, 504, 504]}).solutions
[{'kernel_size': 9}]
"""

from solutions.calculator.solve import SolveResult, solve
from solutions.calculator.spec import Spec, load_spec
from solutions.calculator.summary import LargestActivation, LayerRow, Summary, summarize

__all__ = ["LargestActivation", "LayerRow", "SolveResult", "Spec", "Summary", "load_spec", "solve", "summarize"]
