"""The build's execution cache (hooks/build_cache.py): never stale, and nothing run twice.

Each test works on a small project of its own in a temporary folder: a ``snippets/``
package, a ``requirements.txt`` and jobs that record every time they run.
"""

from __future__ import annotations

import sys

import pytest

from hooks import build_cache

# A job that records its run in runs.log and writes what it was asked to into {out}.
RECORDING_JOB = (
    "import pathlib, sys; out, name = pathlib.Path(sys.argv[1]), sys.argv[2]; "
    "out.mkdir(parents=True, exist_ok=True); (out / 'result.txt').write_text(name); "
    "open('runs.log', 'a').write(name + '\\n')"
)


@pytest.fixture
def project(tmp_path):
    (tmp_path / "snippets").mkdir()
    (tmp_path / "snippets" / "__init__.py").write_text("")
    (tmp_path / "snippets" / "helper.py").write_text("VALUE = 1\n")
    (tmp_path / "requirements.txt").write_text("numpy==2.4.6\n")
    return tmp_path


def job(name: str, source: str) -> build_cache.Job:
    command = (sys.executable, "-c", RECORDING_JOB, "{out}", name)
    return build_cache.Job("notebooks", name, source.encode(), command)


def runs(project) -> list[str]:
    log = project / "runs.log"
    lines = log.read_text().split() if log.exists() else []
    log.unlink(missing_ok=True)
    return sorted(lines)


def test_a_second_build_runs_nothing_and_finds_the_same_outputs(project):
    jobs = [job("a", "print(1)"), job("b", "print(2)")]
    first = build_cache.outputs(jobs, root=project)
    assert runs(project) == ["a", "b"]
    assert (first[jobs[0]] / "result.txt").read_text() == "a"

    second = build_cache.outputs(jobs, root=project)
    assert runs(project) == []
    assert second == first


def test_a_changed_source_reruns_only_its_own_job(project):
    build_cache.outputs([job("a", "print(1)"), job("b", "print(2)")], root=project)
    runs(project)
    build_cache.outputs([job("a", "print(1) # edited"), job("b", "print(2)")], root=project)
    assert runs(project) == ["a"]


@pytest.mark.parametrize(
    "change",
    [
        lambda root: (root / "snippets" / "helper.py").write_text("VALUE = 2\n"),
        lambda root: (root / "snippets" / "new_module.py").write_text("X = 0\n"),
        lambda root: (root / "snippets" / "helper.py").unlink(),
        lambda root: (root / "snippets" / "data.csv").write_text("1,2\n"),
        lambda root: (root / "requirements.txt").write_text("numpy==2.5.0\n"),
    ],
    ids=["edit", "new-module", "removed-module", "data-file", "requirements"],
)
def test_a_change_under_snippets_or_requirements_reruns_every_job(project, change):
    jobs = [job("a", "print(1)"), job("b", "print(2)")]
    before = build_cache.outputs(jobs, root=project)
    runs(project)
    change(project)
    after = build_cache.outputs(jobs, root=project)
    assert runs(project) == ["a", "b"]
    assert set(before.values()).isdisjoint(after.values())


def test_changes_that_no_output_depends_on_rerun_nothing(project):
    jobs = [job("a", "print(1)")]
    build_cache.outputs(jobs, root=project)
    runs(project)
    (project / "docs").mkdir()
    (project / "docs" / "post.md").write_text("# A post, edited\n")
    (project / "snippets" / "__pycache__").mkdir()
    (project / "snippets" / "__pycache__" / "helper.cpython-311.pyc").write_bytes(b"\0")
    build_cache.outputs(jobs, root=project)
    assert runs(project) == []


def test_a_failing_job_reports_its_error_and_leaves_nothing_in_the_cache(project):
    failing = build_cache.Job(
        "notebooks", "bad", b"x", (sys.executable, "-c", "import sys; sys.exit('cell 3 failed on purpose')")
    )
    good = job("good", "print(1)")
    with pytest.raises(build_cache.JobFailed, match="cell 3 failed on purpose"):
        build_cache.outputs([failing, good], root=project)
    assert runs(project) == ["good"]  # the others still ran, and are kept
    kept = list((build_cache.cache_dir(project) / "notebooks").iterdir())
    assert len(kept) == 1
    assert (kept[0] / "result.txt").read_text() == "good"


def test_prune_keeps_only_the_outputs_in_use(project):
    old = build_cache.outputs([job("a", "v1")], root=project)
    new = build_cache.outputs([job("a", "v2")], root=project)
    build_cache.prune("notebooks", new.values(), root=project)
    assert all(folder.is_dir() for folder in new.values())
    assert not any(folder.exists() for folder in old.values())


def test_prune_stale_removes_what_was_made_for_older_code(project):
    old = build_cache.outputs([job("a", "print(1)")], root=project)
    (project / "snippets" / "helper.py").write_text("VALUE = 2\n")
    new = build_cache.outputs([job("a", "print(1)")], root=project)
    build_cache.prune_stale(root=project)
    assert all(folder.is_dir() for folder in new.values())
    assert not any(folder.exists() for folder in old.values())


def test_a_dirty_rebuild_renders_every_page_again_after_a_code_change(project):
    """`make serve` rebuilds with --dirty; an edit under snippets/ must still reach every page."""
    import os
    import subprocess

    import yaml

    from tools.mkdocs_config import ROOT

    (project / "docs").mkdir()
    (project / "docs" / "index.md").write_text("# Home\n")
    (project / "mkdocs.yml").write_text(
        yaml.safe_dump({"site_name": "t", "hooks": [str(ROOT / "hooks" / "execute.py")]})
    )
    page = project / "site" / "index.html"

    def build(*flags):
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
        command = [sys.executable, "-m", "mkdocs", "build", "-q", "-d", "site", *flags]
        done = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return page.stat().st_mtime_ns

    first = build()
    assert build("--dirty") == first  # nothing changed: the page is not rendered again
    (project / "snippets" / "helper.py").write_text("VALUE = 3\n")
    assert build("--dirty") != first
