"""pytest runs every python and pycon code block under docs/ (see tools/docs_sybil.py)."""

from tools.doc_blocks import all_skips
from tools.docs_sybil import make_sybil

pytest_collect_file = make_sybil().pytest()


def pytest_terminal_summary(terminalreporter):
    """Say how many documentation code blocks ran, and list the ones skipped on purpose."""
    stats = terminalreporter.stats

    def count(outcome: str) -> int:
        return sum(
            1 for report in stats.get(outcome, []) if ".md::" in report.nodeid and report.when == "call"
        )

    skipped = sum(1 for report in stats.get("skipped", []) if ".md::" in report.nodeid)
    passed, failed = count("passed"), count("failed")
    terminalreporter.write_line(
        f"docs code blocks run by Sybil: {passed} passed, {failed} failed, {skipped} skipped"
    )
    for skip in all_skips():
        terminalreporter.write_line(f"  skip marker {skip.path}:{skip.line}: {skip.action} {skip.reason}")
