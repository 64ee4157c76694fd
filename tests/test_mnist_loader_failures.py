"""The MNIST loader when things go wrong: small files, file:// mirrors and a loopback server.

Covered: a checksum failure on one mirror moves on to the next; a cache folder that
cannot be written is reported as such, not as a failed download; stale ``.part`` files
of a killed download are cleaned; a whole-download deadline stops a server that dribbles
bytes; ``~`` in ``cache_dir`` means the home folder; an IDX header whose size overflows is
rejected cleanly. No request leaves this machine: the only server listens on 127.0.0.1
and every test that uses it is bounded in time.
"""

import gzip
import hashlib
import http.server
import os
import struct
import tempfile
import threading
import time

import numpy as np
import pytest

from snippets.data import MNIST_FILES, DownloadError, download_verified, fetch_mnist, read_idx


def _idx_bytes(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(">u1").tobytes()


@pytest.fixture
def mirror(tmp_path, rng):
    """A good mirror folder (file:// URL) with four tiny MNIST-like files, and their digests."""
    folder = tmp_path / "good-mirror"
    folder.mkdir()
    shapes = {"train_images": (3, 2, 2), "train_labels": (3,), "test_images": (2, 2, 2), "test_labels": (2,)}
    files = {}
    for key, shape in shapes.items():
        name = MNIST_FILES[key][0]
        content = gzip.compress(_idx_bytes(rng.integers(0, 10, shape)), mtime=0)
        (folder / name).write_bytes(content)
        files[key] = (name, hashlib.sha256(content).hexdigest())
    return {"url": folder.as_uri() + "/", "files": files, "folder": folder}


@pytest.fixture
def corrupt_mirror(tmp_path, mirror):
    """A mirror that serves the same file names with one byte changed in each."""
    folder = tmp_path / "corrupt-mirror"
    folder.mkdir()
    for name, _ in mirror["files"].values():
        content = bytearray((mirror["folder"] / name).read_bytes())
        content[-1] ^= 0xFF
        (folder / name).write_bytes(bytes(content))
    return folder.as_uri() + "/"


def test_a_checksum_failure_on_the_first_mirror_tries_the_next(mirror, corrupt_mirror, tmp_path):
    cache = tmp_path / "cache"
    paths = fetch_mnist(cache, [corrupt_mirror, mirror["url"]], mirror["files"])
    for key, (name, sha256) in mirror["files"].items():
        assert paths[key] == cache / name
        assert hashlib.sha256(paths[key].read_bytes()).hexdigest() == sha256


def test_checksum_failures_on_every_mirror_are_listed(mirror, corrupt_mirror, tmp_path):
    with pytest.raises(DownloadError) as error:
        fetch_mnist(tmp_path / "cache", [corrupt_mirror], mirror["files"])
    assert error.match(r"has SHA-256 [0-9a-f]{64}, expected [0-9a-f]{64}")
    assert error.match("Download these files by hand")
    assert list((tmp_path / "cache").iterdir()) == []  # nothing half-written or unverified


def _refuse_to_create_files(*args, **kwargs):
    # A read-only folder, as the operating system reports it to a normal user. (The tests
    # may run as root, whom chmod does not stop, so the refusal is made here.)
    raise PermissionError(13, "Permission denied", kwargs.get("dir"))


def test_a_read_only_cache_folder_is_reported_as_such(mirror, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    cache.mkdir()
    monkeypatch.setattr(tempfile, "mkstemp", _refuse_to_create_files)
    with pytest.raises(
        OSError, match=f"cannot write to the MNIST cache folder {cache}: Permission denied"
    ) as error:
        fetch_mnist(cache, [mirror["url"]], mirror["files"])
    assert error.match("pass cache_dir= a folder you can write to")
    assert "Could not download" not in str(error.value)


def test_a_cache_folder_that_cannot_be_created_is_reported_as_such(mirror, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(OSError, match=rf"cannot create the MNIST cache folder {blocker / 'mnist'}"):
        fetch_mnist(blocker / "mnist", [mirror["url"]], mirror["files"])


def test_stale_part_files_are_cleaned_and_fresh_ones_kept(mirror, tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    stale = cache / ".train-images-idx3-ubyte.gz.k1ll3d.part"
    fresh = cache / ".t10k-images-idx3-ubyte.gz.running.part"  # another process, still writing
    stale.write_bytes(b"half a download")
    fresh.write_bytes(b"a download in progress")
    two_hours_ago = time.time() - 2 * 3600
    os.utime(stale, (two_hours_ago, two_hours_ago))
    fetch_mnist(cache, [mirror["url"]], mirror["files"])
    assert not stale.exists()
    assert fresh.exists()


def test_stale_part_files_are_cleaned_when_everything_is_cached(mirror, tmp_path):
    cache = tmp_path / "cache"
    fetch_mnist(cache, [mirror["url"]], mirror["files"])
    stale = cache / ".train-labels-idx1-ubyte.gz.abc123.part"
    stale.write_bytes(b"x")
    os.utime(stale, (0, 0))
    fetch_mnist(cache, [mirror["url"]], mirror["files"])
    assert not stale.exists()


class _Dribble(http.server.BaseHTTPRequestHandler):
    """Announces 1,000 bytes, then sends one every 0.2 s: each read is quick, the whole is not."""

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "1000")
        self.end_headers()
        for _ in range(25):  # at most 5 s, whatever the client does
            try:
                self.wfile.write(b"x")
                self.wfile.flush()
            except OSError:  # the client gave up: good
                return
            time.sleep(0.2)

    def log_message(self, *args):
        pass


@pytest.fixture
def slow_server(monkeypatch):
    for proxy in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(proxy, raising=False)  # straight to 127.0.0.1, never through a proxy
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Dribble)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_a_deadline_bounds_the_whole_download(slow_server, tmp_path):
    start = time.monotonic()
    with pytest.raises(TimeoutError, match=r"took longer than the deadline of 0.6 s; .*deadline="):
        download_verified(slow_server + "file.gz", tmp_path / "file.gz", "0" * 64, timeout=2.0, deadline=0.6)
    # Each read returns within 0.2 s, so only the deadline can have stopped it this early.
    assert time.monotonic() - start < 2.0
    assert list(tmp_path.iterdir()) == []


def test_a_mirror_past_its_deadline_gives_way_to_the_next(slow_server, mirror, tmp_path):
    paths = fetch_mnist(tmp_path / "cache", [slow_server, mirror["url"]], mirror["files"], deadline=0.4)
    assert sorted(path.name for path in paths.values()) == sorted(
        name for name, _ in mirror["files"].values()
    )


def test_a_tilde_in_cache_dir_means_the_home_folder(mirror, tmp_path, monkeypatch):
    home, elsewhere = tmp_path / "home", tmp_path / "elsewhere"
    home.mkdir()
    elsewhere.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(elsewhere)
    paths = fetch_mnist("~/mnist", [mirror["url"]], mirror["files"])
    assert all(path.parent == home / "mnist" for path in paths.values())
    assert not (elsewhere / "~").exists()


def test_an_idx_header_whose_size_overflows_is_rejected_cleanly(tmp_path):
    path = tmp_path / "crafted.idx"
    path.write_bytes(bytes([0, 0, 0x08, 3]) + struct.pack(">3I", 2**31, 2**31, 4))
    with pytest.raises(
        ValueError,
        match=r"header gives shape \(2147483648, 2147483648, 4\), that is 18446744073709551616 bytes",
    ) as error:
        read_idx(path)
    assert error.match("the file holds 0; delete it and download it again")
