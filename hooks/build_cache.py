"""A content-addressed cache for what the build executes: notebooks and figures.

Each output is stored under a key, the SHA-256 of everything it depends on:

- its own source (a notebook file's bytes, or the name of a figure module);
- every file under ``snippets/`` (the code that notebooks and figures import);
- ``requirements.txt`` (the versions of NumPy, matplotlib, Jupyter, ...);
- the Python version and platform, and this module's ``FORMAT``.

A change to any of them gives a new key, so a cached output is never stale and nothing
has to be invalidated by hand. Outputs that miss the cache are made in separate processes,
as many at a time as the machine has cores, the longest (by their last run) first. A
half-made output never lands in the cache: each job writes into a temporary folder that is
renamed into place only on success.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUN_NOTEBOOK = ROOT / "tools" / "run_notebook.py"
FORMAT = "1"  # bump when the layout of cached outputs changes

# The environment every job runs in, whoever starts the build (make, an IDE, Windows).
JOB_ENVIRONMENT = {
    "JUPYTER_PATH": str(ROOT / "tools" / "jupyter"),  # the quiet kernel spec
    "KERAS_BACKEND": "torch",
    "MPLBACKEND": "Agg",
    "PYTHONHASHSEED": "0",
    "PYTHONDONTWRITEBYTECODE": "1",  # no .pyc under snippets/: `mkdocs serve` watches it
}


def cache_dir(root: Path = ROOT) -> Path:
    return root / ".cache" / "build"


def dependency_files(root: Path = ROOT) -> list[Path]:
    """Every file whose change may change an output: snippets/ and the pinned requirements."""
    files = [
        path
        for path in (root / "snippets").rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    ]
    return [*sorted(files), root / "requirements.txt"]


def environment_digest(root: Path = ROOT) -> str:
    """SHA-256 of the dependency files (names and bytes), the Python version and FORMAT."""
    digest = hashlib.sha256()
    digest.update(f"format {FORMAT}\n{sys.version}\n{platform.machine()}\n".encode())
    for path in dependency_files(root):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() if path.exists() else b"<missing>")
        digest.update(b"\0")
    return digest.hexdigest()


@dataclass(frozen=True)
class Job:
    """One output to make: ``command`` writes it into the folder given by ``{out}``."""

    kind: str  # "figures", "notebooks", ...: one cache folder each
    name: str  # for messages: a figure module, a notebook path
    source: bytes  # what the output depends on beyond the environment
    command: tuple[str, ...]

    def key(self, environment: str) -> str:
        digest = hashlib.sha256()
        for part in (self.kind.encode(), self.name.encode(), self.source, environment.encode()):
            digest.update(len(part).to_bytes(8, "little") + part)
        return digest.hexdigest()[:32]


class JobFailed(RuntimeError):
    """One or more jobs failed; the message holds what each printed."""


def python_job(kind: str, name: str, source: bytes, *module_and_args: str) -> Job:
    """A job that runs ``python -m module args...`` with this interpreter."""
    return Job(kind, name, source, (sys.executable, "-m", *module_and_args))


def figure_job(module: str, kind: str = "figures") -> Job:
    """Render the figures of ``snippets/figures/<module>.py`` to SVG files.

    The tests render each module a second time, as kind "figures-recheck", to check that
    two renders in two processes give the same bytes.
    """
    return python_job(kind, module, module.encode(), "snippets.figures", "{out}", module)


def notebook_job(path: Path, root: Path = ROOT, kind: str = "notebooks") -> Job:
    """Execute the notebook at ``path`` into ``{out}/notebooks/<stem>.ipynb``.

    The output depends on the notebook, and on how it is run: the runner and the kernel spec.
    The build's notebooks are kind "notebooks"; the tests' notebooks made from the posts are
    kind "page-notebooks", so that the build's pruning leaves them be.
    """
    shown = path.resolve().relative_to(root.resolve()).as_posix()
    command = (sys.executable, str(RUN_NOTEBOOK), shown, "{out}/notebooks")
    return Job(kind, shown, path.read_bytes() + b"\0" + runner_digest(), command)


@cache
def runner_digest() -> bytes:
    """SHA-256 of tools/run_notebook.py and the kernel spec in tools/jupyter/."""
    digest = hashlib.sha256()
    for path in [RUN_NOTEBOOK, *sorted((RUN_NOTEBOOK.parent / "jupyter").rglob("*"))]:
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest().encode()


def executed_notebook(folder: Path, path: Path) -> Path:
    """Where a notebook job's output folder holds the executed copy of ``path``."""
    return folder / "notebooks" / f"{path.stem}.ipynb"


@cache
def _job_env() -> dict[str, str]:
    return {**os.environ, **JOB_ENVIRONMENT}


def _durations_file(root: Path) -> Path:
    return cache_dir(root) / "durations.json"


def _last_durations(root: Path) -> dict[str, float]:
    """Seconds each job took when it last ran, by "kind/name"."""
    try:
        return json.loads(_durations_file(root).read_text())
    except (OSError, ValueError):
        return {}


def _make(job: Job, target: Path, root: Path, durations: dict[str, float]) -> str | None:
    """Run ``job`` into ``target``; return None, or the error text if it failed."""
    scratch = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}")
    scratch.mkdir(parents=True)
    command = [part.replace("{out}", str(scratch)) for part in job.command]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=root, env=_job_env(), capture_output=True, text=True)
    durations[f"{job.kind}/{job.name}"] = round(time.perf_counter() - start, 2)
    if done.returncode != 0:
        shutil.rmtree(scratch, ignore_errors=True)
        return (done.stderr or done.stdout).strip() or f"{job.name}: exit status {done.returncode}"
    try:
        scratch.rename(target)
    except OSError:  # another build made the same output meanwhile: keep theirs
        shutil.rmtree(scratch, ignore_errors=True)
    return None


def folder_name(job: Job, environment: str) -> str:
    """The environment's digest first, so that outputs of old code are easy to find."""
    return f"{environment[:16]}-{job.key(environment)}"


def outputs(jobs: Sequence[Job], root: Path = ROOT, workers: int | None = None) -> dict[Job, Path]:
    """{job: folder of its output}, from the cache of the project at ``root`` or made now.

    Jobs that miss the cache run in parallel, in ``root``. Raises JobFailed after every
    job has had its chance, with each failure's message.
    """
    environment = environment_digest(root)
    folders = {job: cache_dir(root) / job.kind / folder_name(job, environment) for job in jobs}
    missing = [job for job in jobs if not folders[job].is_dir()]
    if missing:
        # The longest jobs first (by their last run), so that no core waits for one at the end.
        durations = _last_durations(root)
        missing.sort(key=lambda job: durations.get(f"{job.kind}/{job.name}", 0.0), reverse=True)
        workers = workers or os.cpu_count() or 1
        with ThreadPoolExecutor(max_workers=min(workers, len(missing))) as pool:
            errors = list(pool.map(lambda job: _make(job, folders[job], root, durations), missing))
        record = _last_durations(root) | durations
        _durations_file(root).parent.mkdir(parents=True, exist_ok=True)
        _durations_file(root).write_text(json.dumps(record, indent=1, sort_keys=True))
        failures = [error for error in errors if error]
        if failures:
            raise JobFailed("\n\n".join(failures))
    return folders


def prune_stale(root: Path = ROOT) -> None:
    """Delete every cached output made for other code or requirements than today's."""
    current = environment_digest(root)[:16]
    for kind in cache_dir(root).glob("*"):
        for entry in kind.iterdir() if kind.is_dir() else ():
            if not entry.name.startswith((current, ".")):
                shutil.rmtree(entry, ignore_errors=True)


def prune(kind: str, keep: Iterable[Path], root: Path = ROOT) -> None:
    """Delete the cached outputs of ``kind`` that are not in ``keep`` (outputs of old code)."""
    folder = cache_dir(root) / kind
    if not folder.is_dir():
        return
    keep = {path.resolve() for path in keep}
    for entry in folder.iterdir():
        if entry.resolve() not in keep and not entry.name.startswith("."):
            shutil.rmtree(entry, ignore_errors=True)
