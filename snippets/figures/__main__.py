"""Render every figure to a folder: ``python -m snippets.figures OUT_DIR``."""

from __future__ import annotations

import sys
from pathlib import Path

from snippets.figures import load_all, render_svg


def main(out_dir: str) -> None:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for name in sorted(load_all()):
        (out / f"{name}.svg").write_bytes(render_svg(name))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m snippets.figures OUT_DIR")
    main(sys.argv[1])
