"""pytest runs every python and pycon code block under docs/ (see tools/docs_sybil.py)."""

import json
import os
import shutil
import tempfile
from pathlib import Path

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


def browser_scope(nodeid: str, halves: dict[str, int]) -> str:
    """The half of the browser suite a test belongs to, as tests/browser/conftest.py split
    it: a page and every test that reads it share one worker, one Chromium and one load."""
    return f"tests/browser/ (half {halves[nodeid]})" if nodeid in halves else "tests/browser/"


_HALVES = pytest.StashKey[Path]()


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    """Ask each worker to write down the halves of the browser suite (a file per worker)."""
    if node.config.getoption("dist") != "loadfile":
        return
    if _HALVES not in node.config.stash:
        node.config.stash[_HALVES] = Path(tempfile.mkdtemp(prefix="browser-halves-")) / "halves.json"
    node.workerinput["browser_halves"] = str(node.config.stash[_HALVES])


def pytest_unconfigure(config):
    if _HALVES in config.stash:
        shutil.rmtree(config.stash[_HALVES].parent, ignore_errors=True)


def _read_halves(target: Path) -> dict[str, int]:
    written = sorted(target.parent.glob(target.name + ".*"))
    return json.loads(written[0].read_text(encoding="utf-8")) if written else {}


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """``--dist loadfile``, with the browser suite (tests/browser/) in two units of work that
    start first: they take longest, and split by file, each worker would start a browser
    and load and audit the same pages again. The other files follow, longest first by
    their time in the last run (unknown ones last)."""
    if config.getoption("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class BrowserSuiteInTwo(LoadFileScheduling):
        halves: dict[str, int] | None = None

        def _split_scope(self, nodeid: str) -> str:
            if nodeid.startswith("tests/browser/"):
                if self.halves is None:  # every worker has collected by now
                    self.halves = _read_halves(config.stash[_HALVES]) if _HALVES in config.stash else {}
                return browser_scope(nodeid, self.halves)
            return super()._split_scope(nodeid)

        ordered = False

        def _assign_work_unit(self, node) -> None:
            if not self.ordered:  # the queue is complete before the first unit goes out
                self.ordered = True
                seconds = config.cache.get(_SECONDS_KEY, {})
                order = sorted(
                    self.workqueue,
                    key=lambda scope: (not scope.startswith("tests/browser/"), -seconds.get(scope, 0.0)),
                )
                for scope in order:
                    self.workqueue.move_to_end(scope)
            super()._assign_work_unit(node)

    return BrowserSuiteInTwo(config, log)


# Seconds each file's tests took in the last run, kept in pytest's cache (.pytest_cache) by
# the process that schedules: the next run hands out the longest files first, so that no
# worker is left with a long one at the end while the other waits.
_SECONDS_KEY = "deep-python/seconds-per-file"


class _FileSeconds:
    """Adds up each file's test durations, as the workers report them, and keeps them."""

    def __init__(self, config):
        self.config, self.totals = config, {}

    def pytest_runtest_logreport(self, report):
        file = report.nodeid.split("::")[0]
        self.totals[file] = self.totals.get(file, 0.0) + report.duration

    def pytest_sessionfinish(self, session):
        if self.totals:  # a partial run updates its own files only
            kept = self.config.cache.get(_SECONDS_KEY, {})
            self.config.cache.set(_SECONDS_KEY, {**kept, **self.totals})


def pytest_configure(config):
    scheduler = not hasattr(config, "workerinput") and config.getoption("dist", "no") == "loadfile"
    if scheduler and getattr(config, "cache", None) is not None:
        config.pluginmanager.register(_FileSeconds(config), "deep-python-file-seconds")
