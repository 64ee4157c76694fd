"""Execute a notebook top to bottom in a fresh kernel: ``python tools/run_notebook.py SRC OUT_DIR``.

The kernel starts in the current directory, the project's root, so that ``import snippets``
finds the project's package.

SRC is a jupytext file (``.py`` percent format) or an ``.ipynb``; the executed notebook is
written to ``OUT_DIR/<stem>.ipynb``. On the first failing cell it prints one line that
names the source file and line, ``docs/notebooks/cnn.py:42: ValueError: ...``, then the
traceback, and exits with status 1.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ANSI = re.compile(r"\x1b\[[0-9;]*m")
CELL_LINE = re.compile(r"Cell In\[\d+\], line (\d+)")
TIMEOUT = 600  # seconds per cell


def cell_start_lines(path: Path, notebook) -> list[int] | None:
    """1-based line of each cell's first source line in a percent-format file, if it maps."""
    if path.suffix != ".py":
        return None
    markers = [
        i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines()) if line.startswith("# %%")
    ]
    if len(markers) != len(notebook.cells):
        return None
    return [marker + 2 for marker in markers]  # the line after the "# %%" marker


def failure_location(path: Path, notebook) -> tuple[str, str]:
    """("file:line", "Ename: evalue") of the first error output in an executed notebook."""
    starts = cell_start_lines(path, notebook)
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") != "error":
                continue
            traceback = ANSI.sub("", "\n".join(output.get("traceback", [])))
            found = CELL_LINE.search(traceback)
            line_in_cell = int(found.group(1)) if found else 1
            what = f"{output.get('ename')}: {output.get('evalue')}"
            return _where(path, notebook, index, line_in_cell, starts), what
    return _shown(path), "the notebook failed"


def _where(path: Path, notebook, index: int, line_in_cell: int, starts: list[int] | None) -> str:
    """The source line of line ``line_in_cell`` of cell ``index``, as precisely as known."""
    if starts:
        return f"{_shown(path)}:{starts[index] + line_in_cell - 1}"
    # A notebook made from a page records the page and each code cell's first line.
    source = notebook.metadata.get("deep_python", {}).get("source")
    origin = notebook.cells[index].metadata.get("deep_python", {})
    if source and "line" in origin and not origin.get("embeds"):
        return f"{source}:{origin['line'] + line_in_cell - 1}"
    if source and "line" in origin:
        return f"{source}:{origin['line']} (line {line_in_cell} of the block, embeds expanded)"
    return f"{_shown(path)}, cell {index + 1}"


def _shown(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)


def execute(path: Path):
    """The notebook at ``path``, executed; raises CellExecutionError on a failing cell."""
    notebook = jupytext.read(path)
    client = NotebookClient(
        notebook, timeout=TIMEOUT, kernel_name="python3", resources={"metadata": {"path": str(Path.cwd())}}
    )
    try:
        client.execute()
    except CellExecutionError as error:
        error.notebook = notebook
        raise
    nbformat.validate(notebook)
    return notebook


def main(source: str, out_dir: str) -> int:
    path = Path(source)
    try:
        notebook = execute(path)
    except CellExecutionError as error:
        where, what = failure_location(path, error.notebook)
        print(f"{where}: {what}\n\n{ANSI.sub('', str(error))}", file=sys.stderr)
        return 1
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, out / f"{path.stem}.ipynb")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python tools/run_notebook.py NOTEBOOK OUT_DIR")
    sys.exit(main(sys.argv[1], sys.argv[2]))
