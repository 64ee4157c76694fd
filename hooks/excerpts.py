"""MkDocs hook: the blog renders each excerpt from the part of the post above its separator.

Material's blog plugin renders a post's whole Markdown again for every view that lists
it (the blog index, the archive, each category) and then cuts the excerpt out of the
HTML. With five posts that is fifteen full renders, code highlighting included: about a
third of a warm build. Rendering the text above ``<!-- more -->``, plus the definitions
below it that the excerpt may refer to (footnotes, link references, abbreviations),
gives the same excerpt. ``more`` (the rest of the post) is only tested for truth by the
theme, to show "Continue reading"; it stays true. tests/test_excerpts.py checks the
result against Material's own rendering.
"""

from __future__ import annotations

import re

from material.plugins.blog.structure import Excerpt

# MkDocs loads hooks again on every rebuild under `serve`: keep hold of Material's own method.
_material_render = getattr(Excerpt.render, "material_render", Excerpt.render)
DEFINITION = re.compile(r"^(?:\[\^?[^\]]+\]|\*\[[^\]]+\]):")


def definitions(markdown: str) -> str:
    """The footnote, link-reference and abbreviation definitions of ``markdown``."""
    kept, inside = [], False
    for line in markdown.splitlines():
        if DEFINITION.match(line):
            kept.append(line)
            inside = True
        elif inside and (line.startswith(("    ", "\t")) or not line.strip()):
            kept.append(line)  # a footnote's continuation
        else:
            inside = False
    return "\n".join(kept)


def render_above_separator(self, page, separator: str) -> None:
    post = self.post
    above, found, below = post.markdown.partition(separator)
    if not found:
        return _material_render(self, page, separator)
    post.markdown = above + separator + "\n\n" + definitions(below)
    try:
        _material_render(self, page, separator)
    finally:
        post.markdown = above + found + below
    self.more = below if below.strip() else None
    return None


render_above_separator.material_render = _material_render


def on_startup(command, dirty):
    Excerpt.render = render_above_separator
