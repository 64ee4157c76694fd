"""Figures of the post that shows how this site runs its code."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from snippets.activations import sigmoid, sigmoid_derivative
from snippets.figures import figure


@figure("sigmoid")
def sigmoid_and_derivative() -> Figure:
    """The sigmoid and its derivative on [-6, 6]."""
    z = np.linspace(-6, 6, 241)
    fig = Figure(figsize=(6, 3))
    ax = fig.add_subplot()
    ax.plot(z, sigmoid(z), label=r"$\sigma(z)$")
    ax.plot(z, sigmoid_derivative(z), label=r"$\sigma'(z) = \sigma(z)(1 - \sigma(z))$")
    ax.set_xlabel("z")
    ax.axhline(0, color="grey", linewidth=0.5)
    ax.legend(frameon=False)
    ax.grid(alpha=0.3)
    return fig
