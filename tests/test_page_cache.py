"""A warm build reuses what it computed from a page's HTML (hooks/page_cache.py), and gives
the same site as a build that computes it all again."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from material.plugins.search.plugin import SearchPlugin
from mkdocs.exceptions import PluginError

from hooks import page_cache
from tools.mkdocs_config import ROOT, load_hook


def test_a_result_is_computed_once_for_the_same_inputs(tmp_path):
    calls = []

    def compute():
        calls.append(1)
        return {"html": "<p>x</p>", "n": 3}

    first = page_cache.cached("step", "a.md", ["<p>page</p>", "v1"], compute, tmp_path)
    again = page_cache.cached("step", "a.md", ["<p>page</p>", "v1"], compute, tmp_path)
    assert first == again == {"html": "<p>x</p>", "n": 3}
    assert len(calls) == 1


@pytest.mark.parametrize(
    "other",
    [
        ("step", ["<p>page!</p>", "v1"]),  # the page changed
        ("step", ["<p>page</p>", "v2"]),  # the code that computes it changed
        ("other-step", ["<p>page</p>", "v1"]),
        ("step", ["<p>pag", "e</p>v1"]),  # the same characters, cut elsewhere
    ],
)
def test_any_change_of_the_inputs_computes_again(tmp_path, other):
    page_cache.cached("step", "a.md", ["<p>page</p>", "v1"], lambda: "old", tmp_path)
    step, parts = other
    assert page_cache.cached(step, "a.md", parts, lambda: "new", tmp_path) == "new"


def test_an_entry_that_cannot_be_read_is_computed_again(tmp_path):
    page_cache.cached("step", "a.md", ["a"], lambda: "first", tmp_path)
    (entry,) = page_cache.cache_dir(tmp_path).iterdir()
    entry.write_text('{"step": "step", "val', encoding="utf-8")  # cut short
    assert page_cache.cached("step", "a.md", ["a"], lambda: "second", tmp_path) == "second"
    assert json.loads(entry.read_text(encoding="utf-8"))["value"] == "second"


def test_prune_deletes_only_the_entries_this_build_did_not_use(tmp_path):
    page_cache.forget_use()
    page_cache.cached("step", "gone.md", ["a page since deleted"], lambda: 1, tmp_path)
    page_cache.cached("step", "kept.md", ["a page"], lambda: 2, tmp_path)
    page_cache.forget_use()  # the next build
    page_cache.cached("step", "kept.md", ["a page"], lambda: "computed", tmp_path)
    assert page_cache.prune(tmp_path) == 1
    assert page_cache.cached("step", "kept.md", ["a page"], lambda: "computed", tmp_path) == 2
    assert (
        page_cache.cached("step", "gone.md", ["a page since deleted"], lambda: "computed", tmp_path)
        == "computed"
    )


def test_a_pages_new_result_replaces_its_old_one(tmp_path):
    """`make serve` never prunes: each edit of a page must not leave one more entry behind."""
    for edit in range(5):
        page_cache.cached("math", "post.md", [f"<p>edit {edit}</p>"], lambda: "html", tmp_path)
    page_cache.cached("search", "post.md", ["<p>edit 4</p>"], lambda: [], tmp_path)
    page_cache.cached("math", "other.md", ["<p>other</p>"], lambda: "html", tmp_path)
    assert len(list(page_cache.cache_dir(tmp_path).glob("math-*"))) == 2  # one per page
    assert len(list(page_cache.cache_dir(tmp_path).glob("search-*"))) == 1
    assert page_cache.cached("math", "post.md", ["<p>edit 4</p>"], lambda: "computed", tmp_path) == "html"


def search_plugin(enabled: bool) -> SearchPlugin:
    """Material's search plugin before its on_config: it has no search_index, as after an
    upgrade that moved it."""
    search = SearchPlugin()
    search.load_config({"enabled": enabled})
    return search


def test_the_hook_fails_the_build_when_materials_search_index_has_moved():
    page_steps = load_hook("page_steps")
    plugins = {"material/search": search_plugin(enabled=True)}
    config = SimpleNamespace(plugins=plugins, config_file_path=str(ROOT / "mkdocs.yml"))
    with pytest.raises(PluginError, match="add_entry_from_context"):
        page_steps.on_config(config)


def test_the_hook_leaves_a_disabled_search_plugin_alone():
    page_steps = load_hook("page_steps")
    plugins = {"material/search": search_plugin(enabled=False)}  # it makes no index at all
    page_steps.on_config(SimpleNamespace(plugins=plugins, config_file_path=str(ROOT / "mkdocs.yml")))
    assert not hasattr(plugins["material/search"], "search_index")


# ------------------------------------------------------------------ a small site, built three times

POST = """---
date: 2026-01-02
---

# A post on gradients

The cost \\(J(w) = \\frac{1}{2} w^2\\) has the gradient \\(w\\).

<!-- more -->

## Descent

Each step moves \\(w\\) against its gradient.
"""


@pytest.fixture
def small_site(tmp_path):
    """A Material blog with math, search and reading times, built with the project's hooks."""
    docs = tmp_path / "docs"
    (docs / "blog" / "posts").mkdir(parents=True)
    (docs / "index.md").write_text("# Home\n\nThe identity \\(e^{i\\pi} + 1 = 0\\).\n", encoding="utf-8")
    (docs / "blog" / "index.md").write_text("# Blog\n", encoding="utf-8")
    (docs / "blog" / "posts" / "gradients.md").write_text(POST, encoding="utf-8")
    config = {
        "site_name": "Small",
        "theme": {"name": "material", "custom_dir": "overrides"},
        "markdown_extensions": [{"pymdownx.arithmatex": {"generic": True}}],
        "plugins": ["search", {"blog": {"post_readtime": True}}],
        "hooks": [str(ROOT / "hooks" / name) for name in ("math.py", "page_steps.py", "template_cache.py")],
    }
    (tmp_path / "overrides").mkdir()
    announce("The first announcement", tmp_path)
    (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    return tmp_path


def announce(text: str, project: Path) -> None:
    """A template of the theme's, overridden: the bar above every page says ``text``."""
    template = '{% extends "base.html" %}{% block announce %}' + text + "{% endblock %}"
    (project / "overrides" / "main.html").write_text(template, encoding="utf-8")


def build(project: Path) -> dict[str, str]:
    """Build the site; {what: its bytes} for the post, the search index and the math font."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", "site"]
    done = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    site = project / "site"
    return {
        "post": (site / "blog" / "2026" / "01" / "02" / "a-post-on-gradients" / "index.html").read_text(),
        "search": (site / "search" / "search_index.json").read_text(),
        "font": (site / "assets" / "fonts" / "stix-two-math.woff2").read_bytes().hex(),
    }


def read_time(page: str) -> int:
    return int(re.search(r"(\d+) min read", page).group(1))


def entries(folder: Path) -> dict[str, int]:
    """{file name: its modification time} in ``folder``."""
    return {path.name: path.stat().st_mtime_ns for path in folder.iterdir()}


def test_a_warm_build_gives_the_same_site_from_the_caches_and_an_edit_is_seen(small_site):
    pages, templates = page_cache.cache_dir(small_site), small_site / ".cache" / "jinja"
    cold = build(small_site)
    made, compiled = entries(pages), entries(templates)
    assert {name.split("-")[0] for name in made} == {"math", "search", "readtime"}
    assert len(compiled) > 10  # Material's templates
    assert "The first announcement" in cold["post"]

    warm = build(small_site)
    assert warm == cold  # the post, its search sections and the font's characters
    assert entries(pages) == made  # every entry was read, none written again
    assert entries(templates) == compiled

    post = small_site / "docs" / "blog" / "posts" / "gradients.md"
    post.write_text(POST + "\nA zebrafish learns \\(\\nabla_\\theta\\) " + "word " * 600 + "\n")
    announce("The second announcement", small_site)  # an edited template is compiled again
    edited = build(small_site)
    assert "The second announcement" in edited["post"]
    assert "zebrafish" in edited["search"]
    assert "zebrafish" not in cold["search"]
    assert "\u2207" in edited["post"].split("zebrafish")[1]  # the new formula, as MathML
    assert edited["font"] != cold["font"]  # the subset gained the nabla
    assert read_time(cold["post"]) == 1
    assert read_time(edited["post"]) > 1
    after = entries(pages)
    new = set(after) - set(made)
    assert {name.split("-")[0] for name in new} == {"math", "search", "readtime"}  # the post's
    assert len(after) == len(made)  # its old entries went; the other pages' stayed
