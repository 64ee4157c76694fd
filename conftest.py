"""pytest runs every python and pycon code block under docs/ (see tools/docs_sybil.py)."""

import pytest

from tools.doc_blocks import all_skips, block_of_example
from tools.docs_sybil import make_sybil

pytest_collect_file = make_sybil().pytest()


def xdist_group(item: pytest.Item) -> str:
    """The group of tests that one pytest-xdist worker runs together (``--dist loadgroup``).

    A page's code blocks share one namespace in page order, so a file's tests stay
    together. A browser test goes with the other tests of the same page, so that each
    worker loads and audits only its own pages.
    """
    if item.get_closest_marker("browser") and hasattr(item, "callspec"):
        params = item.callspec.params
        for name in ("page_path", "post"):
            if name in params:
                return "browser:" + getattr(params[name], "url", params[name])
    return item.nodeid.split("::")[0]


def pytest_collection_modifyitems(config, items):
    for item in items:
        item.add_marker(pytest.mark.xdist_group(xdist_group(item)))


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
