"""Render figures to a folder: ``python -m snippets.figures OUT_DIR [MODULE ...]``.

With module names (``intro``, ``cnn``, ...), only the figures those modules register;
the build runs one process per module, in parallel, and caches each module's output.
"""

from __future__ import annotations

import sys
from pathlib import Path

from snippets.figures import figure_modules, load_all, render_svg


def main(out_dir: str, modules: list[str]) -> None:
    unknown = sorted(set(modules) - set(figure_modules()))
    if unknown:
        sys.exit(f"no figure module named {', '.join(unknown)}; known: {', '.join(figure_modules())}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for name, function in sorted(load_all(modules or None).items()):
        if not modules or function.__module__.rpartition(".")[2] in modules:
            (out / f"{name}.svg").write_bytes(render_svg(name))


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: python -m snippets.figures OUT_DIR [MODULE ...]")
    main(sys.argv[1], sys.argv[2:])
