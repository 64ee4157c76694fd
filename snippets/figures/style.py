"""Figures of texture synthesis and style transfer (post "Convolutional neural networks").

All of them share one set of runs (``runs``), cached for the life of the process. The
matrices are small, so NumPy's BLAS runs on one thread: on a busy machine its worker
threads would only wait for each other.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from matplotlib.figure import Figure

from snippets.figures import figure
from snippets.style import RandomFeatures, load_picture, synthesise

SEED, SIZE = 0, 96
TEXTURE_STEPS, TRANSFER_STEPS = 100, 50  # the transfers level off after about 20
TEXTURES = ("brick", "gravel")
CONTENT, CONTENT_WEIGHT = "chelsea", 0.3


@cache
def runs() -> dict:
    """Every synthesis of the figures: {(kind, style name): (image, loss history)}."""
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(SEED)
    network = RandomFeatures(rng)
    content = load_picture(CONTENT, SIZE)
    results = {}
    with threadpool_limits(limits=1):
        for name in TEXTURES:
            style = load_picture(name, SIZE)
            noise = rng.uniform(0.4, 0.6, style.shape)
            results["texture", name] = synthesise(network, style, noise, steps=TEXTURE_STEPS)
            results["transfer", name] = synthesise(
                network,
                style,
                content.copy(),
                content=content,
                content_weight=CONTENT_WEIGHT,
                steps=TRANSFER_STEPS,
            )
    return results


def _show(ax, image: np.ndarray, title: str) -> None:
    ax.imshow(image[0, 0], cmap="gray", vmin=0.0, vmax=1.0, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, fontsize=10)


@figure("style-textures")
def textures() -> Figure:
    """Each texture photograph beside the texture synthesised from noise to match it."""
    results = runs()
    fig = Figure(figsize=(8, 2.3))
    axes = fig.subplots(1, 2 * len(TEXTURES))
    for index, name in enumerate(TEXTURES):
        _show(axes[2 * index], load_picture(name, SIZE), f"{name} (photograph)")
        _show(axes[2 * index + 1], results["texture", name][0], f"{name} (synthesised)")
    fig.tight_layout()
    return fig


@figure("style-transfer")
def transfer() -> Figure:
    """The content picture, then the content redrawn in each texture's style."""
    results = runs()
    fig = Figure(figsize=(8, 2.9))
    axes = fig.subplots(1, 1 + len(TEXTURES))
    _show(axes[0], load_picture(CONTENT, SIZE), f"content: {CONTENT}")
    for ax, name in zip(axes[1:], TEXTURES, strict=True):
        _show(ax, results["transfer", name][0], f"in the style of {name}")
    fig.tight_layout()
    return fig


@figure("style-loss")
def loss_curves() -> Figure:
    """Loss after each L-BFGS step, for every synthesis."""
    results = runs()
    fig = Figure(figsize=(7, 3))
    ax = fig.subplots()
    for (kind, name), (_, history) in results.items():
        label = f"texture: {name}" if kind == "texture" else f"{CONTENT} in the style of {name}"
        ax.plot(np.arange(1, len(history) + 1), history, label=label)
    ax.set_yscale("log")
    ax.set_xlabel("L-BFGS step")
    ax.set_ylabel("loss (style + content)")
    ax.grid(alpha=0.3)
    ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    return fig
