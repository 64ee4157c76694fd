"""Exercises of "An introduction to deep learning": reference solutions.

Data points x, y: (n,); the line's slope m and intercept c are numbers.
"""

from __future__ import annotations

import numpy as np

from snippets.exercises import Exercise, register

__all__ = ["fit_line", "gradient_step", "network_forward"]


def _line_data(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    n = int(rng.integers(5, 40))
    x = rng.uniform(-1.0, 1.0, size=n)
    return x, rng.normal(
        1.0, 1.0
    ) * x + rng.normal() + 0.3 * rng.standard_normal(n)


# --8<-- [start:gradient_step]
def gradient_step(x, y, m, c, learning_rate):
    """One step of gradient descent on the mean squared error of y ≈ m x + c.

    x, y: (n,); m, c, learning_rate: numbers. Returns the new (m, c).
    """
    error = m * x + c - y  # (n,)
    dm = 2 * np.mean(error * x)
    dc = 2 * np.mean(error)
    return m - learning_rate * dm, c - learning_rate * dc


# --8<-- [end:gradient_step]

register(
    Exercise(
        key="intro-2",
        title="one step of gradient descent",
        function="gradient_step",
        reference=gradient_step,
        make_inputs=lambda rng: (
            *_line_data(rng),
            rng.normal(),
            rng.normal(),
            rng.uniform(0.01, 0.5),
        ),
        section="snippets/exercises/intro.py:gradient_step",
        planted_mistake=("c - learning_rate * dc", "c + learning_rate * dc"),
    )
)


# --8<-- [start:network_forward]
def network_forward(x, W1, b1, W2, b2):
    """A hidden layer of ReLU units, then an output layer with no activation.

    x: (batch, inputs), W1: (inputs, hidden), b1: (hidden,),
    W2: (hidden, outputs), b2: (outputs,) -> (batch, outputs).
    """
    hidden = np.maximum(x @ W1 + b1, 0.0)  # (batch, hidden)
    return hidden @ W2 + b2


# --8<-- [end:network_forward]


def _network_inputs(rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    batch, inputs, hidden, outputs = rng.integers(1, 7, size=4)
    return (
        rng.standard_normal((batch, inputs)),
        rng.standard_normal((inputs, hidden)),
        rng.standard_normal(hidden),
        rng.standard_normal((hidden, outputs)),
        rng.standard_normal(outputs),
    )


register(
    Exercise(
        key="intro-4",
        title="a network with one hidden layer, forward",
        function="network_forward",
        reference=network_forward,
        make_inputs=_network_inputs,
        section="snippets/exercises/intro.py:network_forward",
        planted_mistake=(
            "np.maximum(x @ W1 + b1, 0.0)",
            "np.maximum(x @ W1, 0.0) + b1",
        ),
    )
)


# --8<-- [start:fit_line]
def fit_line(x, y):
    """The least-squares line through the points, in closed form: (m, c).

    x, y: (n,), with x not all equal. Setting both partial derivatives of the
    mean squared error to zero gives m = cov(x, y) / var(x) and c = ȳ - m x̄.
    """
    x_centred, y_centred = x - x.mean(), y - y.mean()
    m = np.sum(x_centred * y_centred) / np.sum(x_centred**2)
    c = y.mean() - m * x.mean()
    return m, c


# --8<-- [end:fit_line]

register(
    Exercise(
        key="intro-5",
        title="the best line in closed form",
        function="fit_line",
        reference=fit_line,
        make_inputs=_line_data,
        section="snippets/exercises/intro.py:fit_line",
        planted_mistake=("c = y.mean() - m * x.mean()", "c = y.mean()"),
    )
)
