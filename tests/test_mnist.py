"""The MNIST loader, without a network: small IDX files made here, served by file:// URLs.

Covered: a good download, a checksum mismatch that leaves nothing behind, the offline
message, a cache hit that downloads nothing, a corrupt magic number, and the IDX parser.
"""

import gzip
import hashlib
import re
import struct
import urllib.error

import numpy as np
import pytest

from snippets.data import (
    MNIST_FILES,
    MNIST_MIRRORS,
    DownloadError,
    default_cache_dir,
    download_verified,
    fetch_mnist,
    load_mnist,
    read_idx,
)


def idx_bytes(array: np.ndarray, type_code: int = 0x08) -> bytes:
    """The IDX encoding of ``array``, written independently of the parser under test."""
    dtypes = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
    header = bytes([0, 0, type_code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(dtypes[type_code]).tobytes()


@pytest.fixture
def mirror(tmp_path, rng):
    """A fake mirror folder with four small MNIST-like files, and a table of their digests."""
    folder = tmp_path / "mirror"
    folder.mkdir()
    arrays = {
        "train_images": rng.integers(0, 256, (5, 4, 3)).astype(np.uint8),
        "train_labels": rng.integers(0, 10, 5).astype(np.uint8),
        "test_images": rng.integers(0, 256, (2, 4, 3)).astype(np.uint8),
        "test_labels": rng.integers(0, 10, 2).astype(np.uint8),
    }
    files = {}
    for key, array in arrays.items():
        name = MNIST_FILES[key][0]
        content = gzip.compress(idx_bytes(array), mtime=0)
        (folder / name).write_bytes(content)
        files[key] = (name, hashlib.sha256(content).hexdigest())
    return {"url": folder.as_uri() + "/", "files": files, "arrays": arrays}


def refuse_network(url, timeout=None):
    raise AssertionError(f"no download expected, but {url} was requested")


def offline(url, timeout=None):
    raise urllib.error.URLError("network is unreachable")


def test_good_download_parses_and_caches(mirror, tmp_path):
    cache = tmp_path / "cache"
    x_train, y_train, x_test, y_test = load_mnist(cache, [mirror["url"]], mirror["files"])
    np.testing.assert_array_equal(x_train, mirror["arrays"]["train_images"])
    np.testing.assert_array_equal(y_train, mirror["arrays"]["train_labels"])
    np.testing.assert_array_equal(x_test, mirror["arrays"]["test_images"])
    np.testing.assert_array_equal(y_test, mirror["arrays"]["test_labels"])
    assert x_train.dtype == np.uint8
    assert sorted(p.name for p in cache.iterdir()) == sorted(name for name, _ in mirror["files"].values())


def test_cache_hit_does_not_download(mirror, tmp_path):
    cache = tmp_path / "cache"
    fetch_mnist(cache, [mirror["url"]], mirror["files"])
    x_train, *_ = load_mnist(cache, [mirror["url"]], mirror["files"], opener=refuse_network)
    np.testing.assert_array_equal(x_train, mirror["arrays"]["train_images"])


def test_a_corrupt_cached_file_is_downloaded_again(mirror, tmp_path):
    cache = tmp_path / "cache"
    paths = fetch_mnist(cache, [mirror["url"]], mirror["files"])
    paths["test_labels"].write_bytes(b"garbage")
    load_mnist(cache, [mirror["url"]], mirror["files"])
    assert paths["test_labels"].read_bytes() == (tmp_path / "mirror" / paths["test_labels"].name).read_bytes()


def test_checksum_mismatch_leaves_no_file_behind(mirror, tmp_path):
    cache = tmp_path / "cache"
    name, _ = mirror["files"]["train_labels"]
    files = {**mirror["files"], "train_labels": (name, "0" * 64)}
    # fetch_mnist tries every mirror; when none has the right file it lists why.
    with pytest.raises(DownloadError, match=f"{name} has SHA-256 [0-9a-f]{{64}}, expected 0{{64}}"):
        fetch_mnist(cache, [mirror["url"]], files)
    assert not (cache / name).exists()
    assert not any(path.name.endswith(".part") for path in cache.iterdir())


def test_download_verified_writes_only_a_verified_file(mirror, tmp_path):
    name, digest = mirror["files"]["test_images"]
    destination = tmp_path / name
    download_verified(mirror["url"] + name, destination, digest)
    assert hashlib.sha256(destination.read_bytes()).hexdigest() == digest
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_offline_error_says_what_to_download_and_where(tmp_path):
    cache = tmp_path / "cache"
    with pytest.raises(DownloadError) as caught:
        load_mnist(cache, opener=offline)
    message = str(caught.value)
    assert "network is unreachable" in message
    for name, _ in MNIST_FILES.values():
        assert name in message
    assert MNIST_MIRRORS[0] in message
    assert str(cache) in message
    assert list(cache.iterdir()) == []  # nothing half-written


def test_offline_error_with_a_file_url_that_does_not_exist(tmp_path):
    missing = (tmp_path / "nowhere").as_uri() + "/"
    with pytest.raises(DownloadError, match="Download these files by hand"):
        fetch_mnist(tmp_path / "cache", [missing])


def test_second_mirror_is_tried_when_the_first_fails(mirror, tmp_path):
    dead = (tmp_path / "dead").as_uri() + "/"
    x_train, *_ = load_mnist(tmp_path / "cache", [dead, mirror["url"]], mirror["files"])
    np.testing.assert_array_equal(x_train, mirror["arrays"]["train_images"])


def test_default_cache_dir():
    assert default_cache_dir().parts[-3:] == (".cache", "deep-python", "mnist")


def test_the_digest_table_names_the_four_standard_files():
    names = sorted(name for name, _ in MNIST_FILES.values())
    assert names == [
        "t10k-images-idx3-ubyte.gz",
        "t10k-labels-idx1-ubyte.gz",
        "train-images-idx3-ubyte.gz",
        "train-labels-idx1-ubyte.gz",
    ]
    assert all(re.fullmatch("[0-9a-f]{64}", digest) for _, digest in MNIST_FILES.values())


@pytest.mark.parametrize(
    ("type_code", "dtype"),
    [
        (0x08, np.uint8),
        (0x09, np.int8),
        (0x0B, np.int16),
        (0x0C, np.int32),
        (0x0D, np.float32),
        (0x0E, np.float64),
    ],
)
def test_read_idx_every_type(type_code, dtype, tmp_path, rng):
    array = (rng.standard_normal((3, 2)) * 50).astype(dtype)
    if dtype == np.uint8:
        array = rng.integers(0, 256, (3, 2)).astype(np.uint8)
    path = tmp_path / "data.idx"
    path.write_bytes(idx_bytes(array, type_code))  # not gzipped: also accepted
    parsed = read_idx(path)
    assert parsed.dtype == dtype
    assert parsed.dtype.isnative
    np.testing.assert_array_equal(parsed, array)


def test_corrupt_magic_number_raises(tmp_path):
    path = tmp_path / "bad.gz"
    path.write_bytes(gzip.compress(b"\x08\x03\x00\x00" + bytes(16)))
    with pytest.raises(ValueError, match=r"not an IDX file.*got 0x08030000"):
        read_idx(path)


def test_unknown_type_code_raises(tmp_path):
    path = tmp_path / "bad.idx"
    path.write_bytes(bytes([0, 0, 0x07, 1]) + struct.pack(">I", 2) + b"ab")
    with pytest.raises(ValueError, match="not an IDX file"):
        read_idx(path)


def test_data_shorter_than_the_header_says_raises(tmp_path):
    path = tmp_path / "short.idx"
    path.write_bytes(idx_bytes(np.zeros((3, 4), np.uint8))[:-1])
    with pytest.raises(ValueError, match=r"shape \(3, 4\), that is 12 bytes of data; the file holds 11"):
        read_idx(path)


def test_truncated_header_raises(tmp_path):
    path = tmp_path / "header.idx"
    path.write_bytes(bytes([0, 0, 0x08, 3]) + struct.pack(">I", 2))
    with pytest.raises(ValueError, match="3 dimensions but the file ends after 8 bytes"):
        read_idx(path)


def test_broken_gzip_raises(tmp_path):
    path = tmp_path / "broken.gz"
    path.write_bytes(gzip.compress(idx_bytes(np.zeros(10, np.uint8)))[:-6])
    with pytest.raises(ValueError, match="not a valid gzip file"):
        read_idx(path)


def test_images_and_labels_must_agree(mirror, tmp_path):
    folder = tmp_path / "mirror"
    name = mirror["files"]["test_labels"][0]
    content = gzip.compress(idx_bytes(np.zeros(3, np.uint8)), mtime=0)  # 3 labels for 2 images
    (folder / name).write_bytes(content)
    files = {**mirror["files"], "test_labels": (name, hashlib.sha256(content).hexdigest())}
    with pytest.raises(ValueError, match=r"got \(2, 4, 3\) and \(3,\)"):
        load_mnist(tmp_path / "cache", [mirror["url"]], files)
