"""MkDocs hook: notebook pages that are light, self-hosted and downloadable.

Notebooks live in docs/notebooks/ as jupytext percent-format ``.py`` files (diffable
in pull requests); mkdocs-jupyter executes and renders them. This hook

- adds the ``.ipynb`` twin of each notebook as a generated file and tells the page
  template (overrides/main.html) where it is, for the download button;
- removes the MathJax and Mermaid scripts that nbconvert points at a CDN (math is
  typeset by hooks/math.py);
- makes code cells, which scroll sideways, reachable from the keyboard;
- moves the ~0.6 MB of JupyterLab CSS that nbconvert inlines into every notebook page
  into one cacheable stylesheet;
- offers every blog post as a notebook, ``notebooks/posts/<name>.ipynb``, made from the
  page's own code blocks and prose in page order (tools/page_notebook.py), with a
  download button under the post's title. The notebooks are made with the file list,
  so a ``mkdocs serve --dirty`` rebuild, which renders only the edited page, keeps them.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

import jupytext
import nbformat
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File
from mkdocs.utils import get_relative_url

ROOT = Path(__file__).resolve().parent.parent

STYLE = re.compile(r"<style[^>]*>(.*?)</style>", re.S)
SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S)
EXTERNAL_SRC = re.compile(r"""\bsrc=(["'])(https?:|//|\1)""")

_stylesheets: dict[str, str] = {}
_post_notebooks: dict[str, File] = {}  # post src_uri -> its generated notebook


def _page_notebook():
    """tools/page_notebook.py, which the test suite uses too (the repository root on sys.path)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from tools import page_notebook

    return page_notebook


def is_post(src_uri: str) -> bool:
    return src_uri.startswith("blog/posts/") and src_uri.endswith(".md")


def post_notebook_uri(src_uri: str) -> str:
    return f"notebooks/posts/{posixpath.splitext(posixpath.basename(src_uri))[0]}.ipynb"


def is_notebook(src_uri: str) -> bool:
    return src_uri.startswith("notebooks/") and src_uri.endswith(".py")


def ipynb_uri(src_uri: str) -> str:
    return posixpath.splitext(src_uri)[0] + ".ipynb"


def on_pre_build(config):
    _stylesheets.clear()


@event_priority(-50)  # after the blog plugin has given each post its URL
def on_files(files, config):
    _post_notebooks.clear()
    for file in list(files):
        if is_notebook(file.src_uri):
            notebook = jupytext.read(file.abs_src_path)
            content = jupytext.writes(notebook, fmt="ipynb")
            files.append(File.generated(config, ipynb_uri(file.src_uri), content=content))
        elif is_post(file.src_uri):
            content = nbformat.writes(post_notebook(file, config, files))
            generated = File.generated(config, post_notebook_uri(file.src_uri), content=content)
            _post_notebooks[file.src_uri] = generated
            files.append(generated)
    return files


def post_notebook(file, config, files):
    """The notebook of a post: its code blocks and prose, with links into the published site."""
    tools = _page_notebook()
    path = Path(file.abs_src_path)
    page_url = (config["site_url"] or "") + file.url
    intro = tools.intro_cell(tools.page_title(path), page_url, config.extra.get("build"))
    relink = _relinker(file, config, files)
    return tools.notebook_from_page(path, intro, relink=relink, source_name=f"docs/{file.src_uri}")


def _relinker(page_file, config, files):
    """Map a link target of the page of ``page_file`` to an absolute URL of the published site."""
    site_url = config["site_url"] or ""
    base = posixpath.dirname(page_file.src_uri)

    def relink(target: str) -> str:
        if urlsplit(target).scheme or target.startswith("/"):
            return target
        path, _, anchor = target.partition("#")
        found = files.get_file_from_path(posixpath.normpath(posixpath.join(base, path))) if path else None
        if not path:
            found = page_file
        if found is None:
            return target
        return site_url + found.url + (f"#{anchor}" if anchor else "")

    return relink


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


def _download_button(page, files) -> str:
    uri = post_notebook_uri(page.file.src_uri)
    href = get_relative_url(files.get_file_from_path(uri).url, page.url)
    name = posixpath.basename(uri)
    return (
        f'<p class="dp-notebook-download"><a class="md-button" href="{href}" download>'
        f"Download this post as a notebook ({name})</a></p>"
    )


def on_page_content(content, page, config, files):
    if page.file.src_uri in _post_notebooks:
        button = _download_button(page, files)
        heading_end = content.find("</h1>")
        if heading_end == -1:
            return button + content
        return content[: heading_end + 5] + button + content[heading_end + 5 :]
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
