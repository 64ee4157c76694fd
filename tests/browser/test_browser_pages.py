"""Every page of the built site, loaded cold in Chromium: clean, self-hosted, accessible."""

import re

import pytest

pytestmark = pytest.mark.browser


def test_the_site_has_its_pages(site_page_paths):
    pages = site_page_paths
    for expected in ("", "blog/", "notebooks/", "404.html"):
        assert expected in pages, f"site/ has no page {expected or '/'!r}"


def test_page_loads_without_errors(audit, page_path):
    page = audit(page_path)
    assert page.status == 200, f"{page.url} answered HTTP {page.status}"
    assert not page.console_errors, f"console errors on {page.url}:\n" + "\n".join(page.console_errors)
    assert not page.failed_requests, f"failed requests on {page.url}:\n" + "\n".join(page.failed_requests)


def test_page_requests_only_its_own_origin(audit, page_path):
    page = audit(page_path)
    assert page.transfers, f"no network responses recorded for {page.url}"
    foreign = sorted({t.url for t in page.transfers if not audit.is_own_origin(t.url)})
    assert not foreign, f"{page.url} loads from other hosts (fonts, scripts, math must be local): {foreign}"


def test_images_have_alt_text_and_load(audit, page_path):
    page = audit(page_path)
    missing_alt = [img["src"] for img in page.images if not (img["alt"] or "").strip()]
    broken = [img["src"] for img in page.images if not (img["complete"] and img["naturalWidth"] > 0)]
    assert not missing_alt, f"images without alt text on {page.url}: {missing_alt}"
    assert not broken, f"images that did not load on {page.url}: {broken}"


def test_figures_are_images_that_load(audit, site_dir, post):
    """The SVG figures rendered by hooks/execute.py show up as loaded <img> elements."""
    figures = [
        img["src"]
        for img in audit(post.url).images
        if "/figures/" in img["src"] and img["src"].endswith(".svg")
    ]
    html = (site_dir / post.url / "index.html").read_text(encoding="utf-8")
    written = re.findall(r'<img[^>]*\bsrc="[^"]*/figures/[^"]+\.svg"', html)
    assert len(figures) == len(written), (
        f"{post.url}: {len(written)} SVG figures in the HTML, {len(figures)} shown"
    )
    broken = [
        img["src"] for img in audit(post.url).images if img["src"] in figures and not img["naturalWidth"]
    ]
    assert not broken, f"figures that did not load on {post.url}: {broken}"


def test_the_blog_has_svg_figures(site_dir):
    posts = sorted((site_dir / "blog").glob("*/index.html"))
    assert any(re.search(r'<img[^>]*\bsrc="[^"]*/figures/[^"]+\.svg"', p.read_text()) for p in posts), (
        "no SVG figure on any blog page"
    )


def test_page_has_no_serious_accessibility_violation(audit, page_path):
    page = audit(page_path)
    severe = page.severe_violations()
    assert not severe, (
        f"axe-core on {page.url}: {len(severe)} rules with serious or critical violations\n"
        + "\n".join(severe)
    )


def test_colours_contrast_in_dark_mode(shown, contrast_violations, code_page):
    """The light audit's colour checks, in dark mode, on the pages that show code: the code
    highlighting, links and buttons have colours of their own in each scheme."""
    page = shown(code_page, scheme="dark")
    assert page.evaluate("document.body.dataset.mdColorScheme") == "slate"
    severe = contrast_violations(page)
    assert not severe, f"axe-core on {page.url} in dark mode:\n" + "\n".join(severe)


def token_classes(html: str) -> set[str]:
    """The Pygments token classes of a built page's code blocks."""
    blocks = re.findall(r'<div class="[^"]*\bhighlight\b[^"]*">.*?</code>', html, re.S)
    return {name for block in blocks for name in re.findall(r'<span class="([^"]+)"', block)}


def test_dark_checked_posts_show_every_token_class(site_dir, posts, dark_checked_posts):
    used = {post.url: token_classes((site_dir / post.url / "index.html").read_text()) for post in posts}
    checked = set().union(*(used[url] for url in dark_checked_posts))
    missing = {url: sorted(classes - checked) for url, classes in used.items() if classes - checked}
    assert checked, "the dark-checked posts show no highlighted code"
    assert not missing, (
        f"token classes no dark-checked post shows (add a post to DARK_CHECKED_POSTS): {missing}"
    )


def test_each_code_colour_is_checked_though_tokens_are_checked_once(context, contrast_violations):
    """The audit checks one span per token colour: a faint colour used once is still caught."""
    page = context.new_page()
    tokens = '<span class="n">name</span> = <span class="mi">1</span>\n' * 200
    faint = '<span class="c1" style="color: #bbbbbb"># a faint comment</span>'
    page.set_content(
        '<main><article class="md-typeset"><div class="highlight"><pre><code>'
        f"{tokens}{faint}</code></pre></div></article></main>"
    )
    found = contrast_violations(page)
    assert len(found) == 1, found
    assert "c1" in found[0], found
    assert "#bbbbbb" in found[0], found
    page.evaluate("document.querySelector('.c1').style.color = '#555555'")
    assert not contrast_violations(page)


def test_each_text_look_is_checked_though_repeated_text_is_checked_once(context, contrast_violations):
    """Paragraphs that look alike are checked once: a faint one among them is still caught,
    and the text emptied for the run is back afterwards."""
    page = context.new_page()
    page.set_content(
        '<main><article class="md-typeset">'
        + "<p>Plain text, <code>code</code> and <a href='#'>a link</a>.</p>" * 200
        + '<p style="color: #bbbbbb">A faint paragraph.</p></article></main>'
    )
    text = page.inner_text("article")
    found = contrast_violations(page)
    assert len(found) == 1, found
    assert "A faint paragraph" in found[0], found
    assert page.inner_text("article") == text
    page.evaluate("document.querySelector('p[style]').style.color = '#555555'")
    assert not contrast_violations(page)


@pytest.mark.reads_page("")
def test_axe_allowances_are_still_needed(audit, axe_allowed):
    """An allowance in AXE_ALLOWED that axe no longer reports is stale: remove it."""
    seen = {
        (violation["id"], node["target"])
        for violation in audit("").axe_violations
        for node in violation["nodes"]
    }
    stale = sorted(set(axe_allowed) - seen)
    assert not stale, (
        f"axe no longer reports {stale}: remove them from AXE_ALLOWED in tests/browser/conftest.py"
    )


def test_math_is_typeset(audit, page_path):
    math = audit(page_path).math
    assert not math["rawDelimiters"], (
        f"raw TeX delimiters in the text of {page_path!r}: {math['rawDelimiters']}"
    )
    assert not math["arithmatexWithoutMath"], f"math left as TeX: {math['arithmatexWithoutMath']}"
    assert math["unrendered"] == 0, f"{math['unrendered']} of {math['count']} <math> elements have no size"


def test_there_are_pages_that_write_math(math_pages):
    assert math_pages, "no page writes math: the math checks would check nothing"


def test_pages_that_write_math_show_mathml(audit, math_page):
    assert audit(math_page).math["count"] > 0, f"the source of {math_page!r} has math but it shows no <math>"


def test_missing_url_serves_the_404_page(context, site_url):
    """A host serves 404.html at any missing URL, however deep: its assets must still load."""
    page = context.new_page()
    problems = []
    page.on("requestfailed", lambda req: problems.append(f"{req.url} ({req.failure})"))
    page.on("response", lambda r: problems.append(f"{r.url} ({r.status})") if r.status >= 400 else None)
    page.on("pageerror", lambda error: problems.append(f"uncaught: {error}"))
    missing = site_url + "blog/no-such-post/deeper/"
    response = page.goto(missing, wait_until="load")
    page.wait_for_load_state("networkidle")
    assert response.status == 404
    assert problems == [f"{missing} (404)"], problems
    assert "404" in page.locator(".md-content h1").inner_text()
    # The stylesheet applied: Material's header is sticky only when main.css loaded.
    assert page.evaluate("getComputedStyle(document.querySelector('.md-header')).position") == "sticky"
