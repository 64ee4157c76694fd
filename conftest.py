"""pytest runs every python and pycon code block under docs/ (see tools/docs_sybil.py)."""

import os

import pytest

# One BLAS thread per test process, set before NumPy loads: `make test` runs one process per
# core, and BLAS threads on top of those spin against each other (small-matrix training ran
# about 4x slower so). Benchmarks, not tests, measure threads.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

from tools import page_weight
from tools.doc_blocks import all_skips, block_of_example
from tools.docs_sybil import make_sybil

pytest_collect_file = make_sybil().pytest()


def pytest_sessionstart(session):
    if not hasattr(session.config, "workerinput"):  # pytest's main process, not an xdist worker
        page_weight.clear()


def pytest_terminal_summary(terminalreporter, config):
    """The docs count, the skips, and the browser tests' page-weight table."""
    _docs_summary(terminalreporter)
    table = None if hasattr(config, "workerinput") else page_weight.join()
    if table:
        terminalreporter.section("page weight (cold load, bytes transferred, text gzipped)")
        for line in table.splitlines():
            terminalreporter.write_line(line)
        terminalreporter.write_line(f"written to {page_weight.REPORT.relative_to(page_weight.ROOT)}")


def _docs_summary(terminalreporter):
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
    alone = [
        report
        for report in stats.get("passed", []) + stats.get("failed", []) + stats.get("skipped", [])
        if "test_blocks_run_alone.py::test_definition_block_runs_alone[" in report.nodeid
        and report.when in ("call", "setup")
    ]
    if alone:
        ran_alone = sum(report.passed for report in alone)
        exempt = sum(report.skipped for report in alone)
        terminalreporter.write_line(
            f"definition blocks that run alone: {ran_alone} of {len(alone)} "
            f"({exempt} exempt, each listed as SKIPPED with its reason)"
        )


def browser_scope(nodeid: str) -> str:
    """The half of the browser suite a test belongs to, by the pages it reads.

    Each half runs on one worker with one Chromium, and loads each page it needs once
    (tests/browser/conftest.py): the light 1,280-px pages and their audits in one half, the
    phone-width and dark pages (and the features, which open pages of their own) in the other.
    """
    name = nodeid.rpartition("::")[2]
    other = ("phone", "dark", "-360-") if "test_browser_features.py" not in nodeid else ("",)
    return (
        "tests/browser/ (phone, dark, features)" if any(word in name for word in other) else "tests/browser/"
    )


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """``--dist loadfile``, with the browser suite (tests/browser/) in two units of work that
    start first: they take longest, and split by file, each worker would start a browser
    and load and audit the same pages again."""
    if config.getoption("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class BrowserSuiteInTwo(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            if nodeid.startswith("tests/browser/"):
                return browser_scope(nodeid)
            return super()._split_scope(nodeid)

        def _assign_work_unit(self, node) -> None:
            for scope in list(self.workqueue):
                if scope.startswith("tests/browser/"):
                    self.workqueue.move_to_end(scope, last=False)
                    break
            super()._assign_work_unit(node)

    return BrowserSuiteInTwo(config, log)
