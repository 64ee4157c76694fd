"""Timing code, and naming the machine that timed it: the one helper the posts,
the figures and the benchmarks all use."""

from __future__ import annotations

import os
import platform
import time
from contextlib import suppress
from importlib import metadata

import numpy as np

__all__ = ["best_time", "machine_description"]


# --8<-- [start:best_time]
def best_time(function, repeat: int = 5, warmup: int = 0) -> float:
    """Fastest of ``repeat`` runs of ``function()``, in seconds, after
    ``warmup`` runs.

    The fastest run is the one least disturbed by whatever else the machine was
    doing.
    """
    for _ in range(warmup):
        function()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


# --8<-- [end:best_time]


def machine_description() -> str:
    """The machine that measured: processor, logical CPUs, system, library
    versions."""
    versions = f"Python {platform.python_version()}, NumPy {np.__version__}"
    with suppress(metadata.PackageNotFoundError):  # PyTorch is optional
        versions += f", PyTorch {metadata.version('torch')}"
    machine = f"{platform.machine()}, {os.cpu_count()} logical CPUs"
    return f"{machine}, {platform.system()}; {versions}"
