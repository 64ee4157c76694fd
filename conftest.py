"""pytest runs every python and pycon code block under docs/ (see tools/docs_sybil.py)."""

from tools.docs_sybil import make_sybil

pytest_collect_file = make_sybil().pytest()


def pytest_terminal_summary(terminalreporter):
    """Say how many documentation code blocks ran, apart from the unit tests."""
    stats = terminalreporter.stats
    blocks = {
        outcome: sum(1 for report in stats.get(outcome, []) if report.when == "call" and ".md::" in report.nodeid)
        for outcome in ("passed", "failed", "skipped")
    }
    skipped = sum(1 for report in stats.get("skipped", []) if ".md::" in report.nodeid)
    terminalreporter.write_line(
        f"docs code blocks run by Sybil: {blocks['passed']} passed, {blocks['failed']} failed, {skipped} skipped"
    )
