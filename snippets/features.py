"""Feature pictures a person can read: a CNN on digits enlarged to 24x24,
and activation maximisation with the regularisers of Olah, Mordvintsev and
Schubert ("Feature Visualization", Distill, 2017): jitter, blur, decay and
several random starts.

Images are (batch, 1, 24, 24), scaled as one: mean 0 and standard deviation 1
over all training pixels.
"""

from __future__ import annotations

import numpy as np

from snippets.conv import Conv2D, Flatten, MaxPool2D
from snippets.data import load_digits_images_split, one_hot
from snippets.layers import Dense, ReLU
from snippets.network import Sequential, minibatches
from snippets.optim import Adam

SIZE = 24  # pixels per side: 3 per pixel of the 8x8 originals

__all__ = [
    "SIZE",
    "blur",
    "channel_mean_and_gradient",
    "large_digits",
    "large_digits_cnn",
    "top_images",
    "train_large_digits",
    "visualise_channel",
]


# --8<-- [start:large_digits]
def large_digits(rng: np.random.Generator):
    """The 8x8 digits smoothly enlarged to 24x24 (bilinear), split and scaled.

    Returns x_train, x_test: (n, 1, 24, 24); y_train, y_test: (n, 10) one-hot.
    """
    from skimage.transform import resize

    split = load_digits_images_split(rng)
    images_train, images_test, labels_train, labels_test = split
    enlarge = []
    for images in (images_train, images_test):
        bigger = resize(images, (len(images), SIZE, SIZE), order=1)
        enlarge.append(bigger[:, None])  # one channel
    mean, std = enlarge[0].mean(), enlarge[0].std()
    x_train, x_test = [(images - mean) / std for images in enlarge]
    return x_train, x_test, one_hot(labels_train, 10), one_hot(labels_test, 10)


def large_digits_cnn(rng: np.random.Generator) -> Sequential:
    """(batch, 1, 24, 24) -> (batch, 10): two rounds of convolution, pooling."""
    return Sequential(
        [
            Conv2D(1, 8, 3, rng=rng, padding=1),  # (batch, 8, 24, 24)
            ReLU(),
            MaxPool2D(2),  # (batch, 8, 12, 12)
            Conv2D(8, 16, 3, rng=rng, padding=1),  # (batch, 16, 12, 12)
            ReLU(),
            MaxPool2D(2),  # (batch, 16, 6, 6)
            Flatten(),
            Dense(16 * 6 * 6, 10, rng),
        ]
    )


def train_large_digits(seed: int = 0, epochs: int = 4) -> dict:
    """Train ``large_digits_cnn`` with Adam: the model, data and accuracy."""
    rng = np.random.default_rng(seed)
    x_train, x_test, y_train, y_test = large_digits(rng)
    model, optimizer = large_digits_cnn(rng), Adam(3e-3)
    for _ in range(epochs):
        for batch in minibatches(len(x_train), 32, rng):
            model.train_step(x_train[batch], y_train[batch], optimizer)
    _, accuracy = model.evaluate(x_test, y_test)
    return {"model": model, "x_train": x_train, "accuracy": accuracy}


# --8<-- [end:large_digits]


# --8<-- [start:visualise]
def channel_mean_and_gradient(layers, image: np.ndarray, channel: int):
    """The mean of ``channel`` after ``layers``, and its gradient by image."""
    out = image
    for layer in layers:
        out = layer.forward(out)
    grad = np.zeros_like(out)
    grad[:, channel] = 1.0 / out[:, channel].size  # d mean / d out
    for layer in reversed(layers):
        grad = layer.backward(grad)
    return float(out[:, channel].mean()), grad


def blur(image: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian blur of each (height, width) map: softens pixel-level noise."""
    from scipy.ndimage import gaussian_filter

    return gaussian_filter(image, sigma=(0, 0, sigma, sigma))


def visualise_channel(
    layers,
    channel: int,
    rng: np.random.Generator,
    shape=(1, 1, 24, 24),
    pixel_range=(-1.0, 3.0),
    steps: int = 60,
    starts: int = 3,
    jitter: int = 2,
    sigma: float = 0.6,
    step_size: float = 0.3,
    decay: float = 0.05,
):
    """Gradient ascent on the input to excite ``channel``, made legible.

    Each step shifts the image by up to ``jitter`` pixels before taking the
    gradient, so no pattern can rely on exact pixel positions; every fifth step
    blurs it, which damps the high-frequency noise that can excite a channel as
    much as a real stroke; ``decay`` fades pixels that do not help back to the
    background; pixels stay in ``pixel_range``. Of ``starts`` random starts the
    best is kept. Returns (image, mean activation).
    """
    low, high = pixel_range
    best_image, best_value = None, -np.inf
    for _ in range(starts):
        image = rng.normal(0.0, 0.1, size=shape)
        for step in range(steps):
            dy, dx = rng.integers(-jitter, jitter + 1, size=2)
            shifted = np.roll(image, (dy, dx), axis=(2, 3))
            _, grad = channel_mean_and_gradient(layers, shifted, channel)
            grad = np.roll(grad, (-dy, -dx), axis=(2, 3))  # back in place
            image += step_size * grad / (grad.std() + 1e-12)
            image *= 1.0 - decay  # pixels that do not help fade back to grey
            if step % 5 == 4:
                image = blur(image, sigma)
            np.clip(image, low, high, out=image)
        value, _ = channel_mean_and_gradient(layers, image, channel)
        if value > best_value:
            best_image, best_value = image, value
    return best_image, best_value


def top_images(layers, images: np.ndarray, channel: int, count: int = 4):
    """The ``count`` images whose mean activation of ``channel`` is highest."""
    out = images
    for layer in layers:
        out = layer.forward(out)
    scores = out[:, channel].mean(axis=(1, 2))
    return images[np.argsort(scores)[::-1][:count]]


# --8<-- [end:visualise]
