"""Exercises of "Deep learning from NumPy": reference solutions.

Batches are rows: x: (batch, features). A gradient has the shape of what it
is the gradient of.
"""

from __future__ import annotations

import numpy as np

from snippets.exercises import Exercise, register

__all__ = ["dense_backward", "finite_difference_gradient", "softmax_backward"]


def _sizes(rng: np.random.Generator, count: int) -> list[int]:
    return [int(size) for size in rng.integers(1, 7, size=count)]


# --8<-- [start:dense_backward]
def dense_backward(grad_out, x, W):
    """Backward pass of z = x @ W + b: the gradients (dx, dW, db).

    grad_out: (batch, out) = dL/dz, x: (batch, in), W: (in, out).
    Returns dx: (batch, in), dW: (in, out), db: (out,).
    """
    dx = grad_out @ W.T  # (batch, out) @ (out, in)
    dW = x.T @ grad_out  # (in, batch) @ (batch, out)
    db = grad_out.sum(axis=0)  # b was added to every row
    return dx, dW, db


# --8<-- [end:dense_backward]


def _dense_inputs(rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    batch, n_in, n_out = _sizes(rng, 3)
    return (
        rng.standard_normal((batch, n_out)),
        rng.standard_normal((batch, n_in)),
        rng.standard_normal((n_in, n_out)),
    )


register(
    Exercise(
        key="numpy-2",
        title="backward pass of a dense layer",
        function="dense_backward",
        reference=dense_backward,
        make_inputs=_dense_inputs,
        section="snippets/exercises/numpy_net.py:dense_backward",
        planted_mistake=("grad_out.sum(axis=0)", "grad_out.mean(axis=0)"),
    )
)


# --8<-- [start:softmax_backward]
def softmax_backward(grad_p, p):
    """Backward pass of p = softmax(z), row by row, through its Jacobian.

    grad_p: (batch, classes) = dL/dp, p: (batch, classes), rows summing to 1.
    dp_k/dz_j = p_k (δ_kj - p_j),
    so dL/dz_j = p_j (grad_p_j - Σ_k grad_p_k p_k).
    Returns dL/dz: (batch, classes).
    """
    weighted = np.sum(grad_p * p, axis=1, keepdims=True)  # (batch, 1)
    return p * (grad_p - weighted)


# --8<-- [end:softmax_backward]


def _softmax_inputs(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    batch, classes = _sizes(rng, 1)[0], int(rng.integers(2, 8))
    scores = rng.standard_normal((batch, classes))
    p = np.exp(scores - scores.max(axis=1, keepdims=True))
    return rng.standard_normal((batch, classes)), p / p.sum(
        axis=1, keepdims=True
    )


register(
    Exercise(
        key="numpy-3",
        title="backward pass of the softmax",
        function="softmax_backward",
        reference=softmax_backward,
        make_inputs=_softmax_inputs,
        section="snippets/exercises/numpy_net.py:softmax_backward",
        planted_mistake=("axis=1, keepdims=True", "axis=0, keepdims=True"),
    )
)


# --8<-- [start:finite_difference_gradient]
def finite_difference_gradient(f, theta, eps=1e-6):
    """Central differences: dF/dθ, one entry of θ at a time.

    f: a function of an array of theta's shape, returning a number.
    theta: an array of any shape. Returns an array of theta's shape.
    """
    grad = np.zeros_like(theta, dtype=float)
    for index in np.ndindex(theta.shape):
        step = np.zeros_like(theta, dtype=float)
        step[index] = eps
        grad[index] = (f(theta + step) - f(theta - step)) / (2 * eps)
    return grad


# --8<-- [end:finite_difference_gradient]


def _gradient_inputs(rng: np.random.Generator):
    shape = tuple(_sizes(rng, int(rng.integers(1, 3))))
    weights = rng.standard_normal(shape)

    def f(theta):
        """A smooth function of theta: a number."""
        return float(
            np.sum(np.sin(weights * theta)) + 0.5 * np.sum(theta**2) ** 1.5
        )

    return f, rng.standard_normal(shape)


register(
    Exercise(
        key="numpy-6",
        title="a gradient by finite differences",
        function="finite_difference_gradient",
        reference=finite_difference_gradient,
        make_inputs=_gradient_inputs,
        section="snippets/exercises/numpy_net.py:finite_difference_gradient",
        planted_mistake=("/ (2 * eps)", "/ eps"),
        rtol=1e-5,
        atol=1e-6,
    )
)
