"""Figures of the post "Overfitting and regularisation".

The training runs are cached for the life of the process: the build draws every
figure in one process, so the baseline run is trained once for two figures.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from matplotlib.figure import Figure

from snippets.augment import shift_images
from snippets.figures import figure
from snippets.regularisation import Recipe, capacity_experiment, load_digit_splits, train_recipe

SEED = 0  # the seed of the post's own baseline run
CAPACITY = {"train_sizes": (50, 100, 200, 400, 800), "widths": (8, 32, 128), "seeds": (0, 1), "steps": 300}
CURVES = {
    "no regularisation": Recipe(),
    "L2 penalty in Adam": Recipe(weight_decay=1e-2),
    "decoupled decay (AdamW)": Recipe(weight_decay=1e-2, decoupled=True),
    "dropout": Recipe(dropout=0.5),
    "shifts": Recipe(max_shift=1),
}


@cache
def _history(name: str) -> dict[str, list[float]]:
    return train_recipe(CURVES[name], load_digit_splits(), SEED)[1]


@figure("overfitting-curves")
def overfitting_curves() -> Figure:
    """Training and validation loss and accuracy of the unregularised network."""
    history = _history("no regularisation")
    epochs = np.arange(1, len(history["loss"]) + 1)
    best = int(np.argmin(history["val_loss"])) + 1
    fig = Figure(figsize=(7.5, 3))
    loss_ax, accuracy_ax = fig.subplots(1, 2)
    loss_ax.plot(epochs, history["loss"], label="training")
    loss_ax.plot(epochs, history["val_loss"], label="validation")
    loss_ax.set_yscale("log")
    loss_ax.set_ylabel("loss (cross-entropy)")
    accuracy_ax.plot(epochs, history["accuracy"], label="training")
    accuracy_ax.plot(epochs, history["val_accuracy"], label="validation")
    accuracy_ax.set_ylabel("accuracy")
    for ax in (loss_ax, accuracy_ax):
        ax.axvline(best, color="grey", linestyle=":", linewidth=1)
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3, which="both")
    loss_ax.annotate(
        f"lowest validation loss\n(epoch {best})",
        (best, history["val_loss"][best - 1]),
        xytext=(best + 20, history["val_loss"][best - 1] / 30),
        arrowprops={"arrowstyle": "->", "color": "grey"},
        fontsize=8,
    )
    accuracy_ax.legend(frameon=False, loc="lower right")
    fig.tight_layout()
    return fig


@figure("capacity-vs-data")
def capacity_vs_data() -> Figure:
    """Training and validation accuracy against training-set size, for three widths."""
    accuracy = capacity_experiment(**CAPACITY)
    sizes = CAPACITY["train_sizes"]
    fig = Figure(figsize=(7.5, 3.4))
    ax = fig.add_subplot()
    for i, width in enumerate(CAPACITY["widths"]):
        color = f"C{i}"
        ax.plot(sizes, accuracy["train"][i].mean(axis=1), color=color, linestyle="--", marker=".")
        ax.plot(
            sizes,
            accuracy["validation"][i].mean(axis=1),
            color=color,
            marker="o",
            label=f"{width} hidden units",
        )
    ax.plot([], [], color="grey", linestyle="--", label="training (dashed)")
    ax.plot([], [], color="grey", label="validation (solid)")
    ax.set_xscale("log", base=2)
    ax.set_xticks(sizes, [str(size) for size in sizes])
    ax.set_xlabel("training examples")
    ax.set_ylabel("accuracy")
    ax.grid(alpha=0.3)
    ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1))
    fig.tight_layout()
    return fig


@figure("shifted-digits")
def shifted_digits() -> Figure:
    """One training digit moved by one pixel in each of the nine ways."""
    digit = load_digit_splits()["train"][0][0].reshape(8, 8)
    shifts = np.array([(down, right) for down in (-1, 0, 1) for right in (-1, 0, 1)])
    moved = shift_images(np.repeat(digit[None], len(shifts), axis=0), shifts)
    fig = Figure(figsize=(4, 4))
    axes = fig.subplots(3, 3)
    for ax, image, (down, right) in zip(axes.flat, moved, shifts, strict=True):
        ax.imshow(image, cmap="gray_r", vmin=0, vmax=1, interpolation="nearest")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(f"down {down:+d}, right {right:+d}", fontsize=7)
    fig.tight_layout()
    return fig


@figure("regularised-curves")
def regularised_curves() -> Figure:
    """Validation loss against epochs with each regulariser, one seed each."""
    fig = Figure(figsize=(6.5, 3.4))
    ax = fig.add_subplot()
    for name in CURVES:
        val_loss = _history(name)["val_loss"]
        ax.plot(np.arange(1, len(val_loss) + 1), val_loss, label=name)
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("validation loss")
    ax.grid(alpha=0.3, which="both")
    ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    return fig
