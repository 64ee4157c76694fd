"""``python -m benchmarks [topic ...]``: run every benchmarks/bench_*.py and print its tables."""

from __future__ import annotations

import importlib
import pkgutil
import sys

import benchmarks
from snippets.timing import machine_description


def main(topics: list[str]) -> int:
    names = sorted(m.name for m in pkgutil.iter_modules(benchmarks.__path__) if m.name.startswith("bench_"))
    if topics:
        unknown = sorted(set(topics) - {n.removeprefix("bench_") for n in names})
        if unknown:
            print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(names)}", file=sys.stderr)
            return 2
        names = [n for n in names if n.removeprefix("bench_") in topics]
    print(f"# Benchmarks on {machine_description()}\n")
    missed = []
    for name in names:
        for table in importlib.import_module(f"benchmarks.{name}").run():
            print(table.render(), end="\n\n", flush=True)
            missed += [d for d, met in table.targets if not met]
    if missed:
        print(f"{len(missed)} target(s) missed:", *missed, sep="\n- ")
        return 1
    print("Every target met.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
