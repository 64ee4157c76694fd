"""Data sets and the small utilities that prepare them.

Toy data made by code and scikit-learn's bundled 8x8 handwritten digits work
offline. MNIST (28x28 digits) is downloaded once, checked against known SHA-256
digests and cached. Randomness comes only from a ``Generator`` passed in.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import http.client
import math
import os
import struct
import tempfile
import time
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from snippets.checks import as_float_array, check_generator, check_ndim

__all__ = [
    "IDX_TYPES",
    "MNIST_FILES",
    "MNIST_MIRRORS",
    "STALE_PART_SECONDS",
    "CacheDirError",
    "ChecksumError",
    "DownloadError",
    "Opener",
    "default_cache_dir",
    "download_verified",
    "fetch_mnist",
    "load_digits_images_split",
    "load_digits_split",
    "load_mnist",
    "one_hot",
    "read_idx",
    "sha256_of",
    "standardize",
    "toy_data",
    "train_test_split",
]


# --8<-- [start:toy_data]
def toy_data() -> tuple[np.ndarray, np.ndarray]:
    """The classic 3-input toy set: the label is the XOR of the first two
    inputs.

    Returns x: (4, 3), y: (4, 1). No single straight line separates the classes,
    so a network needs its hidden layer.
    """
    x = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=np.float64)
    y = np.array([[0], [1], [1], [0]], dtype=np.float64)
    return x, y


# --8<-- [end:toy_data]


# --8<-- [start:one_hot]
def one_hot(labels: np.ndarray, n_classes: int) -> np.ndarray:
    """Integer labels (n,) -> one-hot rows (n, n_classes)."""
    labels = np.asarray(labels)
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(
            f"labels must be a 1-D integer array, got shape {labels.shape}, "
            f"dtype {labels.dtype}"
        )
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        raise ValueError(
            f"labels must lie in [0, {n_classes}), got range [{labels.min()}, "
            f"{labels.max()}]"
        )
    encoded = np.zeros((labels.size, n_classes))
    encoded[np.arange(labels.size), labels] = 1.0
    return encoded


# --8<-- [end:one_hot]


# --8<-- [start:split]
def train_test_split(
    x: np.ndarray, y: np.ndarray, test_fraction: float, rng: np.random.Generator
):
    """Shuffle, then hold out ``test_fraction`` of the rows: (x_train, x_test,
    y_train, y_test)."""
    check_generator(rng)
    if len(x) != len(y):
        raise ValueError(
            f"x and y must have the same length, got {len(x)} and {len(y)}"
        )
    if not 0 < test_fraction < 1:
        raise ValueError(
            f"test_fraction must lie in (0, 1), got {test_fraction}"
        )
    n_test = round(len(x) * test_fraction)
    if not 0 < n_test < len(x):
        raise ValueError(
            f"test_fraction {test_fraction} of {len(x)} rows leaves an empty "
            "part"
        )
    order = rng.permutation(len(x))
    test, train = order[:n_test], order[n_test:]
    return x[train], x[test], y[train], y[test]


# --8<-- [end:split]


# --8<-- [start:standardize]
def standardize(
    x_train: np.ndarray, x_test: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Scale each feature to mean 0, std 1 using the training set's statistics
    only.

    Features that never vary (a border pixel that is always 0) are left at 0.
    """
    x_train = as_float_array(x_train, "x_train")
    x_test = as_float_array(x_test, "x_test")
    check_ndim(x_train, 2, "(n, features)", "x_train")
    if x_test.ndim != 2 or x_test.shape[1] != x_train.shape[1]:
        raise ValueError(
            f"x_test must have shape (n, {x_train.shape[1]}), got shape "
            f"{x_test.shape}"
        )
    mean = x_train.mean(axis=0)
    std = x_train.std(axis=0)
    std[std == 0] = 1.0
    return (x_train - mean) / std, (x_test - mean) / std


# --8<-- [end:standardize]


# --8<-- [start:digits]
def load_digits_images_split(
    rng: np.random.Generator, test_fraction: float = 0.2
):
    """scikit-learn's 1,797 handwritten digits as images, shuffled and split,
    not scaled.

    Returns images_train: (n_train, 8, 8), images_test: (n_test, 8, 8) with
    pixel values 0..16, and integer labels_train: (n_train,), labels_test:
    (n_test,). A generator in the same state gives the same split as
    ``load_digits_split``.
    """
    # bundled with scikit-learn: no download
    from sklearn.datasets import load_digits

    digits = load_digits()
    return train_test_split(digits.images, digits.target, test_fraction, rng)


def load_digits_split(rng: np.random.Generator, test_fraction: float = 0.2):
    """The same digits, ready to train on: pixels in rows, standardized; labels
    one-hot.

    Returns x_train: (n_train, 64), x_test: (n_test, 64) standardized with the
    training set's statistics, and y_train: (n_train, 10), y_test: (n_test, 10)
    one-hot.
    """
    images_train, images_test, labels_train, labels_test = (
        load_digits_images_split(rng, test_fraction)
    )
    x_train, x_test = standardize(
        images_train.reshape(len(images_train), -1),
        images_test.reshape(len(images_test), -1),
    )
    return x_train, x_test, one_hot(labels_train, 10), one_hot(labels_test, 10)


# --8<-- [end:digits]


# MNIST: 70,000 handwritten digits, 28x28 pixels, as four gzipped IDX files.
# Mirrors are tried in order; each serves the same four files.
MNIST_MIRRORS = (
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
)

# The one table of digests: (file name, SHA-256 of the gzipped file). The values
# are the ones TensorFlow Datasets records for these files
# (tensorflow_datasets/url_checksums/mnist.txt).
MNIST_FILES = {
    "train_images": (
        "train-images-idx3-ubyte.gz",
        "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    ),
    "train_labels": (
        "train-labels-idx1-ubyte.gz",
        "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    ),
    "test_images": (
        "t10k-images-idx3-ubyte.gz",
        "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    ),
    "test_labels": (
        "t10k-labels-idx1-ubyte.gz",
        "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
    ),
}

# urllib.request.urlopen, or a stand-in with its signature
Opener = Callable[..., object]


class DownloadError(OSError):
    """No mirror could deliver a file; the message says what to download and
    where to put it."""


class ChecksumError(ValueError):
    """A downloaded file's SHA-256 differs from the known digest; nothing was
    saved."""


class CacheDirError(OSError):
    """The cache folder cannot be created or written to: no download can
    help."""


# A .part file untouched for this long belongs to a download that was killed:
# a live one writes to its file after every chunk.
STALE_PART_SECONDS = 3600


def default_cache_dir() -> Path:
    """Where MNIST is kept unless you pass ``cache_dir``:
    ~/.cache/deep-python/mnist."""
    return Path.home() / ".cache" / "deep-python" / "mnist"


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file, read in chunks so that large files need little
    memory."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# --8<-- [start:download]
def download_verified(
    url: str,
    destination: Path,
    sha256: str,
    opener: Opener | None = None,
    timeout: float = 60.0,
    deadline: float = 600.0,
) -> Path:
    """Download ``url`` to ``destination`` only if its SHA-256 is ``sha256``.

    The bytes go to a temporary file in the destination's folder; only a
    verified file is renamed into place (``os.replace`` is atomic), so no reader
    ever sees half a file. ``timeout`` bounds each wait for the server,
    ``deadline`` the whole download, in seconds. Raises ``ChecksumError`` on a
    digest mismatch, ``TimeoutError`` past the deadline, ``CacheDirError`` if
    the folder cannot be written, and lets network errors through.
    """
    opener = urllib.request.urlopen if opener is None else opener
    destination = Path(destination)
    try:
        handle, temporary = tempfile.mkstemp(
            dir=destination.parent,
            prefix=f".{destination.name}.",
            suffix=".part",
        )
    except OSError as error:
        raise _cache_dir_error("write to", destination.parent, error) from error
    started = time.monotonic()
    try:
        digest = hashlib.sha256()
        with (
            os.fdopen(handle, "wb") as out,
            opener(url, timeout=timeout) as response,
        ):
            # read1 returns what has arrived: a server that sends a byte at a
            # time cannot hold one call for long, so the deadline is checked.
            read = getattr(response, "read1", response.read)
            for chunk in iter(lambda: read(1 << 20), b""):
                if time.monotonic() - started > deadline:
                    raise TimeoutError(
                        f"{url} took longer than the deadline of {deadline} "
                        "s; try again later, or pass a larger deadline="
                    )
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            # the bytes are on disk before the name points at them
            os.fsync(out.fileno())
        if digest.hexdigest() != sha256:
            raise ChecksumError(
                f"{url} has SHA-256 {digest.hexdigest()}, expected {sha256}; "
                "the download was discarded"
            )
        os.replace(temporary, destination)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
    return destination


# --8<-- [end:download]


def fetch_mnist(
    cache_dir: str | Path | None = None,
    mirrors: Sequence[str] = MNIST_MIRRORS,
    files: dict[str, tuple[str, str]] = MNIST_FILES,
    opener: Opener | None = None,
    timeout: float = 60.0,
    deadline: float = 600.0,
) -> dict[str, Path]:
    """Make sure the four MNIST files are in ``cache_dir``, downloading what is
    missing.

    A cached file whose digest matches is used as it is (no network); one that
    does not match is downloaded again. Each file is tried on every mirror in
    turn, until one delivers it with the right digest. ``timeout`` and
    ``deadline`` (seconds) bound each wait and each file's download. Returns
    ``{key: path}`` for the keys of ``files``. When no mirror delivers a file,
    raises ``DownloadError`` naming every file to fetch by hand and the folder;
    a folder that cannot be written raises ``CacheDirError``.
    """
    if cache_dir is None:
        cache_dir = default_cache_dir()
    cache_dir = Path(cache_dir).expanduser()
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise _cache_dir_error("create", cache_dir, error) from error
    _remove_stale_parts(cache_dir)
    paths = {}
    for key, (name, sha256) in files.items():
        path = cache_dir / name
        if not (path.is_file() and sha256_of(path) == sha256):
            failures = []
            for mirror in mirrors:
                try:
                    download_verified(
                        mirror + name, path, sha256, opener, timeout, deadline
                    )
                    break
                except CacheDirError:
                    raise  # no mirror can fix a folder we cannot write to
                except ChecksumError as error:  # a bad copy: try the next
                    failures.append(str(error))
                # offline, refused, not found, cut off, too slow
                except (OSError, http.client.HTTPException) as error:
                    failures.append(
                        f"{mirror + name}: {getattr(error, 'reason', error)}"
                    )
            else:
                raise DownloadError(
                    _offline_message(cache_dir, mirrors, files, failures)
                )
        paths[key] = path
    return paths


def _cache_dir_error(action: str, folder: Path, error: OSError):
    return CacheDirError(
        f"cannot {action} the MNIST cache folder {folder}: "
        f"{error.strerror or error}; pass cache_dir= a folder you can write to"
    )


def _remove_stale_parts(cache_dir: Path) -> None:
    """Delete the temporary files of downloads that were killed (best
    effort)."""
    now = time.time()
    for part in cache_dir.glob(".*.part"):
        # gone already, or a folder we may only read: leave it
        with contextlib.suppress(OSError):
            if now - part.stat().st_mtime > STALE_PART_SECONDS:
                part.unlink()


def _offline_message(
    cache_dir: Path, mirrors: Sequence[str], files, failures: list[str]
) -> str:
    missing = [
        name
        for name, sha256 in files.values()
        if not (
            (cache_dir / name).is_file()
            and sha256_of(cache_dir / name) == sha256
        )
    ]
    return "\n".join(
        [
            "Could not download MNIST:",
            *(f"  {failure}" for failure in failures),
            f"Download these files by hand from {' or '.join(mirrors)}:",
            *(f"  {name}" for name in missing),
            f"and put them, still gzipped, in {cache_dir} (or pass cache_dir= "
            "another folder).",
        ]
    )


# --8<-- [start:idx]
# The IDX format: two zero bytes, a type code, the number of dimensions, then
# each dimension as a big-endian 32-bit integer, then the values, big-endian,
# row-major.
IDX_TYPES = {
    0x08: ">u1",
    0x09: ">i1",
    0x0B: ">i2",
    0x0C: ">i4",
    0x0D: ">f4",
    0x0E: ">f8",
}


def read_idx(path: str | Path) -> np.ndarray:
    """Read an IDX file (gzipped or not) into an array of the shape its header
    gives."""
    raw = Path(path).read_bytes()
    if raw[:2] == b"\x1f\x8b":  # the gzip signature
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as error:
            raise ValueError(
                f"{path} is not a valid gzip file: {error}"
            ) from None
    if len(raw) < 4 or raw[:2] != b"\x00\x00" or raw[2] not in IDX_TYPES:
        raise ValueError(
            f"{path} is not an IDX file: expected a magic number 0x0000TTNN "
            "(TT a type code in "
            f"{sorted(IDX_TYPES)}), got 0x{raw[:4].hex()}"
        )
    n_dims, header_bytes = raw[3], 4 + 4 * raw[3]
    if len(raw) < header_bytes:
        raise ValueError(
            f"{path}: header announces {n_dims} dimensions but the file ends "
            f"after {len(raw)} bytes"
        )
    shape = struct.unpack(f">{n_dims}I", raw[4:header_bytes])
    dtype = np.dtype(IDX_TYPES[raw[2]])
    # Python integers: no overflow, however large the header's sizes
    expected = math.prod(shape) * dtype.itemsize
    if len(raw) - header_bytes != expected:
        raise ValueError(
            f"{path}: header gives shape {shape}, that is {expected} bytes of "
            f"data; the file holds {len(raw) - header_bytes}; delete it and "
            "download it again"
        )
    data = np.frombuffer(raw, dtype=dtype, offset=header_bytes).reshape(shape)
    # native byte order, and a writable copy
    return data.astype(dtype.newbyteorder("="))


# --8<-- [end:idx]


def load_mnist(
    cache_dir: str | Path | None = None,
    mirrors: Sequence[str] = MNIST_MIRRORS,
    files: dict[str, tuple[str, str]] = MNIST_FILES,
    opener: Opener | None = None,
    timeout: float = 60.0,
    deadline: float = 600.0,
):
    """MNIST as arrays, downloaded on first use (see ``fetch_mnist``).

    Returns x_train: (60000, 28, 28), y_train: (60000,), x_test: (10000, 28,
    28), y_test: (10000,), all uint8: pixels 0..255 and labels 0..9.
    """
    paths = fetch_mnist(cache_dir, mirrors, files, opener, timeout, deadline)
    arrays = {key: read_idx(path) for key, path in paths.items()}
    for part in ("train", "test"):
        images, labels = arrays[f"{part}_images"], arrays[f"{part}_labels"]
        if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
            raise ValueError(
                f"MNIST {part} images must have shape (n, rows, columns) and "
                "labels shape (n,), "
                f"got {images.shape} and {labels.shape}"
            )
    return (
        arrays["train_images"],
        arrays["train_labels"],
        arrays["test_images"],
        arrays["test_labels"],
    )
