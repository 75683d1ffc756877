# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Deep Learning, chapter 9: the checks in NumPy
#
# This notebook recomputes the numbers of the [chapter 9 exercises](../../exercises/goodfellow_ch9/)
# with plain NumPy: convolutions are computed two independent ways, the lost image of Exercise 3 is
# recovered by least squares, and the sizes of Exercise 4 come from running the layers. It imports the
# derived results from the site's code, so every comparison below is between two independent
# computations. It runs on every build of the site; [download it](../goodfellow_ch9.ipynb) to run it
# yourself after `pip install -e .` in a clone of the repository.

# %%
import numpy as np

from solutions import reference as ref
from solutions.exercises.catalog import derived
from solutions.reference import layers
from solutions.reference.pooling import pool_window_starts


def fft_convolve_full(x, kernel):
    """Full 2-D convolution by the convolution theorem: no code shared with `ref.cross_correlate`."""
    shape = (x.shape[0] + kernel.shape[0] - 1, x.shape[1] + kernel.shape[1] - 1)
    return np.real(np.fft.ifft2(np.fft.fft2(x, shape) * np.fft.fft2(kernel, shape)))


def correlate_full(x, kernel):
    return ref.cross_correlate(x[None], kernel[None, None], padding="full")[0]


# %% [markdown]
# ## Exercise 1: convolution is cross-correlation with a rotated kernel
#
# A random image and kernel: the convolution (by FFT) equals the cross-correlation with the kernel
# turned by 180°. A kernel symmetric about its centre gives the same output both ways; the Roberts
# cross and the diagonal Sobel kernel, both symmetric matrices, give outputs of opposite sign.

# %%
rng = np.random.default_rng(0)
image = rng.standard_normal((6, 7))
kernel = rng.standard_normal((3, 3))
print("rotated kernel:", np.abs(fft_convolve_full(image, kernel) - correlate_full(image, kernel[::-1, ::-1])).max())

binomial = np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]], dtype=float)
roberts = np.array([[1, 0], [0, -1]], dtype=float)
sobel = np.array([[2, 1, 0], [1, 0, -1], [0, -1, -2]], dtype=float)
for name, k in (("binomial", binomial), ("Roberts cross", roberts), ("diagonal Sobel", sobel)):
    conv, corr = fft_convolve_full(image, k), correlate_full(image, k)
    print(
        f"{name:15s} symmetric matrix: {np.array_equal(k, k.T)}  conv == corr: {np.allclose(conv, corr)}"
        f"  conv == -corr: {np.allclose(conv, -corr)}"
    )
assert derived("goodfellow_ch9/ex1/ex1a", "centre_symmetric_enough") is True
assert derived("goodfellow_ch9/ex1/ex1a", "transpose_symmetric_enough") is False

# %% [markdown]
# ## Exercise 3: the edge detector in three padding modes
#
# The image as the source's solution prints it, and the kernel. `cross_correlate` is what the source's
# "convolution stage" computes; `convolve` flips the kernel first.

# %%
X = np.array(
    [
        [1, 6, 6, 6, 6, 1],
        [1, 6, 10, 10, 6, 1],
        [1, 6, 10, 10, 6, 1],
        [1, 6, 6, 6, 6, 1],
    ],
    dtype=float,
)
K = np.array([[-1, 0, 1]] * 3, dtype=float)
for mode in ("valid", "same", "full"):
    A = ref.cross_correlate(X[None], K[None, None], padding=mode)[0]
    print(f"A_{mode} {A.shape}:\n{A.astype(int)}")
    assert np.array_equal(A, np.array(derived("goodfellow_ch9/ex3/ex3a", f"output_{mode}")))
    assert np.array_equal(ref.convolve(X[None], K[None, None], padding=mode)[0], -A)

# %% [markdown]
# The image is the only one with this full output: the full cross-correlations of the 24 one-pixel
# images are linearly independent, so least squares recovers $X$ from $A_{\mathrm{full}}$ alone.

# %%
one_pixel = np.eye(X.size).reshape(X.size, *X.shape)
M = np.stack([correlate_full(e, K).ravel() for e in one_pixel], axis=1)
A_full = correlate_full(X, K)
recovered = np.linalg.lstsq(M, A_full.ravel(), rcond=None)[0].reshape(X.shape)
print("matrix", M.shape, "rank", np.linalg.matrix_rank(M), "| largest error", np.abs(recovered - X).max())

# %% [markdown]
# Detector and pooling stages for the same case, and what a true convolution would have given:

# %%
Y = ref.relu(ref.cross_correlate(X[None], K[None, None], padding="same"))
P = ref.max_pool(Y, 2)[0]
P_conv = ref.max_pool(ref.relu(ref.convolve(X[None], K[None, None], padding="same")), 2)[0]
print("Y_same:\n", Y[0].astype(int), "\nP_same:\n", P.astype(int), "\nwith a true convolution:\n", P_conv.astype(int))
assert np.array_equal(P, np.array(derived("goodfellow_ch9/ex3/ex3b", "pooled_same")))

# %% [markdown]
# ## Exercise 4: sizes through the network
#
# Which odd kernel sizes turn 512 positions into 504 windows, at strides 1 to 4? Windows are walked
# one start at a time.

# %%
found = [
    (s, k) for s in range(1, 5) for k in range(1, 512, 2) if len(pool_window_starts(512, k, s, 0, 1, False)) == 504
]
print("(stride, kernel) giving 504:", found)
assert found == [(1, derived("goodfellow_ch9/ex4/ex4a", "kernel_shape")[0])]

# %% [markdown]
# The first layer on one channel (the channels do not change the spatial size), its pooling, and the
# second layer with its real channels, pooling and flattening:

# %%
maps1 = ref.cross_correlate(np.zeros((1, 512, 512)), np.zeros((1, 1, 9, 9)))
pooled1 = ref.max_pool(np.zeros((12, *maps1.shape[1:])), 2)
second = layers.Sequential(layers.Conv(12, 6, 3, fill=0.0), layers.MaxPool(2), layers.Flatten())
vector = second(pooled1)
print("layer 1 maps:", maps1.shape[1:], "| pooled:", pooled1.shape, "| flattened:", vector.shape)
assert vector.size == derived("goodfellow_ch9/ex4/ex4e", "flattened")
