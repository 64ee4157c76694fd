"""Data augmentation: new training examples made from old ones by shifts."""

from __future__ import annotations

import numpy as np

from snippets.checks import as_float_array, check_ndim

__all__ = [
    "random_shifts",
    "shift_images",
]


# --8<-- [start:shift_images]
def shift_images(images: np.ndarray, shifts: np.ndarray) -> np.ndarray:
    """Move each image by whole pixels, filling the uncovered border with 0.

    images: (n, height, width); shifts: (n, 2) integers (down, right).
    Returns a new array of shape (n, height, width).
    """
    n, height, width = images.shape
    margin = int(np.abs(shifts).max(initial=0))
    padded = np.pad(images, ((0, 0), (margin, margin), (margin, margin)))
    # Output pixel (r, c) of image i reads input pixel (r - down, c - right).
    rows = np.arange(height) + margin - shifts[:, :1]  # (n, height)
    cols = np.arange(width) + margin - shifts[:, 1:]  # (n, width)
    images_index = np.arange(n)[:, None, None]
    return padded[images_index, rows[:, :, None], cols[:, None, :]]


# --8<-- [end:shift_images]


# --8<-- [start:random_shifts]
def random_shifts(
    x: np.ndarray,
    rng: np.random.Generator,
    image_shape: tuple[int, int] = (8, 8),
    max_shift: int = 1,
) -> np.ndarray:
    """Shift each flattened image by up to ``max_shift`` pixels, at random.

    x: (batch, height * width), images with a background of 0. Returns a new
    array of the same shape. Pass it to ``Sequential.fit(..., augment=...)``.
    """
    x = as_float_array(x)
    check_ndim(x, 2, "(batch, height * width)")
    height, width = image_shape
    if x.shape[1] != height * width:
        raise ValueError(
            f"x must have shape (batch, {height * width}) for {height}x{width} "
            f"images, got shape {x.shape}; pass image_shape="
        )
    if max_shift < 0:
        raise ValueError(f"max_shift must be 0 or more pixels, got {max_shift}")
    shifts = rng.integers(-max_shift, max_shift + 1, size=(len(x), 2))
    images = x.reshape(len(x), height, width)
    return shift_images(images, shifts).reshape(len(x), -1)


# --8<-- [end:random_shifts]
