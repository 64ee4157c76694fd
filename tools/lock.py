"""Pin every dependency for Linux, macOS and Windows: ``make lock`` (``python -m tools.lock``).

uv resolves requirements.in once for every platform (``--universal``), keeping the
versions already pinned where it can, and writes each platform's differences as
environment markers (``appnope ; sys_platform == 'darwin'``). The index lines of
requirements.in (PyTorch's CPU wheel index) are copied to the top of requirements.txt,
so that a plain ``pip install -r requirements.txt`` finds the CPU build of PyTorch.
Extra uv options can follow: ``python -m tools.lock --find-links DIR``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "requirements.in"
TARGET = ROOT / "requirements.txt"
OLDEST_PYTHON = "3.11.5"  # pymdown-extensions 13.1 needs 3.11.5 or newer
HEADER = "# Every dependency, pinned for Linux, macOS and Windows (`make lock` writes this file).\n"


def index_lines(requirements: str) -> list[str]:
    """The comment block and index options at the top of requirements.in."""
    lines = []
    for line in requirements.splitlines()[1:]:
        if not (line.startswith("#") or line.startswith("--")):
            break
        lines.append(line + "\n")
    return lines


def main(extra: list[str]) -> int:
    command = [
        sys.executable, "-m", "uv", "pip", "compile", "--quiet", "--universal", "--no-header",
        "--python-version", OLDEST_PYTHON, "--fork-strategy", "fewest",
        str(SOURCE.relative_to(ROOT)), "-o", "-", *extra,
    ]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        print(done.stderr, file=sys.stderr)
        return done.returncode
    TARGET.write_text(HEADER + "".join(index_lines(SOURCE.read_text())) + done.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
