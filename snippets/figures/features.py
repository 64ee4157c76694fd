"""Figure of legible activation maximisation (post "Convolutional neural networks")."""

from __future__ import annotations

from functools import cache

import numpy as np
from matplotlib.figure import Figure

from snippets.features import top_images, train_large_digits, visualise_channel
from snippets.figures import figure

SEED, CHANNELS, EXAMPLES = 0, 8, 4


@cache
def pictures() -> dict:
    """The trained 24x24 CNN, and for each channel its picture and top examples."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):  # small matrices: threads would only wait
        trained = train_large_digits(seed=SEED)
        layers = trained["model"].layers[:4]  # up to the second convolution
        rows = []
        for channel in range(CHANNELS):
            rng = np.random.default_rng(channel)
            image, _ = visualise_channel(layers, channel, rng)
            examples = top_images(layers, trained["x_train"], channel, EXAMPLES)
            rows.append((image, examples))
    ink = (float(trained["x_train"].min()), float(trained["x_train"].max()))
    return {"accuracy": trained["accuracy"], "rows": rows, "ink": ink}


@figure("cnn-feature-pictures")
def feature_pictures() -> Figure:
    """Per channel: the regularised picture that excites it, then its top training digits."""
    rows, (low, high) = pictures()["rows"], pictures()["ink"]
    half = (len(rows) + 1) // 2
    columns = 1 + EXAMPLES
    fig = Figure(figsize=(8, 0.95 * half + 0.5))
    grid = fig.add_gridspec(half, 2 * columns + 1, width_ratios=[1] * columns + [0.3] + [1] * columns)
    for channel, (image, examples) in enumerate(rows):
        row, offset = channel % half, (channel // half) * (columns + 1)
        ax = fig.add_subplot(grid[row, offset])
        # The digits' own grey scale: white paper, black ink.
        ax.imshow(image[0, 0], cmap="gray_r", vmin=low, vmax=high, interpolation="nearest")
        ax.set_ylabel(f"channel {channel}", fontsize=9)
        for index, example in enumerate(examples):
            ax_example = fig.add_subplot(grid[row, offset + 1 + index])
            ax_example.imshow(example[0], cmap="gray_r", vmin=low, vmax=high, interpolation="nearest")
            ax_example.set_xticks([])
            ax_example.set_yticks([])
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_color("C1")
            spine.set_linewidth(2)
    fig.suptitle(
        "orange frame: the picture that excites the channel most; beside it: the four "
        "training digits that excite it most",
        fontsize=9,
    )
    return fig
