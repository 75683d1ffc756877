"""Independent NumPy references that check the site's formulas and answers by direct computation.

Nothing here imports ``solutions.formulas``: output sizes come from walking window positions, counts
from arrays actually allocated and products actually formed.
"""

from solutions.reference.activations import relu, relu_grad
from solutions.reference.correlate import convolve, cross_correlate
from solutions.reference.counting import MacCounter
from solutions.reference.gradients import conv_input_grad, numerical_gradient
from solutions.reference.pooling import adaptive_avg_pool, avg_pool, max_pool
from solutions.reference.receptive import receptive_field_extent, receptive_field_mask
from solutions.reference.transposed import conv_transpose

__all__ = [
    "MacCounter",
    "adaptive_avg_pool",
    "avg_pool",
    "conv_input_grad",
    "conv_transpose",
    "convolve",
    "cross_correlate",
    "max_pool",
    "numerical_gradient",
    "receptive_field_extent",
    "receptive_field_mask",
    "relu",
    "relu_grad",
]
