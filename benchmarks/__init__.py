"""Speed and accuracy benchmarks, printed as tables by ``make bench``.

Each ``benchmarks/bench_<topic>.py`` defines ``run() -> list[Table]``. A table row may
carry a target; ``make bench`` prints every table and exits non-zero if a target is
missed. Timings are medians of several repeats on the machine that runs them.
"""

from __future__ import annotations

import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field


def median_seconds(function: Callable[[], object], repeat: int = 5, warmup: int = 1) -> float:
    """Median wall time of ``function()`` over ``repeat`` runs, after ``warmup`` runs."""
    for _ in range(warmup):
        function()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list[object]] = field(default_factory=list)
    # (description, met) pairs: what the issue asked for, and whether this run met it.
    targets: list[tuple[str, bool]] = field(default_factory=list)

    def render(self) -> str:
        cells = [[_format(value) for value in row] for row in self.rows]
        widths = [
            max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(self.headers)
        ]
        lines = [f"## {self.title}", ""]
        lines.append("| " + " | ".join(h.ljust(w) for h, w in zip(self.headers, widths, strict=True)) + " |")
        lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
        lines += [
            "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |" for row in cells
        ]
        for description, met in self.targets:
            lines.append(f"{'PASS' if met else 'MISS'}  {description}")
        return "\n".join(lines)


def _format(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def machine_description() -> str:
    """One line naming the machine the numbers came from."""
    return (
        f"{platform.machine()}, {os.cpu_count()} logical CPUs, "
        f"Python {platform.python_version()}, {platform.system()}"
    )
