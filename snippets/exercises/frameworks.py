"""Exercises of "Why frameworks?": reference solutions."""

from __future__ import annotations

import numpy as np

from snippets.exercises import Exercise, register

__all__ = ["log_softmax_backward", "matmul_backward", "sum_to_shape"]


# --8<-- [start:matmul_backward]
def matmul_backward(grad_out, a, b):
    """Backward pass of c = a @ b: the gradients (da, db).

    a: (n, k), b: (k, m), grad_out: (n, m) = dL/dc.
    c_ij = Σ_k a_ik b_kj, so dL/da_ik = Σ_j grad_ij b_kj
    and dL/db_kj = Σ_i grad_ij a_ik.
    """
    da = grad_out @ b.T  # (n, m) @ (m, k)
    db = a.T @ grad_out  # (k, n) @ (n, m)
    return da, db


# --8<-- [end:matmul_backward]


def _matmul_inputs(rng: np.random.Generator):
    n, k, m = (int(size) for size in rng.integers(1, 7, size=3))
    return (
        rng.standard_normal((n, m)),
        rng.standard_normal((n, k)),
        rng.standard_normal((k, m)),
    )


register(
    Exercise(
        key="frameworks-1",
        title="backward pass of a matrix product",
        function="matmul_backward",
        reference=matmul_backward,
        make_inputs=_matmul_inputs,
        section="snippets/exercises/frameworks.py:matmul_backward",
        planted_mistake=("a.T @ grad_out", "grad_out.T @ a"),
    )
)


# --8<-- [start:sum_to_shape]
def sum_to_shape(grad, shape):
    """Undo broadcasting: sum grad over the axes that were added or stretched.

    grad: the gradient of a broadcast result; shape: the operand's shape.
    Returns an array of ``shape``.
    """
    extra = grad.ndim - len(shape)
    grad = grad.sum(axis=tuple(range(extra)))  # axes added in front
    stretched = tuple(axis for axis, size in enumerate(shape) if size == 1)
    return grad.sum(axis=stretched, keepdims=True)  # axes of size 1, stretched


# --8<-- [end:sum_to_shape]


def _broadcast_inputs(rng: np.random.Generator):
    result_shape = tuple(
        int(size) for size in rng.integers(2, 5, size=int(rng.integers(1, 4)))
    )
    kept = int(
        rng.integers(0, len(result_shape) + 1)
    )  # trailing axes the operand has
    shape = tuple(
        size if rng.random() < 0.5 else 1
        for size in result_shape[len(result_shape) - kept :]
    )
    return rng.standard_normal(result_shape), shape


register(
    Exercise(
        key="frameworks-3",
        title="undo broadcasting in a gradient",
        function="sum_to_shape",
        reference=sum_to_shape,
        make_inputs=_broadcast_inputs,
        section="snippets/exercises/frameworks.py:sum_to_shape",
        planted_mistake=("axis=stretched, keepdims=True", "axis=stretched"),
    )
)


# --8<-- [start:log_softmax_backward]
def log_softmax_backward(grad_out, log_p):
    """Backward pass of log_p = log_softmax(z), row by row.

    grad_out: (batch, classes) = dL/d log_p; log_p: (batch, classes).
    d log_p_k / dz_j = δ_kj - p_j, so dL/dz_j = grad_j - p_j Σ_k grad_k.
    Returns dL/dz: (batch, classes).
    """
    p = np.exp(log_p)
    return grad_out - p * grad_out.sum(axis=1, keepdims=True)


# --8<-- [end:log_softmax_backward]


def _log_softmax_inputs(rng: np.random.Generator):
    batch, classes = int(rng.integers(1, 6)), int(rng.integers(2, 8))
    z = rng.standard_normal((batch, classes))
    shifted = z - z.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return rng.standard_normal((batch, classes)), log_p


register(
    Exercise(
        key="frameworks-5",
        title="backward pass of the log-softmax",
        function="log_softmax_backward",
        reference=log_softmax_backward,
        make_inputs=_log_softmax_inputs,
        section="snippets/exercises/frameworks.py:log_softmax_backward",
        planted_mistake=("grad_out - p *", "grad_out - "),
    )
)
