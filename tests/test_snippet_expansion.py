"""The tests run exactly the code the reader sees: embeds expand as in the build."""

import markdown
import pytest
from pymdownx.snippets import SnippetPreprocessor

from tools.docs_sybil import expand_snippets
from tools.mkdocs_config import ROOT, markdown_extension_config


def test_embed_expands_to_the_marked_section():
    expanded = expand_snippets('--8<-- "snippets/activations.py:relu"')
    assert expanded.startswith("def relu(z")
    assert "def relu_derivative" in expanded
    assert "--8<--" not in expanded
    assert "def sigmoid" not in expanded


def test_expansion_matches_what_the_site_renders():
    config = markdown_extension_config("pymdownx.snippets")
    config["base_path"] = [str(ROOT / p) for p in config["base_path"]]
    md = markdown.Markdown(extensions=["pymdownx.snippets"], extension_configs={"pymdownx.snippets": config})
    line = '--8<-- "snippets/activations.py:softmax"'
    assert md.preprocessors["snippet"].run([line]) == expand_snippets(line).split("\n")


def test_missing_section_fails_loudly():
    with pytest.raises(Exception, match="no_such_section"):
        expand_snippets('--8<-- "snippets/activations.py:no_such_section"')


def test_missing_file_fails_loudly():
    with pytest.raises(Exception, match="no_such_file"):
        expand_snippets('--8<-- "snippets/no_such_file.py:x"')


def test_site_config_checks_paths():
    assert markdown_extension_config("pymdownx.snippets")["check_paths"] is True


def test_docs_show_section_markers_only_escaped():
    """pymdownx.snippets deletes every line of a page that looks like a section marker.

    A page that shows a marker to the reader must write it escaped, ``;--8<--``, which the
    build prints as ``--8<--``; unescaped, the line silently vanishes from the page.
    """
    bare = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sorted((ROOT / "docs").rglob("*.md"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if (marker := SnippetPreprocessor.RE_SNIPPET_SECTION.match(line)) and not marker.group("escape")
    ]
    assert not bare, "section markers the build would delete; escape them as ;--8<--:\n" + "\n".join(bare)


def test_escaped_marker_renders_as_written():
    expanded = expand_snippets("# ;--8<-- [start:relu]")
    assert expanded == "# --8<-- [start:relu]"
