"""The network calculator: summarize a torch.nn-style network, or solve for a hyperparameter.

>>> from solutions.calculator import summarize
>>> summary = summarize({"input": [3, 32, 32], "layers": [{"Conv2d": {"out_channels": 8, "kernel_size": 3}}]})
>>> summary.rows[0].output_shape, summary.total_params
((8, 30, 30), 224)
"""

from solutions.calculator.spec import Spec, load_spec
from solutions.calculator.summary import LargestActivation, LayerRow, Summary, summarize

__all__ = ["LargestActivation", "LayerRow", "Spec", "Summary", "load_spec", "summarize"]
