"""Page weight of each post, and screenshots for people to look at (test-artifacts/)."""

import pytest

pytestmark = pytest.mark.browser

POST_BUDGET_BYTES = 1_000_000  # 1 MB, figures, scripts, styles and search index included
SCREENSHOT_POST = "blog/every-line-runs/"
# Whole pages are tens of thousands of pixels tall: JPEG encodes them in half PNG's time.
JPEG_SIGNATURE = b"\xff\xd8\xff"


def test_blog_post_weighs_under_1_mb(audit, post):
    page = audit(post.url)
    assert page.status == 200, f"{page.url}: HTTP {page.status}"
    figures = {img["src"] for img in page.images if "/figures/" in img["src"]}
    counted = {t.url for t in page.transfers if t.url in figures and t.bytes > 0}
    assert counted == figures, f"figures missing from the weight of {post.url}: {sorted(figures - counted)}"
    heaviest = sorted(page.transfers, key=lambda t: t.bytes, reverse=True)[:5]
    assert page.total_bytes < POST_BUDGET_BYTES, (
        f"{post.url} transfers {page.total_bytes:,} bytes (budget {POST_BUDGET_BYTES:,}); heaviest: "
        + ", ".join(f"{t.url.rsplit('/', 2)[-2:]} {t.bytes:,}" for t in heaviest)
    )


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(("name", "path"), [("home", ""), ("post", SCREENSHOT_POST)], ids=["home", "post"])
def test_screenshot(shown, screenshot_dir, name, path, scheme):
    """The reader's system preference picks the palette; the screenshot shows the whole page."""
    page = shown(path, scheme=scheme)
    page.wait_for_load_state("networkidle")
    expected = {"light": "default", "dark": "slate"}[scheme]
    assert page.locator("body").get_attribute("data-md-color-scheme") == expected
    target = screenshot_dir / f"{name}-{scheme}.jpg"
    page.screenshot(path=target, full_page=True, type="jpeg", quality=85, animations="disabled")
    data = target.read_bytes()
    assert data.startswith(JPEG_SIGNATURE), f"{target} is not a JPEG"
    assert len(data) > 10_000, f"{target} is too small to show a page"
