"""How long a contributor waits: cold and warm builds, and live reloads under ``mkdocs serve``.

Everything runs in a copy of the repository in a temporary folder (the files git tracks
plus new ones it does not ignore), so the working tree and its cache are never touched.
Each time is the median of three runs on the machine that runs the benchmark. Beside the
wall-clock time, the table gives the CPU seconds the build used (its process and the jobs
it started): on a busy machine the wall time grows, the CPU time does not.

- cold build: ``mkdocs build --strict`` with an empty cache (``.cache/`` removed);
- warm build: the same again, nothing changed;
- warm build, one post changed: a line added to a post;
- reload after a post edit: ``mkdocs serve --dirty`` running, as ``make serve`` runs it,
  a line added to a post, until the served page shows it;
- reload after a ``snippets/`` edit: a comment added to a module, until the rebuild ends
  (every figure and notebook runs again: their cache key covers all of ``snippets/``).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import psutil

from benchmarks import Table

ROOT = Path(__file__).resolve().parent.parent
MKDOCS = [sys.executable, "-m", "mkdocs"]
POST = "docs/blog/posts/every-line-runs.md"
POST_URL = "blog/every-line-runs/"
SNIPPET = "snippets/gradcheck.py"
RUNS = 3
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONDONTWRITEBYTECODE": "1"}

TARGETS = {
    "cold build": 60.0,
    "warm build, nothing changed": 5.0,
    "warm build, one post changed": 5.0,
    "reload after a post edit": 2.0,
}


def copy_repository(destination: Path) -> Path:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, listed):
        source = ROOT / name.decode()
        if source.is_file():
            target = destination / name.decode()
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    subprocess.run(["git", "init", "-q"], cwd=destination, check=True)  # for the commit stamp
    return destination


def children_cpu() -> float:
    """CPU seconds of the finished child processes of this process."""
    times = psutil.Process().cpu_times()
    return times.children_user + times.children_system


def build(root: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one ``mkdocs build --strict``."""
    start, cpu = time.perf_counter(), children_cpu()
    command = [*MKDOCS, "build", "--strict", "--site-dir", "site"]
    done = subprocess.run(command, cwd=root, env=ENV, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"mkdocs build failed in the benchmark copy:\n{done.stderr[-3000:]}")
    return seconds, children_cpu() - cpu


def append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as file:
        file.write(text)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """``mkdocs serve`` in the copy, with its log read as it comes."""

    def __init__(self, root: Path):
        self.port = free_port()
        self.process = subprocess.Popen(
            [*MKDOCS, "serve", "--dirty", "--dev-addr", f"127.0.0.1:{self.port}", "--livereload"],
            cwd=root,
            env=ENV,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.builds = 0
        self.log: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stderr:
            self.log.append(line)
            if re.search(r"Documentation built in", line):
                self.builds += 1

    def page(self, path: str) -> str:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/{path}", timeout=5) as response:
                return response.read().decode()
        except OSError:
            return ""

    def cpu(self) -> float:
        """CPU seconds of the server and of the jobs it has finished waiting for."""
        times = psutil.Process(self.process.pid).cpu_times()
        return times.user + times.system + times.children_user + times.children_system

    def wait(self, done, timeout: float = 600) -> tuple[float, float]:
        start, cpu = time.perf_counter(), self.cpu()
        while not done():
            if self.process.poll() is not None:
                raise RuntimeError("mkdocs serve stopped:\n" + "".join(self.log[-30:]))
            if time.perf_counter() - start > timeout:
                raise TimeoutError("mkdocs serve did not rebuild in time:\n" + "".join(self.log[-30:]))
            time.sleep(0.02)
        return time.perf_counter() - start, self.cpu() - cpu

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def measure(root: Path) -> dict[str, list[tuple[float, float]]]:
    times: dict[str, list[tuple[float, float]]] = {
        name: [] for name in (*TARGETS, "reload after a snippets/ edit")
    }
    post, snippet = root / POST, root / SNIPPET
    for _ in range(RUNS):
        shutil.rmtree(root / ".cache", ignore_errors=True)
        times["cold build"].append(build(root))
    for run in range(RUNS):
        times["warm build, nothing changed"].append(build(root))
        append(post, f"\nA line added by the build benchmark, {run}.\n")
        times["warm build, one post changed"].append(build(root))
    server = Server(root)
    try:
        server.wait(lambda: server.builds >= 1 and server.page(POST_URL))
        for run in range(RUNS):
            marker = f"Reload marker {run}."
            time.sleep(1)  # let the watcher settle after the previous rebuild
            append(post, f"\n{marker}\n")
            times["reload after a post edit"].append(server.wait(lambda m=marker: m in server.page(POST_URL)))
        for run in range(RUNS):
            time.sleep(1)
            before = server.builds
            append(snippet, f"\n# A comment added by the build benchmark, {run}.\n")
            times["reload after a snippets/ edit"].append(server.wait(lambda b=before: server.builds > b))
    finally:
        server.close()
    return times


def run() -> list[Table]:
    with tempfile.TemporaryDirectory(prefix="deep-python-bench-") as folder:
        times = measure(copy_repository(Path(folder)))
    table = Table(
        "Build and live reload (seconds, median of 3, in a copy of the repository)",
        ["what", "wall", "min", "max", "CPU", "target (wall)"],
    )
    for name, values in times.items():
        walls = [wall for wall, _ in values]
        median = statistics.median(walls)
        cpu = statistics.median(cpu for _, cpu in values)
        target = TARGETS.get(name)
        table.rows.append([name, median, min(walls), max(walls), cpu, f"<= {target:g}" if target else "-"])
        if target is not None:
            table.targets.append((f"{name}: median {median:.2f} s <= {target:g} s", median <= target))
    return [table]
