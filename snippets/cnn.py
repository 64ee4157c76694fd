"""The convolutional networks post's experiments: a small CNN against an MLP on
digits.

The layers live in ``snippets.conv``; this module builds networks from them,
trains them and looks inside: the digits as images, a training loop, the
CNN-against-MLP experiment, each layer's output, the input that excites a
channel most, and the Gram matrix of feature maps. Images are (batch, channels,
height, width).
"""

from __future__ import annotations

import numpy as np

from snippets.checks import check_ndim
from snippets.conv import Conv2D, Flatten, MaxPool2D
from snippets.data import load_digits_images_split, one_hot
from snippets.layers import Dense, Layer, ReLU
from snippets.network import Sequential, minibatches
from snippets.optim import Adam

__all__ = [
    "cnn_vs_mlp_experiment",
    "digits_cnn",
    "digits_mlp",
    "gram_matrix",
    "layer_outputs",
    "load_digit_images",
    "maximize_activation",
    "train_adam_cosine",
]


# --8<-- [start:digits_cnn]
def digits_cnn(rng: np.random.Generator) -> Sequential:
    """The post's small CNN for 8x8 digits: (batch, 1, 8, 8) -> (batch, 10)
    class scores."""
    return Sequential(
        [
            # (batch, 16, 8, 8)
            Conv2D(1, 16, kernel_size=3, rng=rng, padding=1),
            ReLU(),
            MaxPool2D(2),  # (batch, 16, 4, 4)
            # (batch, 32, 4, 4)
            Conv2D(16, 32, kernel_size=3, rng=rng, padding=1),
            ReLU(),
            MaxPool2D(2),  # (batch, 32, 2, 2)
            Flatten(),  # (batch, 128)
            Dense(128, 10, rng),  # (batch, 10)
        ]
    )


def digits_mlp(rng: np.random.Generator) -> Sequential:
    """A fully connected network for the same digits: (batch, 64) -> (batch,
    10)."""
    return Sequential([Dense(64, 64, rng), ReLU(), Dense(64, 10, rng)])


# --8<-- [end:digits_cnn]


# --8<-- [start:digit_images]
def load_digit_images(rng: np.random.Generator, test_fraction: float = 0.2):
    """The bundled 8x8 digits as scaled 1-channel images, split as
    ``load_digits_split`` splits them.

    Returns x_train: (n_train, 1, 8, 8), x_test: (n_test, 1, 8, 8), y_train,
    y_test one-hot: (n, 10). Every pixel is scaled by the same mean and standard
    deviation (of the training images): a filter slides over all positions, so
    all positions should speak the same units. Standardizing each pixel on its
    own would blow up the rare ink in the corners.
    """
    images_train, images_test, labels_train, labels_test = (
        load_digits_images_split(rng, test_fraction)
    )
    # two numbers, not two per pixel
    mean, std = images_train.mean(), images_train.std()
    # (n_train, 1, 8, 8): one channel
    x_train = (images_train[:, None] - mean) / std
    x_test = (images_test[:, None] - mean) / std
    return x_train, x_test, one_hot(labels_train, 10), one_hot(labels_test, 10)


# --8<-- [end:digit_images]


# --8<-- [start:train_adam_cosine]
def train_adam_cosine(
    model: Sequential,
    x_train,
    y_train,
    x_test,
    y_test,
    rng: np.random.Generator,
    epochs: int = 12,
    batch_size: int = 32,
    lr: float = 0.01,
) -> dict[str, list[float]]:
    """Adam with a step size that shrinks along a half cosine; returns per-epoch
    history.

    history["loss"]: mean training-batch loss of each epoch; "val_loss" and
    "val_accuracy": on (x_test, y_test), which is only watched, never trained
    on.
    """
    optimizer = Adam(lr)
    history = {"loss": [], "val_loss": [], "val_accuracy": []}
    for epoch in range(epochs):
        # Big steps while far from a minimum, small ones at the end so the
        # weights settle.
        optimizer.lr = lr * (1 + np.cos(np.pi * epoch / epochs)) / 2
        batches = minibatches(len(x_train), batch_size, rng)
        losses = []
        for number, batch in enumerate(batches, start=1):
            step = (optimizer, epoch + 1, number)  # stops if training diverges
            xb, yb = x_train[batch], y_train[batch]
            losses.append(model.checked_train_step(xb, yb, *step))
        val_loss, val_accuracy = model.checked_evaluate(
            x_test, y_test, optimizer, epoch + 1, len(losses)
        )
        history["loss"].append(float(np.mean(losses)))
        history["val_loss"].append(val_loss)
        history["val_accuracy"].append(val_accuracy)
    return history


# --8<-- [end:train_adam_cosine]


# --8<-- [start:cnn_vs_mlp_experiment]
def cnn_vs_mlp_experiment(seed: int = 0) -> dict:
    """Train the CNN and the MLP on the same split of the digits, for the same
    epochs.

    Returns the two models, their histories and the held-out images and labels.
    """
    rng = np.random.default_rng(seed)
    x_train, x_test, y_train, y_test = load_digit_images(rng)
    cnn = digits_cnn(rng)
    cnn_history = train_adam_cosine(cnn, x_train, y_train, x_test, y_test, rng)
    # The MLP sees the same numbers as rows of 64 pixels: where each pixel sits
    # is lost.
    rows_train, rows_test = (
        x_train.reshape(len(x_train), 64),
        x_test.reshape(len(x_test), 64),
    )
    mlp = digits_mlp(rng)
    mlp_history = train_adam_cosine(
        mlp, rows_train, y_train, rows_test, y_test, rng
    )
    return {
        "cnn": cnn,
        "cnn_history": cnn_history,
        "mlp": mlp,
        "mlp_history": mlp_history,
        "x_test": x_test,
        "y_test": y_test,
    }


# --8<-- [end:cnn_vs_mlp_experiment]


# --8<-- [start:layer_outputs]
def layer_outputs(layers: list[Layer], x: np.ndarray) -> list[np.ndarray]:
    """The output of every layer for input x, in order: what each layer sees of
    x."""
    outputs = []
    for layer in layers:
        x = layer.forward(x)
        outputs.append(x)
    return outputs


# --8<-- [end:layer_outputs]


# --8<-- [start:maximize_activation]
def maximize_activation(
    layers: list[Layer],
    channel: int,
    pixel_range: tuple[float, float],
    rng: np.random.Generator,
    shape: tuple[int, ...] = (1, 1, 8, 8),
    steps: int = 100,
    step_size: float = 0.5,
) -> np.ndarray:
    """Gradient ascent on an input image to excite one channel of the last of
    ``layers``.

    Maximises the mean of output channel ``channel``, starting from random
    pixels. After each step every pixel is clipped to ``pixel_range`` (no ink,
    full ink), so the image stays one the network could have been shown.
    Backward passes overwrite the layers' parameter gradients. Returns the
    image, of ``shape``.
    """
    low, high = pixel_range
    image = rng.uniform(low, high, size=shape)
    for _ in range(steps):
        out = layer_outputs(layers, image)[-1]
        grad = np.zeros_like(out)
        grad[:, channel] = 1.0 / out[:, channel].size  # d mean(channel) / d out
        for layer in reversed(layers):
            grad = layer.backward(grad)  # ends as d mean(channel) / d image
        # A step of fixed length: the gradient's direction matters, its size
        # varies a lot.
        image += step_size * grad / (np.linalg.norm(grad) + 1e-12)
        np.clip(image, low, high, out=image)
    return image


# --8<-- [end:maximize_activation]


# --8<-- [start:gram_matrix]
def gram_matrix(feature_maps: np.ndarray) -> np.ndarray:
    """Which channels fire together, wherever they fire: (batch, C, H, W) ->
    (batch, C, C).

    G[n, c, d] = mean over positions of F[n, c] * F[n, d]. The positions are
    summed away, so G keeps the texture of the maps (their style) and forgets
    the layout.
    """
    check_ndim(
        feature_maps, 4, "(batch, channels, height, width)", "feature_maps"
    )
    batch, channels = feature_maps.shape[:2]
    flat = feature_maps.reshape(batch, channels, -1)  # (batch, C, H * W)
    return flat @ flat.transpose(0, 2, 1) / flat.shape[2]


# --8<-- [end:gram_matrix]
