"""Sybil over docs/: every python and pycon fence of every page runs, in page order.

Out of the box, Sybil collects only fences whose info string is exactly ``python`` and
would execute a ``--8<--`` embed line as Python. Here:

- ``python``, ``py``, ``python3`` and ``pycon`` fences are collected, with or without
  attributes (``python title="x.py"``), nested in admonitions and tabs too, but not a
  fence shown inside another fence (tools/fences.py);
- a ``pycon`` fence, or a python fence that starts with ``>>>``, is a doctest;
- ``--8<--`` lines are expanded by pymdownx.snippets with the options of mkdocs.yml,
  so the tests run exactly the text the reader sees.
"""

from __future__ import annotations

import doctest
import os
from functools import cache

import markdown
from sybil import Lexeme, Region, Sybil
from sybil.evaluators.doctest import DocTestEvaluator
from sybil.evaluators.python import PythonEvaluator
from sybil.parsers.abstract.doctest import DocTestStringParser
from sybil.parsers.abstract.lexers import LexerCollection
from sybil.parsers.markdown import ClearNamespaceParser, SkipParser
from sybil.parsers.markdown.lexers import DirectiveInHTMLCommentLexer

from tools.fences import find_fences
from tools.mkdocs_config import ROOT, markdown_extension_config

PYTHON_LANGUAGES = {"python", "py", "python3"}
DOCTEST_LANGUAGES = {"pycon"}
COLLECTED_LANGUAGES = PYTHON_LANGUAGES | DOCTEST_LANGUAGES
DOCS = ROOT / "docs"


@cache
def _snippet_preprocessor():
    config = markdown_extension_config("pymdownx.snippets")
    config["base_path"] = [str(ROOT / path) for path in config.get("base_path", ["."])]
    md = markdown.Markdown(extensions=["pymdownx.snippets"], extension_configs={"pymdownx.snippets": config})
    return md.preprocessors["snippet"]


def expand_snippets(source: str) -> str:
    """Expand ``--8<--`` lines exactly as the site build does."""
    if "--8<--" not in source:
        return source
    # The preprocessor reads paths relative to the working directory as well as base_path.
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        lines = _snippet_preprocessor().run(source.split("\n"))
    finally:
        os.chdir(cwd)
    return "\n".join(lines)


class DocsCodeBlockParser:
    """Yield a region for each python/pycon fence and ``invisible-code-block`` comment."""

    def __init__(self) -> None:
        self.hidden_blocks = LexerCollection(
            [
                DirectiveInHTMLCommentLexer(directive=r"invisible-code(-block)?", arguments=".+"),
            ]
        )
        self.python = PythonEvaluator()
        self.doctests = DocTestStringParser(DocTestEvaluator(doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE))

    def blocks(self, document):
        """(region, language, source) for every fence and hidden block, in page order."""
        for fence in find_fences(document.text):
            source = Lexeme(fence.source, offset=fence.content_start - fence.start, line_offset=0)
            yield Region(fence.start, fence.end), fence.language, source
        for region in self.hidden_blocks(document):
            yield region, region.lexemes["arguments"].strip(), region.lexemes["source"]

    def __call__(self, document):
        for region, language, source in self.blocks(document):
            if language not in COLLECTED_LANGUAGES:
                continue
            if language in DOCTEST_LANGUAGES or source.lstrip().startswith(">>>"):
                for example in self.doctests(source, document.path):
                    example.adjust(region, source)
                    yield example
            else:
                region.parsed = Lexeme(expand_snippets(source), source.offset, source.line_offset)
                region.evaluator = self.python
                yield region


def setup(namespace: dict) -> None:
    import matplotlib

    matplotlib.use("Agg")  # pages may plot; no window may open in CI


def teardown(namespace: dict) -> None:
    import matplotlib.pyplot as plt

    plt.close("all")


def make_sybil() -> Sybil:
    return Sybil(
        parsers=[DocsCodeBlockParser(), SkipParser(), ClearNamespaceParser()],
        path=str(DOCS),
        patterns=["*.md"],
        setup=setup,
        teardown=teardown,
        name="docs",
    )
