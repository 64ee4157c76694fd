"""The built site (site/, from `make build`) in headless Chromium, served on 127.0.0.1.

One browser per session (Debian's Chromium driven by Playwright; `make browser-deps`
installs it). A session-scoped server serves site/ as GitHub Pages would (text gzipped,
404.html for a missing path). Every page is loaded once, cold, in a light-mode context,
and what the browser saw (console, network, images, math, axe-core) is kept in a
:class:`PageAudit` that the per-page tests check. The bytes each page transferred are
written to test-artifacts/page-weight.md and printed in the terminal summary.

Loading and auditing pages is what costs (Chromium's layout, axe-core, screenshots), so
each page is loaded once, by its audit, and kept open: ``shown(path, viewport, scheme)``
hands it to the tests that only read it, resized and recoloured as they ask. Under
pytest-xdist the suite runs in two halves, one per worker, and every test that reads a
page runs in the half that owns that page (``pytest_collection_modifyitems`` below, and
the scheduler in the root conftest.py), so no page is loaded twice."""

from __future__ import annotations

import functools
import gzip
import importlib.resources
import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import jupytext
import pytest
import yaml
from markdown.extensions.toc import slugify
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from tools import page_weight
from tools.browser_setup import chromium_path
from tools.fences import find_fences
from tools.mkdocs_config import ROOT

SITE = ROOT / "site"
DOCS = ROOT / "docs"
POSTS = DOCS / "blog" / "posts"
NOTEBOOKS = DOCS / "notebooks"
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 800}
MISSING_SITE = (
    "site/ is missing or has no index.html: run `make build` first (the browser tests check the built site)"
)
NO_SITE_PARAM = "site-not-built"

# axe-core from a package (axe-playwright-python bundles it): injected, never committed here.
AXE_JS = importlib.resources.files("axe_playwright_python").joinpath("axe.min.js")
# Checked in dark mode as well: between them these posts show every token class that any
# post's code uses (test_dark_checked_posts_show_every_token_class), and every post has the
# same components; the notebooks and the reference have styles of their own.
DARK_CHECKED_POSTS = (
    "blog/deep-learning-from-numpy/",
    "blog/convolutional-networks/",
    "blog/why-frameworks/",
)
SEARCH_INDEX = "/search/search_index.json"
# The path that the root conftest.py puts in each worker's input when it schedules the
# suite in halves (pytest_collection_modifyitems below).
HALVES_FLAG = "browser_halves"
SEVERE_IMPACTS = ("serious", "critical")
SHOWN_NODES = 5  # per failing rule, in a failure message

# Material 9.8.1 renders the search overlay as <div class="md-search" role="dialog"> with no
# accessible name (partials/search.html of the theme; its input does have aria-label
# "Search"). The fix belongs upstream or in a copied theme partial, which this repository
# does not keep; this one node of this one rule is allowed, on every page, and
# test_axe_allowances_are_still_needed fails once Material names the dialog.
AXE_ALLOWED = {
    ("aria-dialog-name", ".md-search"): "Material's search overlay is an unnamed role=dialog (theme markup)",
}


# --------------------------------------------------------------------------- the site's pages


def site_pages() -> list[str]:
    """Every page of the built site, as a URL path relative to the site root.

    Directory pages (``blog/every-line-runs/``) come from site/**/index.html; the 404
    page is loaded as ``404.html``, the file a host serves for a missing URL.
    """
    pages = []
    for index in sorted(SITE.rglob("index.html")):
        folder = index.parent.relative_to(SITE).as_posix()
        pages.append("" if folder == "." else f"{folder}/")
    if (SITE / "404.html").is_file():
        pages.append("404.html")
    return pages


def page_id(path: str) -> str:
    return path or "home"


def _front_matter(text: str) -> tuple[dict, str]:
    match = re.match(r"^---\s*\n(.*?)\n---\s*\n", text, re.S)
    if not match:
        return {}, text
    return yaml.safe_load(match.group(1)) or {}, text[match.end() :]


@dataclass(frozen=True)
class Post:
    source: Path
    title: str
    url: str  # relative to the site root: blog/<slug>/


def published_posts() -> list[Post]:
    """The posts of docs/blog/posts that are not drafts, with the URL the blog gives them."""
    posts = []
    for path in sorted(POSTS.glob("*.md")):
        meta, body = _front_matter(path.read_text(encoding="utf-8"))
        if meta.get("draft"):
            continue
        heading = re.search(r"^# (.+)$", body, re.M)
        title = str(meta.get("title") or (heading.group(1).strip() if heading else path.stem))
        slug = str(meta.get("slug") or slugify(title, "-"))
        posts.append(Post(source=path, title=title, url=f"blog/{slug}/"))
    return posts


def notebook_sources() -> list[Path]:
    return sorted(NOTEBOOKS.glob("*.py"))


def notebook_url(source: Path) -> str:
    return f"notebooks/{source.stem}/"


_MATH = re.compile(r"\$\$|\\\(|\\\[|(?<![\\$\w])\$(?!\s)[^$\n]+?(?<!\s)\$(?!\w)")
_INLINE_CODE = re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)", re.S)


def _has_math(markdown: str) -> bool:
    for fence in reversed(find_fences(markdown)):
        markdown = markdown[: fence.start] + markdown[fence.end :]
    return bool(_MATH.search(_INLINE_CODE.sub("", markdown)))


def pages_with_math() -> list[str]:
    """Pages whose source writes math outside code: each must show typeset MathML."""
    return list(_pages_with_math())


@functools.cache  # several tests are parametrized by it, and it reads every source
def _pages_with_math() -> tuple[str, ...]:
    pages = []
    for post in published_posts():
        if _has_math(_front_matter(post.source.read_text(encoding="utf-8"))[1]):
            pages.append(post.url)
    for source in notebook_sources():
        cells = jupytext.read(source).cells
        if any(cell.cell_type == "markdown" and _has_math(cell.source) for cell in cells):
            pages.append(notebook_url(source))
    for path in sorted(DOCS.rglob("*.md")):
        relative = path.relative_to(DOCS)
        if relative.parts[:2] == ("blog", "posts"):
            continue
        folder = (
            relative.parent.as_posix() if relative.stem == "index" else relative.with_suffix("").as_posix()
        )
        if _has_math(_front_matter(path.read_text(encoding="utf-8"))[1]):
            pages.append("" if folder == "." else f"{folder}/")
    return tuple(pages)


def pytest_generate_tests(metafunc):
    """Parametrize over the site: ``page_path`` (built pages), ``post``, ``math_page`` (pages
    whose source writes math), ``code_page`` (the pages that show code) and ``notebook``."""
    if "page_path" in metafunc.fixturenames:
        # Without site/ the one parameter fails in the site_dir fixture: "run make build".
        pages = site_pages() if (SITE / "index.html").is_file() else [NO_SITE_PARAM]
        metafunc.parametrize("page_path", pages, ids=page_id)
    if "post" in metafunc.fixturenames:
        posts = published_posts()
        metafunc.parametrize("post", posts, ids=[post.url.split("/")[1] for post in posts])
    if "math_page" in metafunc.fixturenames:
        metafunc.parametrize("math_page", pages_with_math(), ids=page_id)
    if "code_page" in metafunc.fixturenames:
        pages = [*DARK_CHECKED_POSTS, *(notebook_url(source) for source in notebook_sources()), "reference/"]
        metafunc.parametrize("code_page", pages, ids=page_id)
    if "notebook" in metafunc.fixturenames:
        sources = notebook_sources()
        metafunc.parametrize("notebook", sources, ids=[source.stem for source in sources])


# ------------------------------------------------------------------------- server and browser


# Text types a host such as GitHub Pages sends gzip-compressed; images like PNG are not.
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "application/xml", "image/svg+xml")


@functools.cache
def _gzipped(path: Path, mtime_ns: int) -> bytes:
    return gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)


class _SiteHandler(SimpleHTTPRequestHandler):
    """Static files from site/, served like GitHub Pages serves them.

    Text is gzip-compressed when the browser accepts it, so the bytes the browser reports
    are what a reader downloads; a missing path gets 404.html with status 404.
    """

    protocol_version = "HTTP/1.1"

    def do_GET(self):
        self._serve(send_body=True)

    def do_HEAD(self):
        self._serve(send_body=False)

    def _serve(self, send_body: bool) -> None:
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not self.path.split("?", 1)[0].endswith("/"):  # the redirect to "dir/"
                super().do_GET() if send_body else super().do_HEAD()
                return
            path = path / "index.html"
        if not path.is_file():
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        self._send(HTTPStatus.OK, path, send_body)

    def _send(self, status: int, path: Path, send_body: bool) -> None:
        content_type = self.guess_type(str(path))
        compress = "gzip" in self.headers.get("Accept-Encoding", "") and content_type.startswith(COMPRESSIBLE)
        body = _gzipped(path, path.stat().st_mtime_ns) if compress else path.read_bytes()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if compress:
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def send_error(self, code, message=None, explain=None):
        not_found = Path(self.directory) / "404.html"
        if code == HTTPStatus.NOT_FOUND and not_found.is_file():
            self._send(code, not_found, self.command != "HEAD")
        else:
            super().send_error(code, message, explain)

    def log_message(self, format, *args):  # quiet: the browser's view is what the tests check
        pass


class _SiteServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # The browser may drop a keep-alive connection when a page closes: not an error.
        pass


@pytest.fixture(scope="session")
def site_dir() -> Path:
    if not (SITE / "index.html").is_file():
        pytest.fail(MISSING_SITE, pytrace=False)
    return SITE


@pytest.fixture(scope="session")
def site_url(site_dir: Path) -> Iterator[str]:
    """http://127.0.0.1:<free port>/ serving site/ until the session ends."""
    server = _SiteServer(("127.0.0.1", 0), functools.partial(_SiteHandler, directory=str(site_dir)))
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    executable = chromium_path()
    if executable is None:
        pytest.fail(
            "Chromium is not installed: run `make browser-deps` (python -m tools.browser_setup)",
            pytrace=False,
        )
    # launch() starts from a fresh, temporary user data directory.
    browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


def new_context(browser: Browser, site_url: str, **options) -> BrowserContext:
    options.setdefault("viewport", VIEWPORT)
    options.setdefault("color_scheme", "light")
    return browser.new_context(base_url=site_url, **options)


@pytest.fixture(scope="session")
def site_page_paths(site_dir: Path) -> list[str]:
    return site_pages()


@pytest.fixture(scope="session")
def posts() -> list[Post]:
    return published_posts()


@pytest.fixture(scope="session")
def math_pages() -> list[str]:
    return pages_with_math()


@pytest.fixture(scope="session")
def dark_checked_posts() -> tuple[str, ...]:
    return DARK_CHECKED_POSTS


@pytest.fixture(scope="session")
def axe_allowed() -> dict[tuple[str, str], str]:
    return AXE_ALLOWED


@pytest.fixture
def new_page_context(browser: Browser, site_url: str) -> Iterator:
    """``new_page_context(**options)``: a fresh context (light, 1280x800 unless told).

    Every context it made is closed after the test.
    """
    contexts: list[BrowserContext] = []

    def make(**options) -> BrowserContext:
        contexts.append(new_context(browser, site_url, **options))
        return contexts[-1]

    yield make
    for ctx in contexts:
        ctx.close()


@pytest.fixture
def context(new_page_context) -> BrowserContext:
    """A fresh light-mode context for one test (no cookies, storage or cache from others)."""
    return new_page_context()


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


# ------------------------------------------------------------------------------ page audits


@dataclass
class Transfer:
    url: str
    resource_type: str
    status: int | None
    bytes: int  # the response body as transferred (gzip-compressed where the server compressed it)
    decoded_bytes: int  # the same body, uncompressed


@dataclass
class PageAudit:
    """What the browser saw while loading one page, cold, and what it found in it."""

    path: str
    url: str
    status: int | None = None
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    transfers: list[Transfer] = field(default_factory=list)
    images: list[dict] = field(default_factory=list)
    math: dict = field(default_factory=dict)
    axe_violations: list[dict] = field(default_factory=list)
    # The loaded page itself, left open for the tests that only read it (see `shown`).
    page: Page | None = field(default=None, repr=False, compare=False)

    @property
    def total_bytes(self) -> int:
        return sum(transfer.bytes for transfer in self.transfers)

    @property
    def total_decoded_bytes(self) -> int:
        return sum(transfer.decoded_bytes for transfer in self.transfers)

    def bytes_of(self, *resource_types: str) -> int:
        return sum(t.bytes for t in self.transfers if t.resource_type in resource_types)

    def severe_violations(self) -> list[str]:
        return severe_violations(self.axe_violations)


def severe_violations(violations: list[dict]) -> list[str]:
    """axe-core violations of impact serious or critical, less those in AXE_ALLOWED.

    One entry per rule: what it checks, how many nodes fail, the first few of them.
    """
    found = []
    for violation in violations:
        if violation["impact"] not in SEVERE_IMPACTS:
            continue
        nodes = [n for n in violation["nodes"] if (violation["id"], n["target"]) not in AXE_ALLOWED]
        if not nodes:
            continue
        lines = [
            f"{violation['id']} ({violation['impact']}, {len(nodes)} nodes): {violation['help']}"
            f" <{violation['helpUrl'].split('?')[0]}>"
        ]
        for node in nodes[:SHOWN_NODES]:
            summary = " ".join(node["summary"].split())
            lines.append(f"    {node['target']}: {' '.join(node['html'].split())[:120]}\n      {summary}")
        found.append("\n".join(lines))
    return found


_IMAGES_JS = """async () => {
  const images = [...document.images];
  await Promise.all(images.map((img) => img.complete ? null : new Promise((done) => {
    img.addEventListener("load", done, {once: true});
    img.addEventListener("error", done, {once: true});
  })));
  return images.map((img) => ({
    src: img.currentSrc || img.src,
    alt: img.getAttribute("alt"),
    naturalWidth: img.naturalWidth,
    complete: img.complete,
  }));
}"""

_MATH_JS = r"""() => {
  const content = document.querySelector(".md-content") || document.body;
  const maths = [...content.querySelectorAll("math")];
  // The whole page, not only the content: a heading's formula is also a title in the
  // table of contents, and the navigation shows page titles.
  const prose = document.body.cloneNode(true);
  prose.querySelectorAll("pre, code, math, script, style, kbd, samp").forEach((el) => el.remove());
  const text = prose.textContent;
  return {
    count: maths.length,
    unrendered: maths.filter((m) => {
      const box = m.getBoundingClientRect();
      return !(box.width > 0 && box.height > 0);
    }).length,
    arithmatexWithoutMath: [...content.querySelectorAll(".arithmatex")]
      .filter((el) => !el.querySelector("math")).map((el) => el.textContent.trim().slice(0, 80)),
    rawDelimiters: ["$$", "\\[", "\\]", "\\(", "\\)"].filter((d) => text.includes(d)),
  };
}"""

# axe-core's colour-contrast rule costs about 1 ms per text element, and a page shows the
# same few colours thousands of times: a post's code blocks hold thousands of token <span>s
# in a few dozen colours, its formulas thousands of MathML elements in the colour of the
# text around them, and the reference hundreds of paragraphs and inline codes alike. So the
# rule runs on a sample, and every other rule on the page as it is:
# - code blocks and formulas are flattened to plain text (in their own colour, checked),
#   except those that hold a first sample: of each token class (on a highlighted line too,
#   whose background differs), and of each text colour on each background for formulas.
#   A block that holds samples keeps them, and the spans around them; its other tokens
#   become plain text too. No rule but colour contrast reads a token's span.
# - then, for colour contrast alone, of the elements that show text in the same colour,
#   size, weight, shadow and opacity on the same background, the first keeps its text and
#   the others are emptied for the run. Emptied text cannot fail, and its look has been
#   checked once.
# Everything is put back after the runs. Every colour is still checked on each of its
# backgrounds, once per page instead of thousands of times (a post's audit: 4.5 s to about
# 1 s). Where the token spans are: a post's code blocks, the reference's signatures and a
# notebook's code cells.
CODE_BLOCKS = ".md-typeset .highlight code, .md-typeset code.highlight, .md-typeset .highlight-ipynb pre"
_AXE_JS = """async ([contrastOnly, codeBlocks]) => {
  const backgrounds = new Map();
  const background = (el) => {
    if (!el) return "the canvas";
    if (!backgrounds.has(el)) {
      const style = getComputedStyle(el);
      backgrounds.set(el, style.backgroundImage !== "none" ? `${style.backgroundImage} of ${el.className}`
        : style.backgroundColor !== "rgba(0, 0, 0, 0)" ? style.backgroundColor
        : background(el.parentElement));
    }
    return backgrounds.get(el);
  };
  const opacities = new Map();
  const opacity = (el) => {
    if (!el) return 1;
    if (!opacities.has(el)) {
      opacities.set(el, Number(getComputedStyle(el).opacity) * opacity(el.parentElement));
    }
    return opacities.get(el);
  };
  const shown = (el) => el.textContent.trim() && el.getClientRects().length;
  const kinds = new Set();
  const keep = new Set();
  const samples = new Set();
  const sample = (box, el, kind) => {
    if (!kinds.has(kind) && shown(el)) {
      kinds.add(kind);
      keep.add(box);
      samples.add(el);
    }
  };
  const blocks = [...document.querySelectorAll(codeBlocks)];
  for (const code of blocks) {
    for (const span of code.querySelectorAll("span")) {
      sample(code, span, span.className + (span.closest(".hll") ? " on .hll" : ""));
    }
  }
  const maths = [...document.querySelectorAll(".md-typeset math")];
  for (const math of maths) {
    sample(math, math, `math in ${getComputedStyle(math).color} on ${background(math)}`);
  }
  const flattened = [...blocks, ...maths].filter((el) => !keep.has(el)).map((el) => [el, el.innerHTML]);
  for (const [el] of flattened) el.textContent = el.textContent;
  const around = new Set();
  for (const el of samples) {
    if (keep.has(el)) continue;  // a formula: its own box
    for (let up = el.parentElement; up && !keep.has(up); up = up.parentElement) around.add(up);
  }
  const thin = (el) => {
    for (const child of [...el.children]) {
      if (around.has(child)) thin(child);
      else if (!samples.has(child)) child.replaceWith(child.textContent);
    }
  };
  const thinned = blocks.filter((el) => keep.has(el)).map((el) => [el, el.innerHTML]);
  for (const [el] of thinned) thin(el);
  flattened.push(...thinned);
  // Read every element's look first, then empty: a write between two reads would make
  // Chromium lay the page out again for each.
  const emptied = [];
  const sampleText = () => {
    const seen = new Set();
    const repeated = [];
    for (const el of document.body.querySelectorAll("*")) {
      const texts = [...el.childNodes].filter((node) => node.nodeType === 3 && node.nodeValue.trim());
      if (!texts.length || !el.getClientRects().length) continue;
      const style = getComputedStyle(el);
      const look = [style.color, style.fontSize, style.fontWeight, style.textShadow,
        opacity(el), background(el)].join(" | ");
      if (seen.has(look)) repeated.push(...texts);
      else seen.add(look);
    }
    for (const node of repeated) {
      emptied.push([node, node.nodeValue]);
      node.nodeValue = "";
    }
  };
  const options = {resultTypes: ["violations"]};
  let violations = [];
  try {
    if (!contrastOnly) {
      const others = await axe.run(document, {...options, rules: {"color-contrast": {enabled: false}}});
      violations = others.violations;
    }
    sampleText();
    const contrast = await axe.run(document, {...options, runOnly: ["color-contrast"]});
    violations = violations.concat(contrast.violations);
  } finally {
    for (const [node, text] of emptied) node.nodeValue = text;
    for (const [el, html] of flattened) el.innerHTML = html;
  }
  return violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({
      target: n.target.join(" "), impact: n.impact, html: n.html.slice(0, 200),
      summary: (n.failureSummary || "").slice(0, 300),
    })),
  }));
}"""


def axe_violations(page: Page, axe_source: str, contrast_only: bool = False) -> list[dict]:
    """axe-core's violations on a loaded page: every rule, or colour contrast only."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(content=axe_source)
    return page.evaluate(_AXE_JS, [contrast_only, CODE_BLOCKS])


def _body_sizes(response) -> tuple[int, int]:
    """(transferred, uncompressed) bytes of one response body, as the browser received it."""
    sent = response.request.sizes()["responseBodySize"]
    if sent <= 0:
        # Chromium reports no size for a worker's own script; the header says what was sent.
        sent = int(response.header_value("content-length") or 0)
    try:
        decoded = len(response.body())
    except Exception:  # a redirect has no body to read
        decoded = 0
    return max(sent, 0), decoded


class Auditor:
    """Loads each page once, lazily, and keeps its :class:`PageAudit`."""

    def __init__(self, browser: Browser, site_url: str):
        self.site_url = site_url
        self.origin = urlsplit(site_url)[:2]
        self._context = new_context(browser, site_url)
        self._context.add_init_script(_FORGET_PALETTE_JS)
        self._context.add_init_script(_SKIP_SEARCH_INDEX_BUILD_JS)
        self._audits: dict[str, PageAudit] = {}
        self.axe_source = AXE_JS.read_text(encoding="utf-8")

    def close(self) -> None:
        self._context.close()

    @property
    def audits(self) -> list[PageAudit]:
        return list(self._audits.values())

    def __call__(self, path: str) -> PageAudit:
        if path not in self._audits:
            self._audits[path] = self._audit(path)
        return self._audits[path]

    def is_own_origin(self, url: str) -> bool:
        return urlsplit(url)[:2] == self.origin

    def _audit(self, path: str) -> PageAudit:
        page = self._context.new_page()
        try:
            audit = self._load(page, path)
        except BaseException:
            page.close()
            raise
        audit.page = page
        return audit

    def _load(self, page: Page, path: str) -> PageAudit:
        audit = PageAudit(path=path, url=self.site_url + path)
        responses = []
        page.on("console", lambda msg: audit.console_errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda error: audit.console_errors.append(f"uncaught: {error}"))
        page.on("requestfailed", lambda req: audit.failed_requests.append(f"{req.url} ({req.failure})"))
        page.on("response", lambda resp: responses.append(resp))
        # A cold load every time: what a first-time reader downloads for this page.
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})

        # The search index is the last request, after "load": wait for it rather than for
        # half a second of network silence ("networkidle"), which cost 0.5 s a page.
        with page.expect_response(lambda r: urlsplit(r.url).path.endswith(SEARCH_INDEX)) as index:
            response = page.goto(audit.url, wait_until="load")
        index.value.finished()
        audit.status = response.status if response else None
        audit.images = page.evaluate(_IMAGES_JS)
        audit.math = page.evaluate(_MATH_JS)
        audit.axe_violations = axe_violations(page, self.axe_source)

        for resp in responses:
            try:
                sent, decoded = _body_sizes(resp)
            except Exception as error:  # a response the browser could not finish reading
                audit.failed_requests.append(f"{resp.url} (body unreadable: {error})")
                sent = decoded = 0
            audit.transfers.append(Transfer(resp.url, resp.request.resource_type, resp.status, sent, decoded))
            if resp.status >= 400:
                audit.failed_requests.append(f"{resp.url} (HTTP {resp.status})")
        cdp.detach()
        return audit


class ShownPages:
    """Pages as a reader sees them, each loaded once: the audit's own page, resized and
    recoloured for each test that asks for another window size or colour scheme.

    A size is set by resizing the window; the layout follows, as when a reader resizes it.
    A scheme is set as Material sets it when a reader's system preference says dark: the
    preference is emulated, then Material's palette input for that preference is chosen,
    which sets the same attributes its start-up script sets from the preference. (The
    audit's context forgets the palette that Material then stores, so that the next page
    it loads starts from the system preference again.)

    The tests that only read a page share it, so they must leave it as they found it (it
    is scrolled back to the top for each); a test that clicks, types or navigates opens
    its own page.
    """

    def __init__(self, auditor: Auditor):
        self._auditor = auditor
        self._looks: dict[str, tuple[int, int, str]] = {}

    def __call__(self, path: str, viewport: dict = VIEWPORT, scheme: str = "light") -> Page:
        page = self._auditor(path).page
        was = self._looks.get(path, (VIEWPORT["width"], VIEWPORT["height"], "light"))
        if (viewport["width"], viewport["height"]) != was[:2]:
            page.set_viewport_size(viewport)
        if scheme != was[2]:
            page.emulate_media(color_scheme=scheme)
            page.evaluate(_PREFERRED_PALETTE_JS, scheme)
        self._looks[path] = (viewport["width"], viewport["height"], scheme)
        page.evaluate(_SETTLE_JS)
        return page


# Material's palette inputs each name the media query they answer; choosing one applies its
# palette (data-md-color-* attributes on <body>), as a reader's click on the toggle does.
_PREFERRED_PALETTE_JS = """(scheme) => {
  const input = document.querySelector(
    `input[data-md-color-media="(prefers-color-scheme: ${scheme})"]`);
  if (!input) throw new Error(`no palette input for (prefers-color-scheme: ${scheme})`);
  if (!input.checked) input.click();
}"""

# Every page fetches the search index and hands it to Material's search worker, which builds
# it (lunr, about 0.3 s of CPU a load, the same work on every page). The audits keep the
# fetch, whose bytes count in the page weight, and drop the hand-over (Material's setup
# message, type 0, that carries the index's docs), so the worker idles while axe-core runs.
# The search tests open pages of their own, with the worker at work; test_audits_skip_the_
# search_index_build fails if Material's message changes and nothing is dropped.
_SKIP_SEARCH_INDEX_BUILD_JS = """const postMessage = Worker.prototype.postMessage;
Worker.prototype.postMessage = function (message, ...options) {
  if (message && message.type === 0 && Array.isArray(message.data?.docs)) {
    window.__searchIndexBuildSkipped = true;
    return;
  }
  return postMessage.call(this, message, ...options);
};"""


# Material keeps the chosen palette in localStorage, under a key ending in ".__palette", and
# a page that loads later in the same context would start from it. Forgotten before each
# page's own scripts run, so that every audit is a first-time reader's load, whose palette
# follows the system preference.
_FORGET_PALETTE_JS = """for (const key of Object.keys(localStorage)) {
  if (key.endsWith(".__palette")) localStorage.removeItem(key);
}"""


# Fonts loaded, back at the top, two frames drawn and every transition run to its end: a
# resize has been laid out, a new palette's colours are final, and Material's header tabs,
# which fade out while the page is scrolled (a full-page screenshot scrolls it), are back.
# Finishing a transition shows its end state at once, as the screenshots' "disabled"
# animations do, instead of waiting for it.
_SETTLE_JS = """async () => {
  await document.fonts.ready;
  window.scrollTo(0, 0);
  await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  for (const animation of document.getAnimations()) {
    try { animation.finish(); } catch (infinite) { /* a looping animation has no end */ }
  }
}"""


# --------------------------------------------------------------- the suite in two halves

# Rough cost of a page in the suite: its audit (a load and axe-core) and a full-page
# screenshot each weigh about as much as a few of the tests that only read the page.
_LOAD_WEIGHT = 4
_SCREENSHOT_WEIGHT = 3
_OWN_PAGE_WEIGHT = 3  # a test that opens a page of its own


def page_read(item) -> str | None:
    """The site page a browser test reads through ``audit`` or ``shown``, or None.

    From its ``reads_page`` marker, else from its parameters (``page_path``, ``math_page``,
    ``code_page``, ``path``, or ``post``'s URL).
    """
    marker = item.get_closest_marker("reads_page")
    if marker:
        return marker.args[0]
    params = getattr(getattr(item, "callspec", None), "params", {})
    for name in ("page_path", "math_page", "code_page", "path"):
        if name in params:
            return params[name]
    if "post" in params:
        return params["post"].url
    return None


def split_in_two(items) -> dict[int, int]:
    """Half 0 or 1 for each browser test (by index in ``items``): a page and every test
    that reads it in the same half, the halves about equally heavy (largest first)."""
    weights: dict[str | None, float] = {}
    for item in items:
        page = page_read(item)
        if page is None:
            weights[None] = weights.get(None, 0) + _OWN_PAGE_WEIGHT
            continue
        weight = weights.get(page, _LOAD_WEIGHT) + 1
        if "screenshot" in item.name:
            weight += _SCREENSHOT_WEIGHT
        weights[page] = weight
    halves = [0.0, 0.0]
    half_of: dict[str | None, int] = {}
    for page, weight in sorted(weights.items(), key=lambda kv: (-kv[1], kv[0] or "")):
        half = 0 if halves[0] <= halves[1] else 1
        half_of[page] = half
        halves[half] += weight
    return {index: half_of[page_read(item)] for index, item in enumerate(items)}


# The order in which a page's looks come: each step is one resize or palette switch.
_LOOK_ORDER = (("desktop", "light"), ("phone", "light"), ("phone", "dark"), ("desktop", "dark"))


def look_of(item) -> tuple[str, str]:
    """The window and scheme a browser test asks ``shown`` for, from its parameters or its
    name ("phone", "dark"); a guess, used only to order the tests."""
    params = getattr(getattr(item, "callspec", None), "params", {})
    viewport = params.get("viewport", VIEWPORT)
    phone = "phone" in item.name or viewport["width"] < VIEWPORT["width"]
    dark = "dark" in item.name or params.get("scheme") == "dark"
    return ("phone" if phone else "desktop", "dark" if dark else "light")


def order_by_page_and_look(items) -> None:
    """Put the browser tests of each page together, in the order of _LOOK_ORDER, so that
    a shared page is resized and recoloured a few times instead of once every few tests.
    The order is the same in every process (xdist requires that)."""
    positions = [index for index, item in enumerate(items) if item.nodeid.startswith("tests/browser/")]
    browser = [items[index] for index in positions]
    browser.sort(key=lambda item: (page_read(item) or "", _LOOK_ORDER.index(look_of(item))))
    for index, item in zip(positions, browser, strict=True):
        items[index] = item


def pytest_collection_modifyitems(config, items):
    """Order the browser tests by page and look; under the root conftest.py's scheduler,
    write down the half of each.

    The scheduler runs in pytest-xdist's controller, which sees node ids only; each worker
    collects the same tests, computes the same halves and writes them, as JSON
    ``{node id: half}``, to its own file beside the path that the controller put in the
    worker's input. Collection ends (and the controller schedules) after this hook.
    """
    order_by_page_and_look(items)
    target = getattr(config, "workerinput", {}).get(HALVES_FLAG)
    if not target:
        return
    browser_items = [item for item in items if item.nodeid.startswith("tests/browser/")]
    halves = {browser_items[index].nodeid: half for index, half in split_in_two(browser_items).items()}
    path = Path(f"{target}.{config.workerinput['workerid']}")
    path.write_text(json.dumps(halves), encoding="utf-8")


def page_weight_table(audits: list[PageAudit]) -> str:
    rows = list(page_weight.HEADER)

    def kb(n: int) -> str:
        return f"{n / 1000:,.1f} kB"

    for audit in sorted(audits, key=lambda a: (a.path == "404.html", a.path)):
        rows.append(
            f"| {audit.path or '/'} | {len(audit.transfers)} | {kb(audit.bytes_of('document'))} "
            f"| {kb(audit.bytes_of('stylesheet'))} | {kb(audit.bytes_of('script'))} "
            f"| {kb(audit.bytes_of('font'))} | {kb(audit.bytes_of('image'))} "
            f"| {kb(audit.bytes_of('fetch', 'xhr', 'other'))} "
            f"| **{kb(audit.total_bytes)}** | {kb(audit.total_decoded_bytes)} |"
        )
    return "\n".join(rows)


def _worker_name(config) -> str:
    return getattr(config, "workerinput", {}).get("workerid", "main")


@pytest.fixture(scope="session")
def audit(browser: Browser, site_url: str, request) -> Iterator[Auditor]:
    """``audit(path)``: the :class:`PageAudit` of one page, loaded on first use.

    Each process writes the rows of the pages it audited; the process that reports
    (the only one, or pytest-xdist's controller) joins them into page-weight.md.
    """
    auditor = Auditor(browser, site_url)
    yield auditor
    auditor.close()
    if auditor.audits:
        rows = page_weight_table(auditor.audits).splitlines()[2:]
        page_weight.write_rows(rows, _worker_name(request.config))


@pytest.fixture(scope="session")
def shown(audit: Auditor) -> ShownPages:
    """``shown(path, viewport=..., scheme=...)``: the loaded page, shared by read-only tests."""
    return ShownPages(audit)


@pytest.fixture(scope="session")
def contrast_violations(audit: Auditor):
    """``contrast_violations(page)``: axe-core's serious colour-contrast failures on a page."""

    def check(page: Page) -> list[str]:
        return severe_violations(axe_violations(page, audit.axe_source, contrast_only=True))

    return check
