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
    path = create_post("Dropout from scratch", dt.date(2027, 1, 2), posts=tmp_path)
    assert path.name == "dropout-from-scratch.md"
    text = path.read_text()
    front_matter = yaml.safe_load(text.split("---")[1])
    assert front_matter["date"]["created"] == dt.date(2027, 1, 2)
    assert front_matter["slug"] == "dropout-from-scratch"
    assert front_matter["draft"] is True
    assert "# Dropout from scratch" in text
    assert "<!-- more -->" in text


def test_create_post_refuses_to_overwrite(tmp_path):
    create_post("Same title", dt.date(2027, 1, 2), posts=tmp_path)
    with pytest.raises(FileExistsError):
        create_post("Same title", dt.date(2027, 1, 3), posts=tmp_path)


def test_main_without_title_prints_usage(capsys):
    assert main([]) == 2
    assert "usage" in capsys.readouterr().err
