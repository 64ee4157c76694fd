"""MkDocs hook: notebook pages that are light, self-hosted and downloadable.

Notebooks live in docs/notebooks/ as jupytext percent-format ``.py`` files (diffable
in pull requests); mkdocs-jupyter executes and renders them. This hook

- adds the ``.ipynb`` twin of each notebook as a generated file and tells the page
  template (overrides/main.html) where it is, for the download button;
- removes the MathJax and Mermaid scripts that nbconvert points at a CDN (math is
  typeset by hooks/math.py);
- makes code cells, which scroll sideways, reachable from the keyboard;
- moves the ~0.6 MB of JupyterLab CSS that nbconvert inlines into every notebook page
  into one cacheable stylesheet.
"""

from __future__ import annotations

import hashlib
import posixpath
import re

import jupytext
from mkdocs.structure.files import File
from mkdocs.utils import get_relative_url

STYLE = re.compile(r"<style[^>]*>(.*?)</style>", re.S)
SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S)
EXTERNAL_SRC = re.compile(r"""\bsrc=(["'])(https?:|//|\1)""")

_stylesheets: dict[str, str] = {}


def is_notebook(src_uri: str) -> bool:
    return src_uri.startswith("notebooks/") and src_uri.endswith(".py")


def ipynb_uri(src_uri: str) -> str:
    return posixpath.splitext(src_uri)[0] + ".ipynb"


def on_pre_build(config):
    _stylesheets.clear()


def on_files(files, config):
    for file in list(files):
        if is_notebook(file.src_uri):
            notebook = jupytext.read(file.abs_src_path)
            content = jupytext.writes(notebook, fmt="ipynb")
            files.append(File.generated(config, ipynb_uri(file.src_uri), content=content))
    return files


def _drop_cdn_script(match: re.Match) -> str:
    attributes, body = match.group(1), match.group(2)
    if EXTERNAL_SRC.search(attributes) or "MathJax" in body or "mermaid" in body:
        return ""
    return match.group(0)


def externalize_styles(content: str, page_url: str) -> str:
    """Replace the inline <style> blocks by one link to a shared stylesheet."""
    css = "\n".join(STYLE.findall(content))
    if not css:
        return content
    uri = f"assets/stylesheets/jupyter-{hashlib.sha256(css.encode()).hexdigest()[:12]}.css"
    _stylesheets[uri] = css
    link = f'<link rel="stylesheet" href="{get_relative_url(uri, page_url)}">'
    return link + STYLE.sub("", content)


def on_page_content(content, page, config, files):
    if not is_notebook(page.file.src_uri):
        return content
    content = SCRIPT.sub(_drop_cdn_script, content)
    # Code cells scroll sideways when a line is long: keyboard-reachable, like Material's own
    # code blocks (axe-core: scrollable-region-focusable).
    content = content.replace('<div class="highlight-ipynb', '<div tabindex="0" class="highlight-ipynb')
    return externalize_styles(content, page.url)


def on_page_context(context, page, config, nav):
    if is_notebook(page.file.src_uri):
        page.meta["notebook_download"] = ipynb_uri(page.file.src_uri)
    return context


def on_post_build(config):
    from pathlib import Path

    for uri, css in _stylesheets.items():
        target = Path(config["site_dir"]) / uri
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(css, encoding="utf-8")
