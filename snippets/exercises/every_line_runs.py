"""Exercises of "Every line of code on this site runs": reference solutions."""

from __future__ import annotations

import numpy as np

from snippets.exercises import Exercise, register

__all__ = ["bce_with_logits", "log_sigmoid"]


def _scores(rng: np.random.Generator) -> np.ndarray:
    """Scores of every size, huge ones too: where a naive formula breaks."""
    scale = 10.0 ** rng.integers(0, 4)
    extremes = rng.choice([-800.0, -40.0, 40.0, 800.0], size=2)
    return np.concatenate(
        [scale * rng.standard_normal(int(rng.integers(1, 12))), extremes]
    )


# --8<-- [start:log_sigmoid]
def log_sigmoid(z):
    """log σ(z) = -log(1 + e^-z), finite for every finite z. z: any shape.

    For z < 0, e^-z overflows; write the same number as z - log(1 + e^z).
    np.log1p(u) computes log(1 + u) accurately when u is tiny.
    """
    z = np.asarray(z, dtype=float)
    exp_neg_abs = np.exp(-np.abs(z))  # never overflows
    return np.minimum(z, 0.0) - np.log1p(exp_neg_abs)


# --8<-- [end:log_sigmoid]

register(
    Exercise(
        key="runs-2",
        title="log of the sigmoid, for every z",
        function="log_sigmoid",
        reference=log_sigmoid,
        make_inputs=lambda rng: (_scores(rng),),
        section="snippets/exercises/every_line_runs.py:log_sigmoid",
        planted_mistake=(
            "np.minimum(z, 0.0) - np.log1p(exp_neg_abs)",
            "np.log(1 / (1 + np.exp(-z)))",
        ),
        trials=10,
    )
)


# --8<-- [start:bce_with_logits]
def bce_with_logits(z, y):
    """Binary cross-entropy of σ(z) against labels y, from the scores z.

    z, y: (batch,), y in {0, 1}. Returns the mean over the batch of
    -(y log σ(z) + (1 - y) log(1 - σ(z))), finite for every finite z.
    Uses log(1 - σ(z)) = log σ(-z) and the stable log σ of exercise 2.
    """
    z = np.asarray(z, dtype=float)

    def log_sig(u):
        return np.minimum(u, 0.0) - np.log1p(np.exp(-np.abs(u)))

    return float(-np.mean(y * log_sig(z) + (1 - y) * log_sig(-z)))


# --8<-- [end:bce_with_logits]


def _labelled_scores(rng: np.random.Generator):
    z = _scores(rng)
    return z, rng.integers(0, 2, size=z.shape).astype(float)


register(
    Exercise(
        key="runs-4",
        title="binary cross-entropy from scores",
        function="bce_with_logits",
        reference=bce_with_logits,
        make_inputs=_labelled_scores,
        section="snippets/exercises/every_line_runs.py:bce_with_logits",
        planted_mistake=("(1 - y) * log_sig(-z)", "(1 - y) * (1 - log_sig(z))"),
        trials=10,
    )
)
