"""Figures of the post "An introduction to deep learning".

The data and the fit are the post's own: the same seed, the same call, the same
learning rate (tests/test_intro.py checks that the post still makes these calls).
The diagrams are drawn with patches and text on axes without ticks.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch, Polygon

from snippets.figures import figure
from snippets.intro import gradient_descent, make_line_data, mse, predict_line

# The post's data and fit.
LINE_SEED = 0
DATA = {"n": 100, "slope": 2.0, "intercept": 1.0, "noise": 0.3}
FIT = {"learning_rate": 0.1, "steps": 200}

INK = "#263238"
BLUE = "#3949ab"
ORANGE = "#f4511e"
GREEN = "#43a047"
GREY = "#90a4ae"
FILL = "#e8eaf6"


def post_data() -> tuple[np.ndarray, np.ndarray]:
    """x, y: (n,), exactly as the post makes them."""
    return make_line_data(**DATA, rng=np.random.default_rng(LINE_SEED))


def post_fit() -> tuple[np.ndarray, np.ndarray, float, float, dict[str, np.ndarray]]:
    """The post's data, its fitted m and c, and the history of the fit."""
    x, y = post_data()
    m, c, history = gradient_descent(x, y, **FIT)
    return x, y, m, c, history


# Drawing helpers: the diagrams use axes in data units with equal aspect.


def _canvas(width: float, height: float, size: tuple[float, float]) -> tuple[Figure, Axes]:
    fig = Figure(figsize=size)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig, ax


def _arrow(ax: Axes, start, end, color: str = INK, **kwargs) -> None:
    ax.add_patch(
        FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=12, color=color, linewidth=1.2, **kwargs)
    )


def _box(ax: Axes, centre, width: float, height: float, text: str, face: str = FILL, **text_kwargs) -> None:
    x, y = centre
    ax.add_patch(
        FancyBboxPatch(
            (x - width / 2, y - height / 2),
            width,
            height,
            boxstyle="round,pad=0.02,rounding_size=0.12",
            facecolor=face,
            edgecolor=INK,
            linewidth=1.2,
        )
    )
    ax.text(x, y, text, ha="center", va="center", color=INK, **text_kwargs)


def _towards(start, end, distance: float) -> np.ndarray:
    """The point `distance` from `start` on the way to `end`."""
    start, end = np.asarray(start, dtype=float), np.asarray(end, dtype=float)
    direction = (end - start) / np.linalg.norm(end - start)
    return start + distance * direction


@figure("intro_line_fit")
def line_fit() -> Figure:
    """The noisy data, the true line, and the line after 0, 5, 20 and 200 steps."""
    x, y, m, c, history = post_fit()
    grid = np.linspace(-1.0, 1.0, 2)
    fig = Figure(figsize=(6, 3.6))
    ax = fig.add_subplot()
    ax.scatter(x, y, s=14, color=GREY, label="data", zorder=1)
    ax.plot(grid, DATA["slope"] * grid + DATA["intercept"], "--", color=INK, label="true line y = 2x + 1")
    for step, alpha in [(0, 0.25), (5, 0.45), (20, 0.7)]:
        line = predict_line(grid, history["m"][step], history["c"][step])
        ax.plot(grid, line, color=BLUE, alpha=alpha, linewidth=1.2)
        ax.annotate(
            f"step {step}", (grid[-1], line[-1]), xytext=(4, 0), textcoords="offset points", va="center"
        )
    ax.plot(grid, predict_line(grid, m, c), color=ORANGE, linewidth=2.2, label=f"after {FIT['steps']} steps")
    ax.set_xlim(-1.05, 1.3)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.legend(frameon=False, loc="upper left")
    ax.grid(alpha=0.3)
    return fig


@figure("intro_loss_curve")
def loss_curve() -> Figure:
    """The mean squared error after each step of gradient descent."""
    _, _, _, _, history = post_fit()
    fig = Figure(figsize=(6, 3.2))
    ax = fig.add_subplot()
    ax.plot(np.arange(len(history["loss"])), history["loss"], color=BLUE, linewidth=2)
    ax.axhline(DATA["noise"] ** 2, color=GREY, linestyle="--", linewidth=1)
    ax.annotate(
        "noise level: 0.3² = 0.09",
        (FIT["steps"], DATA["noise"] ** 2),
        xytext=(0, 6),
        textcoords="offset points",
        ha="right",
        color=INK,
    )
    ax.set_ylim(0, None)
    ax.set_xlabel("step")
    ax.set_ylabel("loss (mean squared error)")
    ax.grid(alpha=0.3)
    return fig


@figure("intro_loss_surface")
def loss_surface() -> Figure:
    """Contours of the loss over (m, c) and the path gradient descent takes across them."""
    x, y, m, c, history = post_fit()
    ms, cs = np.meshgrid(np.linspace(-0.5, 3.5, 161), np.linspace(-0.5, 2.5, 121))
    # loss[i, j] = mean over the data of (ms[i, j] * x + cs[i, j] - y)^2
    loss = np.mean((ms[..., None] * x + cs[..., None] - y) ** 2, axis=-1)
    fig = Figure(figsize=(6, 4.2))
    ax = fig.add_subplot()
    levels = np.geomspace(mse(predict_line(x, m, c), y) * 1.5, 4.0, 9)
    contours = ax.contour(ms, cs, loss, levels=levels, colors=GREY, linewidths=0.8)
    ax.clabel(contours, fmt="%.2g", fontsize=7)
    ax.plot(
        history["m"], history["c"], "o-", color=BLUE, markersize=2.5, linewidth=1, label="one dot per step"
    )
    ax.legend(frameon=False, loc="upper left")
    ax.annotate("start: m = 0, c = 0", (0, 0), xytext=(6, -8), textcoords="offset points", va="top")
    ax.plot([m], [c], "*", color=ORANGE, markersize=14)
    ax.annotate(f"after {FIT['steps']} steps", (m, c), xytext=(10, 6), textcoords="offset points", color=INK)
    ax.set_xlabel("m (slope)")
    ax.set_ylabel("c (intercept)")
    ax.set_aspect("equal")
    return fig


@figure("intro_neuron")
def neuron_diagram() -> Figure:
    """Inputs, weights, a weighted sum plus bias, an activation, one output."""
    fig, ax = _canvas(11, 5.6, (7, 3.6))
    total, act, out = (5.4, 2.8), (8.0, 2.8), (10.2, 2.8)
    for i, y in enumerate([4.6, 2.8, 1.0], start=1):
        ax.add_patch(Circle((1.0, y), 0.42, facecolor="white", edgecolor=INK, linewidth=1.2))
        ax.text(1.0, y, f"$x_{i}$", ha="center", va="center", fontsize=12)
        _arrow(ax, _towards((1.0, y), total, 0.45), _towards(total, (1.0, y), 0.72))
        label = _towards((1.0, y), total, 1.9)
        ax.text(label[0], label[1] + 0.28, f"$w_{i}$", ha="center", va="bottom", fontsize=12, color=BLUE)
    ax.add_patch(Circle(total, 0.7, facecolor=FILL, edgecolor=INK, linewidth=1.2))
    ax.text(*total, r"$\Sigma$", ha="center", va="center", fontsize=16)
    _arrow(ax, (total[0], 0.7), (total[0], total[1] - 0.72), color=BLUE)
    ax.text(total[0], 0.45, "bias $b$", ha="center", va="center", fontsize=11, color=BLUE)
    ax.text(total[0], 4.35, "weighted sum\n$z = w_1x_1 + w_2x_2 + w_3x_3 + b$", ha="center", fontsize=9)
    _arrow(ax, (total[0] + 0.72, total[1]), (act[0] - 0.72, act[1]))
    _box(ax, act, 1.4, 1.4, "")
    curve_x = np.linspace(-0.5, 0.5, 3)
    ax.plot(act[0] + curve_x, act[1] - 0.3 + np.maximum(curve_x, 0) * 1.1, color=ORANGE, linewidth=2)
    ax.text(act[0], 4.1, "activation\n$y = f(z)$, here ReLU", ha="center", fontsize=9)
    _arrow(ax, (act[0] + 0.72, act[1]), (out[0] - 0.45, out[1]))
    ax.add_patch(Circle(out, 0.42, facecolor="white", edgecolor=INK, linewidth=1.2))
    ax.text(*out, "$y$", ha="center", va="center", fontsize=12)
    return fig


@figure("intro_network")
def network_diagram() -> Figure:
    """A fully connected network with layers of 3, 5, 5 and 2 neurons."""
    sizes = [3, 5, 5, 2]
    names = [
        "input\n3 numbers",
        "hidden layer 1\n5 neurons",
        "hidden layer 2\n5 neurons",
        "output layer\n2 neurons",
    ]
    colours = ["white", FILL, FILL, "#fbe9e7"]
    fig, ax = _canvas(10.4, 6.6, (6.4, 4.1))
    columns = [1.4 + 2.5 * i for i in range(len(sizes))]
    positions = [
        [(x, 3.9 + (size - 1) / 2 * 1.1 - 1.1 * j) for j in range(size)]
        for x, size in zip(columns, sizes, strict=True)
    ]
    for left, right in pairwise(positions):
        for a in left:
            for b in right:
                ax.plot([a[0], b[0]], [a[1], b[1]], color=GREY, linewidth=0.8, zorder=1)
    for column, colour, name in zip(positions, colours, names, strict=True):
        for point in column:
            ax.add_patch(Circle(point, 0.33, facecolor=colour, edgecolor=INK, linewidth=1.2, zorder=2))
        ax.text(column[0][0], 0.55, name, ha="center", va="center", fontsize=9, color=INK)
    return fig


@figure("intro_feature_hierarchy")
def feature_hierarchy() -> Figure:
    """A schematic: edges combine into parts, parts into an object."""
    fig = Figure(figsize=(7.5, 2.9))
    axes = fig.subplots(1, 3)
    titles = ["early layers: edges", "middle layers: parts", "late layers: objects"]
    for ax, title in zip(axes, titles, strict=True):
        ax.set_xlim(0, 3)
        ax.set_ylim(0, 3)
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(title, fontsize=10)
    # Early: small oriented edge detectors (Gabor patches), like first-layer filters.
    grid = np.linspace(-1, 1, 25)
    gx, gy = np.meshgrid(grid, grid)
    for k, angle in enumerate(np.linspace(0, np.pi, 9, endpoint=False)):
        along = gx * np.cos(angle) + gy * np.sin(angle)
        patch = np.exp(-(gx**2 + gy**2) / 0.3) * np.cos(5.0 * along)
        row, col = divmod(k, 3)
        extent = (col + 0.08, col + 0.92, 2 - row + 0.08, 2 - row + 0.92)
        axes[0].imshow(patch, cmap="gray", extent=extent, vmin=-1, vmax=1, interpolation="bilinear")
    # Middle: parts built from edges.
    parts = axes[1]
    parts.add_patch(Polygon([(0.3, 1.8), (0.75, 2.8), (1.2, 1.8)], fill=False, edgecolor=INK, linewidth=1.8))
    parts.add_patch(Circle((2.2, 2.3), 0.38, fill=False, edgecolor=INK, linewidth=1.8))
    parts.add_patch(Circle((2.2, 2.3), 0.12, color=INK))
    parts.add_patch(Polygon([(0.45, 1.0), (1.05, 1.0), (0.75, 0.6)], color=INK))
    for dy in (-0.15, 0.0, 0.15):
        parts.plot([1.7, 2.8], [0.9 + dy, 0.9 + 2 * dy], color=INK, linewidth=1.4)
    # Late: the parts arranged into a face.
    face = axes[2]
    face.add_patch(Circle((1.5, 1.3), 1.05, fill=False, edgecolor=INK, linewidth=1.8))
    for side in (-1, 1):
        tip = 1.5 + side * 0.85
        face.add_patch(
            Polygon(
                [(1.5 + side * 0.25, 2.25), (tip, 2.85), (1.5 + side * 0.95, 1.75)],
                fill=False,
                edgecolor=INK,
                linewidth=1.8,
            )
        )
        face.add_patch(Circle((1.5 + side * 0.4, 1.55), 0.17, fill=False, edgecolor=INK, linewidth=1.6))
        face.add_patch(Circle((1.5 + side * 0.4, 1.55), 0.06, color=INK))
        for dy in (-0.12, 0.0, 0.12):
            face.plot([1.5 + side * 0.35, 1.5 + side * 1.25], [1.05, 1.05 + 2 * dy], color=INK, linewidth=1.2)
    face.add_patch(Polygon([(1.38, 1.18), (1.62, 1.18), (1.5, 1.0)], color=INK))
    for left, right in pairwise(axes):
        fig.add_artist(
            FancyArrowPatch(
                (left.get_position().x1 + 0.01, 0.45),
                (right.get_position().x0 - 0.01, 0.45),
                transform=fig.transFigure,
                arrowstyle="-|>",
                mutation_scale=14,
                color=BLUE,
            )
        )
    return fig


@figure("intro_residual_block")
def residual_block() -> Figure:
    """Two weight layers compute F(x); the input skips past them and is added back."""
    fig, ax = _canvas(6.6, 8.2, (3.6, 4.5))
    x0 = 2.6
    ax.text(x0, 7.75, "$x$", ha="center", va="center", fontsize=13)
    _box(ax, (x0, 6.4), 2.6, 0.75, "weight layer")
    _box(ax, (x0, 5.1), 2.6, 0.75, "ReLU", face="#fbe9e7")
    _box(ax, (x0, 3.8), 2.6, 0.75, "weight layer")
    ax.add_patch(Circle((x0, 2.35), 0.33, facecolor="white", edgecolor=INK, linewidth=1.2))
    ax.text(x0, 2.35, "+", ha="center", va="center", fontsize=15)
    _box(ax, (x0, 1.2), 2.6, 0.75, "ReLU", face="#fbe9e7")
    _arrow(ax, (x0, 7.45), (x0, 6.8))
    _arrow(ax, (x0, 6.0), (x0, 5.5))
    _arrow(ax, (x0, 4.7), (x0, 4.2))
    _arrow(ax, (x0, 3.4), (x0, 2.7))
    # A bracket on the left: the layers that compute F(x).
    ax.plot([x0 - 1.45, x0 - 1.6, x0 - 1.6, x0 - 1.45], [6.75, 6.75, 3.45, 3.45], color=BLUE, linewidth=1.4)
    ax.text(x0 - 1.75, 5.1, "$F(x)$", ha="right", va="center", fontsize=11, color=BLUE)
    _arrow(ax, (x0, 2.0), (x0, 1.6))
    ax.text(x0 + 0.35, 1.8, "$F(x) + x$", ha="left", va="center", fontsize=10, color=INK)
    _arrow(ax, (x0, 0.8), (x0, 0.2))
    # The shortcut: from the input, down the right-hand side, into the sum.
    ax.plot([x0, 5.4, 5.4], [7.15, 7.15, 2.35], color=ORANGE, linewidth=1.6)
    _arrow(ax, (5.4, 2.35), (x0 + 0.35, 2.35), color=ORANGE)
    ax.text(
        5.55, 4.8, "identity\nshortcut: $x$", ha="left", va="center", fontsize=10, color=ORANGE, rotation=0
    )
    ax.set_xlim(0, 7.6)
    return fig


@figure("intro_inception_module")
def inception_module() -> Figure:
    """Four parallel branches over the same input, concatenated along the channels."""
    fig, ax = _canvas(12, 6.8, (7.2, 4.1))
    branches = [
        ["1×1 conv"],
        ["1×1 conv", "3×3 conv"],
        ["1×1 conv", "5×5 conv"],
        ["3×3 max pool", "1×1 conv"],
    ]
    top, bottom = 6.15, 0.65
    _box(ax, (6.0, top), 11.4, 0.7, "previous layer")
    _box(ax, (6.0, bottom), 11.4, 0.7, "concatenate the outputs along the channels")
    rows = [4.5, 2.7]
    for i, branch in enumerate(branches):
        x = 1.5 + 3.0 * i
        _arrow(ax, (x, top - 0.4), (x, rows[0] + 0.4))
        for j, name in enumerate(branch):
            face = "#fbe9e7" if "pool" in name else ("#e0f2f1" if name == "1×1 conv" else FILL)
            _box(ax, (x, rows[j]), 2.4, 0.7, name, face=face)
        if len(branch) == 2:
            _arrow(ax, (x, rows[0] - 0.4), (x, rows[1] + 0.4))
        _arrow(ax, (x, rows[len(branch) - 1] - 0.4), (x, bottom + 0.4))
    return fig
