"""Every post can be taken away whole: its notebook runs top to bottom in a fresh kernel.

The notebook is made from the page as the build makes it (tools/page_notebook.py), then
executed by the build's own cached job (hooks/build_cache.py): a rerun with the same
page, snippets/ and requirements executes nothing again.
"""

from __future__ import annotations

import nbformat
import pytest

from hooks import build_cache
from tools.fences import find_fences
from tools.mkdocs_config import ROOT
from tools.page_notebook import doctest_to_code, intro_cell, notebook_from_page

POSTS = sorted((ROOT / "docs" / "blog" / "posts").glob("*.md"))
OUT = ROOT / ".cache" / "page-notebooks"
COMMIT = {
    "sha": "0123456789abcdef",
    "short": "0123456",
    "dirty": False,
    "url": "https://example.org/tree/0123456",
}


def test_there_are_posts():
    assert POSTS


@pytest.mark.parametrize("post", POSTS, ids=lambda p: p.stem)
def test_post_notebook_runs_top_to_bottom_in_a_fresh_kernel(post):
    notebook = notebook_from_page(
        post, intro_cell("T", "https://example.org/t/", COMMIT), source_name=f"docs/blog/posts/{post.name}"
    )
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{post.stem}.ipynb"
    path.write_text(nbformat.writes(notebook), encoding="utf-8")
    job = build_cache.notebook_job(path, kind="page-notebooks")
    try:
        build_cache.outputs([job])
    except build_cache.JobFailed as failure:
        pytest.fail(str(failure), pytrace=False)


@pytest.mark.parametrize("post", POSTS, ids=lambda p: p.stem)
def test_post_notebook_has_every_python_block_in_page_order(post):
    notebook = notebook_from_page(post, "intro")
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    text = post.read_text(encoding="utf-8")
    fences = [f for f in find_fences(text) if f.language in ("python", "py", "python3", "pycon")]
    assert len(code) == len(fences)
    assert [cell.metadata["deep_python"]["line"] for cell in code] == [f.line + 1 for f in fences]
    assert "--8<--" not in "".join(cell.source for cell in code), "embeds are expanded"


def test_the_first_cell_names_the_commit_and_links_the_page():
    first = intro_cell("A post", "https://example.org/blog/a-post/", COMMIT)
    assert "[`0123456`](https://example.org/tree/0123456)" in first
    assert "(https://example.org/blog/a-post/)" in first
    dirty = intro_cell("A post", "https://example.org/", {**COMMIT, "url": None, "dirty": True})
    assert "`0123456` plus uncommitted changes" in dirty


def test_doctest_blocks_become_plain_code():
    source = ">>> x = [1,\n...      2]\n>>> len(x)\n2\n>>> print('a')\na\n"
    assert doctest_to_code(source) == "x = [1,\n     2]\nlen(x)\nprint('a')"


def test_a_doctest_that_expects_an_error_prints_it_and_goes_on():
    source = (
        ">>> int('x')\nTraceback (most recent call last):\n    ...\n"
        "ValueError: invalid literal\n>>> 1 + 1\n2\n"
    )
    code = doctest_to_code(source)
    namespace: dict = {}
    exec(code, namespace)  # does not raise
    assert code.startswith("try:\n    int('x')\nexcept ValueError as error:")


def test_a_failing_cell_names_the_page_line(tmp_path):
    page = tmp_path / "post.md"
    page.write_text(
        "---\ndate: 2026-01-01\n---\n\n# A post\n\nText.\n\n```python\nx = 1\nraise ValueError('no')\n```\n"
    )
    notebook = notebook_from_page(page, "intro", source_name="docs/blog/posts/post.md")
    path = ROOT / ".cache" / "page-notebooks" / "failing-test-page.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(nbformat.writes(notebook), encoding="utf-8")
    with pytest.raises(build_cache.JobFailed, match=r"docs/blog/posts/post\.md:11: ValueError: no"):
        build_cache.outputs([build_cache.notebook_job(path, kind="page-notebooks")])


def test_the_same_page_gives_the_same_notebook():
    """Byte for byte: the download is reproducible and the cached run keeps its key."""
    made = [nbformat.writes(notebook_from_page(POSTS[0], "intro")) for _ in range(2)]
    assert made[0] == made[1]
    nbformat.validate(nbformat.reads(made[0], as_version=4))
