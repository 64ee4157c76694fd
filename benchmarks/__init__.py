"""Speed and accuracy benchmarks, printed as tables by ``make bench``.

Each ``benchmarks/bench_<topic>.py`` defines ``run() -> list[Table]``. A table row may
carry a target; ``make bench`` prints every table and exits non-zero if a target is
missed. A timing is the fastest of several repeats on the machine that runs them
(``snippets.timing.best_time``), named by ``snippets.timing.machine_description``.
"""

from __future__ import annotations

from dataclasses import dataclass, field


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
