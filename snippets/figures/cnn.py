"""Figures of the post "Convolutional neural networks from scratch".

The figures that need a trained network share one training run (``trained``), cached
for the life of the process: the build renders every figure in one process.
"""

from __future__ import annotations

from functools import cache

import matplotlib
import numpy as np
from matplotlib.figure import Figure

from snippets.activations import softmax
from snippets.cnn import (
    cnn_vs_mlp_experiment,
    layer_outputs,
    load_digit_images,
    maximize_activation,
)
from snippets.conv import conv2d_naive
from snippets.figures import figure

CNN_SEED = 0  # the seed of the post's own training run, so the figures show the same network
DIGIT_INDEX = 0  # which held-out digit the feature-map figure follows through the network


@cache
def trained() -> dict:
    """The post's experiment: the CNN and MLP trained on the digits (a few seconds)."""
    return cnn_vs_mlp_experiment(seed=CNN_SEED)


def _pixel_range(images: np.ndarray) -> tuple[float, float]:
    return float(images.min()), float(images.max())


def _show(ax, image: np.ndarray, title: str | None = None, **style) -> None:
    ax.imshow(image, interpolation="nearest", **({"cmap": "gray_r"} | style))
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=9)


@figure("cnn-edge-filters")
def edge_filters() -> Figure:
    """A digit convolved with a vertical-edge and a horizontal-edge kernel."""
    x_train = load_digit_images(np.random.default_rng(CNN_SEED))[0]
    digit = x_train[:1]  # (1, 1, 8, 8)
    vertical = np.array([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]])  # Sobel: left minus right
    kernels = np.stack([vertical, vertical.T])[:, None]  # (2, 1, 3, 3)
    maps = conv2d_naive(digit, kernels, np.zeros(2), stride=1, padding=1)[0]
    fig = Figure(figsize=(7.5, 2.2))
    axes = fig.subplots(1, 5, gridspec_kw={"width_ratios": [1, 0.5, 1, 0.5, 1]})
    _show(axes[0], digit[0, 0], "input digit")
    limit = 2.0
    _show(axes[1], vertical, "vertical-edge\nkernel", cmap="RdBu_r", vmin=-limit, vmax=limit)
    limit = np.abs(maps).max()
    _show(axes[2], maps[0], "its feature map", cmap="RdBu_r", vmin=-limit, vmax=limit)
    _show(axes[3], vertical.T, "horizontal-edge\nkernel", cmap="RdBu_r", vmin=-2.0, vmax=2.0)
    _show(axes[4], maps[1], "its feature map", cmap="RdBu_r", vmin=-limit, vmax=limit)
    return fig


@figure("cnn-training")
def training_curves() -> Figure:
    """Training loss and held-out accuracy per epoch, CNN against MLP."""
    results = trained()
    fig = Figure(figsize=(8, 3))
    loss_ax, accuracy_ax = fig.subplots(1, 2)
    for name, color in (("cnn", "C0"), ("mlp", "C1")):
        history = results[f"{name}_history"]
        epochs = np.arange(1, len(history["loss"]) + 1)
        final = history["val_accuracy"][-1]
        loss_ax.plot(epochs, history["loss"], color=color, label=f"{name.upper()} training")
        loss_ax.plot(
            epochs, history["val_loss"], color=color, linestyle="--", label=f"{name.upper()} held-out"
        )
        accuracy_ax.plot(
            epochs,
            history["val_accuracy"],
            color=color,
            marker="o",
            markersize=3,
            label=f"{name.upper()}: {final:.1%} at the end",
        )
    loss_ax.set_yscale("log")
    loss_ax.set_xlabel("epoch")
    loss_ax.set_ylabel("cross-entropy loss")
    loss_ax.legend(frameon=False, fontsize=8)
    accuracy_ax.set_xlabel("epoch")
    accuracy_ax.set_ylabel("held-out accuracy")
    accuracy_ax.set_ylim(top=1.0)
    accuracy_ax.legend(frameon=False, fontsize=8, loc="lower right")
    for ax in (loss_ax, accuracy_ax):
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


@figure("cnn-filters")
def learned_filters() -> Figure:
    """The 16 learned 3x3 kernels of the first convolution."""
    kernels = trained()["cnn"].layers[0].W[:, 0]  # (16, 3, 3)
    limit = np.abs(kernels).max()
    fig = Figure(figsize=(8, 1.3))
    axes = fig.subplots(1, len(kernels))
    for index, (ax, kernel) in enumerate(zip(axes, kernels, strict=True)):
        _show(ax, kernel, str(index), cmap="RdBu_r", vmin=-limit, vmax=limit)
    return fig


def _tile(maps: np.ndarray, columns: int) -> np.ndarray:
    """(channels, h, w) -> one image of the maps side by side, rows of ``columns``, NaN gaps."""
    channels, height, width = maps.shape
    rows = -(-channels // columns)
    tiled = np.full((rows * (height + 1) - 1, columns * (width + 1) - 1), np.nan)
    for channel, feature_map in enumerate(maps):
        top, left = (channel // columns) * (height + 1), (channel % columns) * (width + 1)
        tiled[top : top + height, left : left + width] = feature_map
    return tiled


@figure("cnn-feature-maps")
def feature_maps() -> Figure:
    """One held-out digit, what every layer makes of it, and the predicted probabilities."""
    results = trained()
    model, digit = results["cnn"], results["x_test"][DIGIT_INDEX : DIGIT_INDEX + 1]
    outputs = layer_outputs(model.layers, digit)
    # Outputs 1, 2, 4 and 5 of the model: ReLU after conv 1, pool 1, ReLU after conv 2, pool 2.
    shown = [(1, "conv 1 + ReLU"), (2, "pool 1"), (4, "conv 2 + ReLU"), (5, "pool 2")]
    tiles = [_tile(outputs[index][0], columns=16) for index, _ in shown]
    width = 7.0  # inches; each tiled row fills it, so its height follows from its shape
    heights = [1.1] + [width * tile.shape[0] / tile.shape[1] for tile in tiles] + [1.0]
    fig = Figure(figsize=(width + 0.6, sum(heights) + 0.4 * len(heights)))
    grid = fig.add_gridspec(len(heights), 1, height_ratios=heights, hspace=0.6)
    _show(fig.add_subplot(grid[0]), digit[0, 0], "input (one held-out digit)")
    magma = matplotlib.colormaps["magma"].with_extremes(bad="white")  # NaN gaps show as white
    for row, ((index, label), tile) in enumerate(zip(shown, tiles, strict=True), start=1):
        channels, height, width = outputs[index][0].shape
        ax = fig.add_subplot(grid[row])
        # One colour scale per layer, so its channels compare at a glance.
        _show(ax, tile, f"{label}: {channels} maps of {height}x{width}", cmap=magma, vmin=0.0)
    probabilities = softmax(outputs[-1])[0]
    bars = fig.add_subplot(grid[-1])
    bars.bar(np.arange(10), probabilities, color="C0")
    bars.set_xticks(np.arange(10))
    bars.set_ylim(0, 1)
    bars.set_title("dense + softmax: predicted probability of each digit", fontsize=9)
    return fig


@figure("cnn-class-maximisation")
def class_maximisation() -> Figure:
    """The input that maximises each class score of the whole network."""
    results = trained()
    pixel_range = _pixel_range(results["x_test"])
    fig = Figure(figsize=(8, 1.3))
    axes = fig.subplots(1, 10)
    for digit, ax in enumerate(axes):
        image = maximize_activation(results["cnn"].layers, digit, pixel_range, np.random.default_rng(digit))
        _show(ax, image[0, 0], f"'{digit}'", vmin=pixel_range[0], vmax=pixel_range[1])
    return fig
