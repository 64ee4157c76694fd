"""The page-weight report of the browser tests, joined across pytest-xdist workers.

Each process that audits pages writes its rows to ``test-artifacts/page-weight-rows-<worker>.txt``;
the process that reports (the root conftest.py, in pytest's main process) joins them into
``test-artifacts/page-weight.md``. Subfolder conftests do not load in xdist's main process.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
REPORT = ARTIFACTS / "page-weight.md"
ROWS = "page-weight-rows-*.txt"
HEADER = [
    "| Page | Requests | HTML | CSS | JS | Fonts | Images | Data | Transferred | Uncompressed |",
    "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
]
INTRO = (
    "# Page weight\n\n"
    "Bytes each page transfers on a cold load (HTTP cache disabled), summed from the "
    "response body sizes in Chromium's network events. The test server gzips text "
    "(HTML, CSS, JS, JSON, XML, SVG) as GitHub Pages does; Uncompressed is the same "
    "bodies decoded. Data: the search index and sitemap that Material's scripts "
    "fetch; Fonts: the math font, on pages with math. Columns HTML to Data are transferred bytes.\n\n"
)


def write_rows(rows: list[str], worker: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / ROWS.replace("*", worker)).write_text("\n".join(rows) + "\n", encoding="utf-8")


def clear() -> None:
    for part in ARTIFACTS.glob(ROWS):
        part.unlink()


def join() -> str | None:
    """Write page-weight.md from every process's rows; return the table (None if no rows)."""
    parts = sorted(ARTIFACTS.glob(ROWS))
    rows = [row for part in parts for row in part.read_text(encoding="utf-8").splitlines() if row]
    if not rows:
        return None
    rows.sort(key=lambda row: (row.startswith("| 404.html"), row))
    table = "\n".join(HEADER + rows)
    REPORT.write_text(INTRO + table + "\n", encoding="utf-8")
    clear()
    return table
