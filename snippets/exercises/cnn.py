"""Reference solutions: "Convolutional neural networks from scratch".

Images are (batch, channels, height, width); kernels W are (out, in, k, k).
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from snippets.exercises import Exercise, register

__all__ = [
    "avg_pool_backward",
    "conv2d_einsum",
    "gram_matrix_backward",
    "pool_output_size",
]


# --8<-- [start:pool_output_size]
def pool_output_size(size, pool_size, stride, ceil_mode=False):
    """Output length of a pooling window along one axis, as PyTorch counts it.

    size >= pool_size. Floor mode drops the rows that do not fill a window; ceil
    mode adds one more window for them, unless it would start past the input.
    """
    room = size - pool_size  # how far the window can slide
    if not ceil_mode:
        return room // stride + 1
    count = -(-room // stride) + 1  # rounded up
    if (count - 1) * stride >= size:  # the last window would start outside
        count -= 1
    return count


# --8<-- [end:pool_output_size]


def _pool_size_inputs(rng: np.random.Generator):
    pool_size, stride = int(rng.integers(1, 5)), int(rng.integers(1, 5))
    size = int(rng.integers(pool_size, 30))
    return size, pool_size, stride, bool(rng.random() < 0.5)


register(
    Exercise(
        key="cnn-1",
        title="pooled size in floor and ceil mode",
        function="pool_output_size",
        reference=pool_output_size,
        make_inputs=_pool_size_inputs,
        section="snippets/exercises/cnn.py:pool_output_size",
        planted_mistake=("-(-room // stride) + 1", "room // stride + 2"),
        trials=50,
    )
)


# --8<-- [start:avg_pool_backward]
def avg_pool_backward(grad_out, pool_size):
    """Backward pass of average pooling over k×k windows side by side.

    Forward: out[n, c, i, j] = mean of x[n, c, k i : k i + k, k j : k j + k].
    grad_out: (batch, channels, h, w) -> dL/dx: (batch, channels, k h, k w).
    Each of the k² pixels of a window gets 1/k² of its output's gradient.
    """
    k = pool_size
    spread = np.repeat(np.repeat(grad_out, k, axis=2), k, axis=3)
    return spread / k**2


# --8<-- [end:avg_pool_backward]


def _avg_pool_inputs(rng: np.random.Generator):
    batch, channels, h, w = (int(size) for size in rng.integers(1, 4, size=4))
    return rng.standard_normal((batch, channels, h, w)), int(rng.integers(1, 4))


register(
    Exercise(
        key="cnn-3",
        title="backward pass of average pooling",
        function="avg_pool_backward",
        reference=avg_pool_backward,
        make_inputs=_avg_pool_inputs,
        section="snippets/exercises/cnn.py:avg_pool_backward",
        planted_mistake=("spread / k**2", "spread / k"),
    )
)


# --8<-- [start:conv2d_einsum]
def conv2d_einsum(x, W, b):
    """Convolution with stride 1 and no padding, as one einsum over all patches.

    x: (batch, in, H, W), W: (out, in, k, k), b: (out,)
    -> (batch, out, H - k + 1, W - k + 1).
    """
    k = W.shape[-1]
    patches = sliding_window_view(x, (k, k), axis=(2, 3))  # (n, c, i, j, k, k)
    return np.einsum("ncijuv,ocuv->noij", patches, W) + b[:, None, None]


# --8<-- [end:conv2d_einsum]


def _conv_inputs(rng: np.random.Generator):
    batch, channels_in, channels_out, k = (
        int(size) for size in rng.integers(1, 4, size=4)
    )
    size = int(rng.integers(k, 7))
    return (
        rng.standard_normal((batch, channels_in, size, size)),
        rng.standard_normal((channels_out, channels_in, k, k)),
        rng.standard_normal(channels_out),
    )


register(
    Exercise(
        key="cnn-4",
        title="convolution with einsum",
        function="conv2d_einsum",
        reference=conv2d_einsum,
        make_inputs=_conv_inputs,
        section="snippets/exercises/cnn.py:conv2d_einsum",
        planted_mistake=('"ncijuv,ocuv->noij"', '"ncijuv,ocvu->noij"'),
    )
)


# --8<-- [start:gram_matrix_backward]
def gram_matrix_backward(grad_G, F):
    """Backward pass of G = F Fᵀ / M, for each image of the batch.

    F: (batch, C, M), the feature maps with their M positions laid out in a row;
    grad_G: (batch, C, C) = dL/dG. Returns dL/dF: (batch, C, M).
    G_cd = Σ_m F_cm F_dm / M, so dL/dF = (grad_G + grad_Gᵀ) F / M.
    """
    M = F.shape[-1]
    symmetric = grad_G + grad_G.transpose(0, 2, 1)
    return symmetric @ F / M


# --8<-- [end:gram_matrix_backward]


def _gram_inputs(rng: np.random.Generator):
    batch, channels, positions = (
        int(size) for size in rng.integers(1, 6, size=3)
    )
    return (
        rng.standard_normal((batch, channels, channels)),
        rng.standard_normal((batch, channels, positions)),
    )


register(
    Exercise(
        key="cnn-6",
        title="backward pass of the Gram matrix",
        function="gram_matrix_backward",
        reference=gram_matrix_backward,
        make_inputs=_gram_inputs,
        section="snippets/exercises/cnn.py:gram_matrix_backward",
        planted_mistake=("grad_G + grad_G.transpose(0, 2, 1)", "2 * grad_G"),
    )
)
