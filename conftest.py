"""pytest runs every python and pycon code block under docs/ (see tools/docs_sybil.py)."""

from tools.doc_blocks import all_skips, block_of_example
from tools.docs_sybil import make_sybil

pytest_collect_file = make_sybil().pytest()


def pytest_terminal_summary(terminalreporter):
    """Say how many documentation code blocks ran, and list the ones skipped on purpose."""
    stats = terminalreporter.stats

    def examples(outcome: str) -> list[str]:
        return [
            report.nodeid
            for report in stats.get(outcome, [])
            if ".md::" in report.nodeid and report.when in ("call", "setup")
        ]

    passed, failed, skipped = examples("passed"), examples("failed"), examples("skipped")
    ran = passed + failed
    blocks = {block_of_example(nodeid) for nodeid in ran}
    failed_blocks = {block_of_example(nodeid) for nodeid in failed}
    terminalreporter.write_line(
        f"docs code blocks run by Sybil: {len(blocks)} blocks, {len(failed_blocks)} failed "
        f"({len(passed)} examples passed, {len(failed)} failed, {len(skipped)} skipped; "
        "a pycon block is one example per >>> statement)"
    )
    for skip in all_skips():
        terminalreporter.write_line(f"  skip marker {skip.path}:{skip.line}: {skip.action} {skip.reason}")
