"""An inventory of the code blocks of docs/: what looks like Python, what runs, what is skipped.

The test suite uses it to prove that no Python block escapes Sybil and that every skip
says why (tests/test_docs_coverage.py); the terminal summary lists the skips.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from tools.docs_sybil import DOCS, make_sybil
from tools.fences import find_fences

# Deliberately wider than what the parser accepts: "Python", "ipython", "{.python}",
# "python-repl" all look like Python to a reader, so each must be collected or renamed.
LOOKS_LIKE_PYTHON = re.compile(r"py", re.I)
SKIP = re.compile(r"^[ \t]*<!--+\s*skip:\s*(?P<action>\w+)(?P<reason>[^\n]*?)\s*-*->", re.M)


@dataclass(frozen=True)
class Skip:
    path: str
    line: int
    action: str
    reason: str


def markdown_files() -> list[Path]:
    return sorted(DOCS.rglob("*.md"))


def python_looking_fences(path: Path):
    """Fences whose language mentions Python, as (line, info)."""
    text = path.read_text(encoding="utf-8")
    return [(f.line, f.info) for f in find_fences(text) if LOOKS_LIKE_PYTHON.search(f.language.lstrip("{."))]


@cache
def _sybil():
    return make_sybil()


def collected_lines(path: Path) -> set[int]:
    """Opening lines of the fences that Sybil turned into examples."""
    document = _sybil().parse(path)
    text = path.read_text(encoding="utf-8")
    fences = find_fences(text)
    lines = set()
    for example in document.examples():
        for fence in fences:
            if fence.start <= example.region.start < fence.end:
                lines.add(fence.line)
    return lines


_EXAMPLE_LINE = re.compile(r"^(?P<path>[^:]+\.md)::.*\bline:(?P<line>\d+)")


def block_of_example(nodeid: str, root: Path = DOCS.parent) -> tuple[str, int] | None:
    """(page, opening line of its fence) of the Sybil example a pytest node id names.

    A pycon block is one Sybil example per ``>>>`` statement; this groups them back into
    the block the reader sees. None for a node id that is not a docs example.
    """
    match = _EXAMPLE_LINE.match(nodeid)
    if not match:
        return None
    line = int(match["line"])
    for opening_line, closing_line in _fence_lines(root / match["path"]):
        if opening_line <= line <= closing_line:
            return match["path"], opening_line
    return match["path"], line


@cache
def _fence_lines(path: Path) -> list[tuple[int, int]]:
    """(opening line, closing line) of every fence of a page, 1-based."""
    text = path.read_text(encoding="utf-8")
    return [(fence.line, text.count("\n", 0, fence.end)) for fence in find_fences(text)]


def skips(path: Path) -> list[Skip]:
    text = path.read_text(encoding="utf-8")
    found = []
    for match in SKIP.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        relative = str(path.relative_to(DOCS.parent))
        found.append(Skip(relative, line, match["action"], match["reason"].strip()))
    return found


def all_skips() -> list[Skip]:
    return [skip for path in markdown_files() for skip in skips(path)]
