"""Notebooks: each one executes without error, and the build treats them strictly."""

import os
import subprocess
import sys

import jupytext
import nbformat
import pytest
import yaml

from hooks import build_cache
from tools.mkdocs_config import ROOT, load

NOTEBOOKS = sorted((ROOT / "docs" / "notebooks").glob("*.py"))


def test_there_are_notebooks():
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_executes_without_error(path):
    """Run top to bottom in a fresh kernel, by the build's own cached job (no rerun after a build)."""
    job = build_cache.notebook_job(path)
    try:
        folder = build_cache.outputs([job])[job]
    except build_cache.JobFailed as failure:
        pytest.fail(str(failure), pytrace=False)
    executed = nbformat.read(build_cache.executed_notebook(folder, path), as_version=4)
    nbformat.validate(executed)
    assert len(executed.cells) == len(jupytext.read(path).cells)
    errors = [out for cell in executed.cells for out in cell.get("outputs", []) if out.output_type == "error"]
    assert not errors


def _jupyter_plugin_config() -> dict:
    for entry in load()["plugins"]:
        if isinstance(entry, dict) and "mkdocs-jupyter" in entry:
            return entry["mkdocs-jupyter"]
    raise AssertionError("mkdocs.yml does not configure mkdocs-jupyter")


def _notebook(code: str) -> str:
    return f"# %% [markdown]\n# # A test notebook\n\n# %%\n{code}\n"


@pytest.fixture
def tiny_site(tmp_path):
    """A minimal MkDocs project with the site's own notebook settings and hooks."""
    (tmp_path / "docs" / "notebooks").mkdir(parents=True)
    (tmp_path / "docs" / "index.md").write_text("# Home\n")
    config = {
        "site_name": "tiny",
        "docs_dir": "docs",
        "plugins": [{"mkdocs-jupyter": _jupyter_plugin_config()}],
        "hooks": [str(ROOT / "hooks" / name) for name in ("execute.py", "notebooks.py", "math.py")],
    }
    (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(config))

    def build(**notebooks: str) -> subprocess.CompletedProcess:
        for name, code in notebooks.items():
            (tmp_path / "docs" / "notebooks" / f"{name}.py").write_text(_notebook(code))
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
        return subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "site")],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )

    build.root = tmp_path
    return build


def test_a_failing_cell_fails_the_build_naming_the_file_and_line(tiny_site):
    result = tiny_site(broken="x = 1\nraise RuntimeError('this cell fails on purpose')")
    assert result.returncode != 0
    # Line 6 of the percent-format file: the header cell takes lines 1-3, "# %%" line 4.
    assert "docs/notebooks/broken.py:6: RuntimeError: this cell fails on purpose" in result.stderr


def test_build_reexecutes_and_offers_the_ipynb(tiny_site):
    package = tiny_site.root / "snippets"
    package.mkdir()
    (package / "helper.py").write_text("VALUE = 1\n")
    code = "from snippets.helper import VALUE\nprint('value is', VALUE)"
    first = tiny_site(uses_helper=code)
    assert first.returncode == 0, first.stderr
    page = tiny_site.root / "site" / "notebooks" / "uses_helper" / "index.html"
    assert "value is 1" in page.read_text()

    # The imported code changes, the notebook does not: the page must show the new output.
    (package / "helper.py").write_text("VALUE = 2\n")
    second = tiny_site()
    assert second.returncode == 0, second.stderr
    assert "value is 2" in page.read_text()

    downloaded = nbformat.reads(
        (tiny_site.root / "site" / "notebooks" / "uses_helper.ipynb").read_text(), as_version=4
    )
    nbformat.validate(downloaded)
    assert "from snippets.helper import VALUE" in downloaded.cells[1].source
