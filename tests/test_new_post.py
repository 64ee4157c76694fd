"""make post TITLE=...: a dated post from the template, never overwriting one."""

import datetime as dt

import pytest
import yaml

from tools.new_post import create_post, main, slugify


def test_slugify():
    assert slugify("  Dropout, from Scratch! ") == "dropout-from-scratch"
    with pytest.raises(ValueError, match="file name"):
        slugify("???")


def test_create_post_writes_front_matter_and_excerpt(tmp_path):
    path = create_post("Dropout from scratch", dt.date(2027, 1, 2), posts=tmp_path, snippets=tmp_path)
    assert path.name == "dropout-from-scratch.md"
    text = path.read_text()
    front_matter = yaml.safe_load(text.split("---")[1])
    assert front_matter["date"]["created"] == dt.date(2027, 1, 2)
    assert front_matter["slug"] == "dropout-from-scratch"
    assert front_matter["draft"] is True
    assert "# Dropout from scratch" in text
    assert "<!-- more -->" in text


def test_create_post_refuses_to_overwrite(tmp_path):
    create_post("Same title", dt.date(2027, 1, 2), posts=tmp_path, snippets=tmp_path)
    with pytest.raises(FileExistsError):
        create_post("Same title", dt.date(2027, 1, 3), posts=tmp_path, snippets=tmp_path)


def test_main_without_title_prints_usage(capsys):
    assert main([]) == 2
    assert "usage" in capsys.readouterr().err


def test_the_new_post_has_the_skeleton_of_every_post_and_its_code_runs(tmp_path):
    """Front matter, an embed of its own snippets module, a summary, exercises with a solution."""
    from tests.test_docs_errors import run_page
    from tools.mkdocs_config import ROOT

    posts = tmp_path / "blog" / "posts"
    posts.mkdir(parents=True)
    path = create_post("Scaffold check 4711", dt.date(2027, 1, 2), posts=posts, snippets=ROOT / "snippets")
    module = ROOT / "snippets" / "scaffold_check_4711.py"
    try:
        text = path.read_text()
        assert '--8<-- "snippets/scaffold_check_4711.py:mean_squared_error"' in text
        for heading in ("## Summary", "## Exercises"):
            assert f"\n{heading}\n" in text
        assert '??? success "Solution"' in text
        assert run_page(tmp_path, text, name=path.name) is None  # every block runs under Sybil
        namespace: dict = {}
        exec(module.read_text(), namespace)  # the module imports on its own
        assert namespace["mean_squared_error"] is not None
    finally:
        module.unlink(missing_ok=True)
