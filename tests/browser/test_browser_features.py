"""What a reader uses: search, the palette toggle, copy buttons, the feed, notebook downloads."""

import re
from urllib.parse import urlsplit

import defusedxml.ElementTree as ET
import jupytext
import nbformat
import pytest

pytestmark = pytest.mark.browser

SEARCH_TIMEOUT_MS = 15_000


@pytest.mark.parametrize(
    ("query", "url", "title"),
    [
        ("backpropagation", "blog/deep-learning-from-numpy/", "Deep learning from NumPy"),
        ("Sybil", "blog/every-line-runs/", "Every line of code on this site runs"),
    ],
    ids=["numpy-post", "every-line-runs"],
)
def test_search_finds_the_post(context, query, url, title):
    page = context.new_page()
    page.goto("")
    search = page.locator("input.md-search__input")
    search.click()
    search.press_sequentially(query, delay=20)
    result = page.locator("a.md-search-result__link").filter(has=page.locator("h1", has_text=title))
    result.first.wait_for(timeout=SEARCH_TIMEOUT_MS)
    paths = {urlsplit(href).path for href in result.evaluate_all("links => links.map(a => a.href)")}
    assert f"/{url}" in paths, f"search for {query!r} lists {title!r} but not at /{url}: {paths}"


@pytest.mark.reads_page("")
def test_audits_skip_the_search_index_build(audit):
    """An audited page fetches the search index (its weight counts) but its worker does not
    build it: the search tests, on pages of their own, check the search itself."""
    home = audit("")
    assert any(urlsplit(t.url).path.endswith("/search/search_index.json") for t in home.transfers)
    assert home.page.evaluate("window.__searchIndexBuildSkipped === true"), (
        "Material's search setup message was not seen: update _SKIP_SEARCH_INDEX_BUILD_JS"
    )


def _scheme(page) -> str:
    return page.locator("body").get_attribute("data-md-color-scheme")


def test_palette_toggle_switches_dark_and_light(context):
    page = context.new_page()
    page.goto("blog/")
    toggle = page.locator('[data-md-component="palette"] label:not([hidden])')
    assert _scheme(page) == "default"
    toggle.click()
    page.wait_for_function("document.body.dataset.mdColorScheme === 'slate'")
    assert page.locator('[data-md-component="palette"] label:not([hidden])').get_attribute("title") == (
        "Switch to light mode"
    )
    page.reload()  # the reader's choice is kept
    assert _scheme(page) == "slate"
    toggle.click()
    page.wait_for_function("document.body.dataset.mdColorScheme === 'default'")
    assert _scheme(page) == "default"


def test_copy_button_copies_the_code_block(new_page_context, site_url):
    context = new_page_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site_url.rstrip("/"))
    page = context.new_page()
    page.goto("blog/every-line-runs/")
    # The code blocks on screen (a content tab not selected hides its block and button).
    buttons = page.locator("article pre:visible button[data-clipboard-target]")
    assert buttons.count() >= 2, "expected copy buttons on the code blocks of the post"
    for i in range(buttons.count()):
        button = buttons.nth(i)
        target = button.get_attribute("data-clipboard-target")
        code = page.locator(target).inner_text()
        page.evaluate("navigator.clipboard.writeText('')")
        button.click()
        copied = page.wait_for_function(
            "async () => (await navigator.clipboard.readText()) || null", polling=50, timeout=5000
        ).json_value()
        assert copied.strip(), f"copy button {i} copied nothing"
        assert copied.rstrip("\n") == code.rstrip("\n"), f"copy button {i} ({target}) copied other text"


@pytest.mark.parametrize("feed", ["feed_rss_created.xml", "feed_rss_updated.xml"])
def test_rss_feed_is_valid_and_lists_every_post(context, site_url, posts, feed):
    response = context.request.get(feed)
    assert response.ok, f"{feed}: HTTP {response.status}"
    root = ET.fromstring(response.body())  # raises on XML that is not well formed
    assert root.tag == "rss"
    items = root.findall("./channel/item")
    listed = {urlsplit(item.findtext("link")).path.lstrip("/"): item.findtext("title") for item in items}
    expected = {post.url: post.title for post in posts}
    assert expected, "docs/blog/posts has no published post"
    missing, unexpected = sorted(set(expected) - set(listed)), sorted(set(listed) - set(expected))
    assert not missing, f"{feed} does not list the posts {missing}"
    assert not unexpected, f"{feed} lists pages that are not published posts: {unexpected}"
    assert listed == expected, f"{feed}: titles differ from the posts' headings"
    for item in items:
        assert item.findtext("pubDate"), f"{feed}: item {item.findtext('title')!r} has no pubDate"


def test_notebook_page_offers_its_ipynb(context, notebook, tmp_path):
    page = context.new_page()
    page.goto(f"notebooks/{notebook.stem}/")
    link = page.locator("a[download]")
    assert link.count() == 1, "a notebook page has exactly one download link"
    assert link.get_attribute("href").endswith(f"{notebook.stem}.ipynb")
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename == f"{notebook.stem}.ipynb"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    downloaded = nbformat.read(saved, as_version=4)
    nbformat.validate(downloaded)
    source = jupytext.read(notebook)
    assert [cell.source for cell in downloaded.cells] == [cell.source for cell in source.cells]


def test_search_index_has_the_reference_docstrings_not_its_source(site_dir):
    """The reference's source blocks are plain text out of the index (overrides/mkdocstrings):
    highlighted and indexed, they were 84% of the page and a third of the index."""
    import json

    docs = json.loads((site_dir / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    reference = {doc["location"]: doc["text"] for doc in docs if doc["location"].startswith("reference/")}
    assert "reference/#snippets.intro.make_line_data" in reference, "a documented function is not indexed"
    assert "n points near the line" in reference["reference/#snippets.intro.make_line_data"]
    indexed_source = [location for location, text in reference.items() if "Source code in" in text]
    assert not indexed_source, f"source blocks in the search index: {indexed_source[:5]}"
    page = (site_dir / "reference" / "index.html").read_text(encoding="utf-8")
    sources = len(re.findall(r'<details class="mkdocstrings-source" data-search-exclude(="")?>', page))
    assert sources > 50, f"the reference shows {sources} source blocks"
    assert page.count('class="mkdocstrings-source"') == sources
