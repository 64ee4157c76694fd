"""Math and layout as a reader sees them.

The math font is the site's own and loads wherever there is math; display equations and
code fit the column on a 1,280-px window; on a 360-px phone no page scrolls sideways, and
what cannot fit scrolls inside its own box. The formula gallery (the Notation page) is
checked by geometry: limits under and over the sum, the hat on its letter, the prime at
full size, equals signs of a derivation in one column. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from latex2mathml.converter import convert

from snippets import features
from tools.mkdocs_config import load_hook

pytestmark = pytest.mark.browser

math_hook = load_hook("math")

FONT_FAMILY = "STIX Two Math"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
GALLERY = "notation/"
SCREENSHOT_PAGES = {
    "notation": GALLERY,
    "numpy-post": "blog/deep-learning-from-numpy/",
    "conv-post": "blog/convolutional-networks/",
}
FIGURE_POST = "blog/convolutional-networks/"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Whole pages are tens of thousands of pixels tall: JPEG encodes them in half PNG's time.
JPEG_SIGNATURE = b"\xff\xd8\xff"


# ----------------------------------------------------------------------------- the font

_FONT_JS = """async (family) => {
  await document.fonts.ready;
  const maths = [...document.querySelectorAll(".md-content math")];
  return {
    count: maths.length,
    faces: [...document.fonts].filter((f) => f.family.replace(/"/g, "") === family).map((f) => f.status),
    families: [...new Set(maths.map((m) => getComputedStyle(m).fontFamily))],
    drawable: document.fonts.check(`16px "${family}"`, "\\u2211"),
  };
}"""


def test_math_font_is_loaded_from_the_site(audit, shown, site_url, math_page):
    found = shown(math_page).evaluate(_FONT_JS, FONT_FAMILY)
    assert found["count"] > 0, f"{math_page}: no <math> on a page whose source writes math"
    assert found["faces"] == ["loaded"], (
        f"{math_page}: {FONT_FAMILY} faces in document.fonts: {found['faces']}"
    )
    assert found["drawable"], f"{math_page}: document.fonts cannot draw ∑ with {FONT_FAMILY}"
    assert all(family.startswith(f'"{FONT_FAMILY}"') for family in found["families"]), (
        f"{math_page}: math drawn with {found['families']}, expected {FONT_FAMILY} first"
    )
    fonts = [t for t in audit(math_page).transfers if t.resource_type == "font"]
    served = [t for t in fonts if urlsplit(t.url).path.endswith(math_hook.FONT_PATH)]
    assert served, f"{math_page}: the font was not loaded from the site: {[t.url for t in fonts]}"
    assert all(t.url.startswith(site_url) and t.status == 200 for t in served), [
        (t.url, t.status) for t in served
    ]


def test_post_weight_includes_the_math_font(audit, post):
    page = audit(post.url)
    if page.math["count"] == 0:
        assert not any(math_hook.FONT_PATH in t.url for t in page.transfers), (
            "font loaded on a page without math"
        )
        return
    font = [t for t in page.transfers if urlsplit(t.url).path.endswith(math_hook.FONT_PATH)]
    assert font, f"{post.url}: the math font is missing from the page's transfers"
    assert font[0].bytes > 0, f"{post.url}: the math font transferred no bytes"


# ------------------------------------------------------------------------ desktop layout

_DISPLAY_MATH_JS = """() => [...document.querySelectorAll(".md-content math[display=block]")]
.map((math, index) => {
  const box = math.closest("div.arithmatex") || math.parentElement;
  const style = getComputedStyle(box);
  return {
    index,
    text: math.textContent.replace(/\\s+/g, " ").trim().slice(0, 60),
    // A display <math> is a block as wide as its column; its content is its children.
    mathWidth: Math.max(...[...math.children].map((c) => c.getBoundingClientRect().right))
      - Math.min(...[...math.children].map((c) => c.getBoundingClientRect().left)),
    boxRight: box.getBoundingClientRect().right,
    scrollWidth: box.scrollWidth,
    clientWidth: box.clientWidth,
    scrolls: ["auto", "scroll"].includes(style.overflowX),
    cue: style.backgroundImage.includes("gradient"),
  };
})"""


def _overflows(equation: dict) -> bool:
    return (
        equation["scrollWidth"] > equation["clientWidth"]
        or equation["mathWidth"] > equation["clientWidth"] + 0.5
    )


def test_display_math_fits_the_column_on_a_desktop(shown, math_page):
    equations = shown(math_page).evaluate(_DISPLAY_MATH_JS)
    wide = [
        f"equation {e['index']} ({e['text']!r}) is {e['mathWidth']:.0f} px in a {e['clientWidth']} px column"
        for e in equations
        if _overflows(e)
    ]
    assert not wide, f"{math_page} at 1,280 px: write these as aligned lines:\n" + "\n".join(wide)


_CODE_JS = """() => {
  // Every block, as if the reader had opened each note and each content tab; then the page
  // is put back as it was, for the other tests that read it.
  const closed = [...document.querySelectorAll(".md-content details:not([open])")];
  closed.forEach((d) => { d.open = true; });
  const show = document.createElement("style");
  show.textContent = ".tabbed-set > .tabbed-content > .tabbed-block { display: block !important; }";
  document.head.append(show);
  const blocks = [...document.querySelectorAll(".md-content pre > code")].map((code, index) => ({
    index,
    scrollWidth: code.scrollWidth,
    clientWidth: code.clientWidth,
    longest: code.innerText.split("\\n").reduce((a, b) => (b.length > a.length ? b : a), ""),
  }));
  show.remove();
  closed.forEach((d) => { d.open = false; });
  return blocks;
}"""


def test_no_code_block_scrolls_sideways_on_a_desktop(shown, post):
    blocks = shown(post.url).evaluate(_CODE_JS)
    assert blocks, f"{post.url} shows no code block"
    hidden = [
        f"block {b['index']}: needs {b['scrollWidth']} px, shows {b['clientWidth']} px; "
        f"longest line ({len(b['longest'])} chars): {b['longest']!r}"
        for b in blocks
        if b["scrollWidth"] > b["clientWidth"]
    ]
    assert not hidden, f"{post.url} at 1,280 px hides the end of code lines:\n" + "\n".join(hidden)


# -------------------------------------------------------------------------------- phones

_PAGE_SCROLL_JS = """() => {
  window.scrollTo(10000, window.scrollY);
  const scrolled = window.scrollX;
  window.scrollTo(0, window.scrollY);
  const vw = document.documentElement.clientWidth;
  const scrolls = (el) => ["auto", "scroll"].includes(getComputedStyle(el).overflowX);
  const sticking = [];
  for (const el of document.querySelectorAll(".md-main *")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.right <= vw + 0.5) continue;
    let ancestor = el.parentElement;
    while (ancestor && !(scrolls(ancestor) && ancestor.getBoundingClientRect().right <= vw + 0.5)) {
      ancestor = ancestor.parentElement;
    }
    if (!ancestor) {
      const name = el.tagName.toLowerCase() + (el.className && typeof el.className === "string"
        ? "." + el.className.trim().split(/\\s+/).join(".") : "");
      sticking.push(`${name} ends at ${Math.round(box.right)} px`);
    }
  }
  return {scrolled, scrollWidth: document.documentElement.scrollWidth, vw, sticking: sticking.slice(0, 8)};
}"""


def test_no_page_scrolls_sideways_on_a_phone(shown, page_path):
    found = shown(page_path, viewport=PHONE).evaluate(_PAGE_SCROLL_JS)
    wide = (
        f"{page_path or '/'} at 360 px scrolls sideways: {found['scrollWidth']} px wide in {found['vw']} px"
    )
    assert found["scrolled"] == 0, wide
    assert found["scrollWidth"] <= found["vw"], wide
    assert not found["sticking"], (
        f"{page_path or '/'} at 360 px: content past the right edge, outside any box that scrolls:\n"
        + "\n".join(found["sticking"])
    )


def test_wide_display_math_scrolls_in_its_own_box_on_a_phone(shown, math_page):
    equations = shown(math_page, viewport=PHONE).evaluate(_DISPLAY_MATH_JS)
    unboxed = [
        f"equation {e['index']} ({e['text']!r}): scrolls={e['scrolls']}, cue={e['cue']}, "
        f"box ends at {e['boxRight']:.0f} px"
        for e in equations
        if _overflows(e) and not (e["scrolls"] and e["cue"] and e["boxRight"] <= PHONE["width"] + 0.5)
    ]
    assert not unboxed, (
        f"{math_page} at 360 px: equations wider than the screen without a scroll box:\n" + "\n".join(unboxed)
    )


_WIDE_CODE_JS = """() => [...document.querySelectorAll(".md-content pre > code")]
  .filter((code) => code.scrollWidth > code.clientWidth)
  .map((code) => {
    const style = getComputedStyle(code);
    return {
      line: code.innerText.split("\\n")[0].slice(0, 50),
      scrolls: ["auto", "scroll"].includes(style.overflowX),
      cue: style.backgroundImage.includes("gradient"),
    };
  })"""


def test_wide_code_scrolls_in_its_own_box_with_a_cue_on_a_phone(shown, post):
    wide = shown(post.url, viewport=PHONE).evaluate(_WIDE_CODE_JS)
    assert wide, f"{post.url} at 360 px: no code block is wider than the screen; this check checks nothing"
    unboxed = [block for block in wide if not (block["scrolls"] and block["cue"])]
    assert not unboxed, f"{post.url} at 360 px: wide code without a scroll box and its cue: {unboxed}"


# ---------------------------------------------------------------------- formula gallery

_GALLERY_JS = """() => {
  const content = document.querySelector(".md-content");
  const box = (el) => {
    const r = el.getBoundingClientRect();
    return {left: r.left, right: r.right, top: r.top, bottom: r.bottom};
  };
  const text = (el) => el.textContent.trim();
  const display = [...content.querySelectorAll("math[display=block]")];
  const inDisplay = (selector) => display.flatMap((m) => [...m.querySelectorAll(selector)]);
  const sum = inDisplay("munderover").find((m) => text(m.children[0]) === "\\u2211");
  const frac = inDisplay("mfrac")[0];
  const hat = [...content.querySelectorAll("mover[accent=true]")]
    .find((m) => text(m.children[1]) === "\\u02c6");
  const prime = [...content.querySelectorAll("mo")].find((m) => text(m) === "\\u2032");
  const transpose = [...content.querySelectorAll("msup")]
    .find((m) => text(m.children[1]).endsWith("\\u22a4"));
  const matrix = inDisplay("mtable:not(.aligned)")[0];
  const alignedTables = inDisplay("mtable.aligned");
  const aligned = alignedTables.sort((a, b) => b.children.length - a.children.length)[0];
  return {
    sum: sum && {base: box(sum.children[0]), under: box(sum.children[1]), over: box(sum.children[2])},
    frac: frac && {num: box(frac.children[0]), den: box(frac.children[1])},
    hat: hat && {base: box(hat.children[0]), accent: box(hat.children[1])},
    prime: prime && {
      inScript: !!prime.closest("msup, msub, msubsup"),
      size: parseFloat(getComputedStyle(prime).fontSize),
      baseSize: parseFloat(getComputedStyle(prime.previousElementSibling).fontSize),
      base: box(prime.previousElementSibling), prime: box(prime),
    },
    transpose: transpose && {base: box(transpose.children[0]), script: box(transpose.children[1])},
    matrix: matrix && {
      rows: matrix.children.length, table: box(matrix),
      fence: matrix.previousElementSibling && box(matrix.previousElementSibling),
    },
    // Per aligned table and column: the edges of the non-empty cells' content.
    alignedColumns: alignedTables.map((table) => {
      const columns = [];
      for (const row of table.children) {
        [...row.children].forEach((cell, column) => {
          if (!cell.firstElementChild) return;
          (columns[column] = columns[column] || []).push(box(cell.firstElementChild));
        });
      }
      return columns;
    }),
    aligned: aligned && {
      equals: [...aligned.children].map((row) => {
        const eq = [...(row.children[1] || row).querySelectorAll("mo")].find((mo) => text(mo) === "=");
        return eq ? box(eq).left : null;
      }),
    },
  };
}"""


def _centre(rect: dict) -> float:
    return (rect["left"] + rect["right"]) / 2


@pytest.mark.reads_page(GALLERY)
def test_gallery_renders_every_kind_of_formula(shown):
    g = shown(GALLERY).evaluate(_GALLERY_JS)
    missing = [name for name, found in g.items() if not found]
    assert not missing, f"the gallery ({GALLERY}) shows no {missing}"

    sum_ = g["sum"]
    assert sum_["under"]["top"] >= sum_["base"]["bottom"] - 1, f"lower limit is not under the Σ: {sum_}"
    assert sum_["over"]["bottom"] <= sum_["base"]["top"] + 1, f"upper limit is not over the Σ: {sum_}"
    width = sum_["base"]["right"] - sum_["base"]["left"]
    for limit in ("under", "over"):
        assert abs(_centre(sum_[limit]) - _centre(sum_["base"])) < width / 2, (
            f"{limit} limit is off centre: {sum_}"
        )

    assert g["frac"]["num"]["bottom"] <= g["frac"]["den"]["top"], (
        f"fraction: numerator not over denominator {g['frac']}"
    )

    hat = g["hat"]
    assert hat["base"]["left"] <= _centre(hat["accent"]) <= hat["base"]["right"], (
        f"hat beside its letter: {hat}"
    )
    assert hat["accent"]["top"] < hat["base"]["top"], f"the hat is not above its letter: {hat}"

    prime = g["prime"]
    assert not prime["inScript"], "a prime inside a script is drawn twice as small: a dot"
    assert prime["size"] == prime["baseSize"], f"the prime is smaller than its letter: {prime}"
    assert prime["prime"]["left"] >= prime["base"]["right"] - 1, f"the prime overlaps its letter: {prime}"

    tr = g["transpose"]
    assert tr["script"]["left"] >= tr["base"]["right"] - 1, f"the transpose sign overlaps its base: {tr}"
    assert tr["script"]["top"] < tr["base"]["top"], f"the transpose sign is not raised: {tr}"

    matrix = g["matrix"]
    assert matrix["rows"] >= 2, matrix
    table_height = matrix["table"]["bottom"] - matrix["table"]["top"]
    fence_height = matrix["fence"]["bottom"] - matrix["fence"]["top"]
    assert fence_height >= 0.9 * table_height, f"the matrix bracket does not stretch to its rows: {matrix}"

    equals = g["aligned"]["equals"]
    assert len(equals) >= 3, f"the derivation needs 3 lines or more: {equals}"
    assert None not in equals, f"a line of the derivation has no '=': {equals}"
    assert max(equals) - min(equals) < 1, f"the derivation's equals signs are not in one column: {equals}"

    # aligned: right-aligned, then left-aligned columns, so the relations meet in a line.
    assert any(len(column) >= 2 for table in g["alignedColumns"] for column in table[::2]), (
        "no aligned table of the gallery has a right-aligned column with two entries to compare"
    )
    for t, table in enumerate(g["alignedColumns"]):
        for c, cells in enumerate(table):
            edge = "right" if c % 2 == 0 else "left"
            edges = [cell[edge] for cell in cells]
            assert max(edges) - min(edges) < 1, f"aligned table {t}, column {c}: {edge} edges differ: {edges}"


# ------------------------------------------------------------------------------ figures


def test_figures_open_in_a_lightbox_served_by_the_site(new_page_context, site_url):
    page = new_page_context().new_page()
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(FIGURE_POST, wait_until="networkidle")
    figures = page.locator(".md-content img[src*='figures/']")
    assert figures.count() >= 2, f"{FIGURE_POST} shows fewer than two figures"
    links = page.locator(".md-content a.glightbox img[src*='figures/']")
    assert links.count() == figures.count(), "every figure opens in the lightbox"
    alt = figures.nth(0).get_attribute("alt")
    figures.nth(0).scroll_into_view_if_needed()
    figures.nth(0).click()
    enlarged = page.locator(".glightbox-container .gslide-image img").first
    enlarged.wait_for(state="visible", timeout=5000)
    page.wait_for_function("document.getAnimations().length === 0", timeout=5000)  # the zoom-in
    assert alt, f"the first figure of {FIGURE_POST} has no alt text"
    assert enlarged.get_attribute("alt") == alt, "the enlarged figure keeps its alt text"
    shown = enlarged.bounding_box()
    assert shown["width"] > figures.nth(0).bounding_box()["width"], "the lightbox does not enlarge the figure"
    page.keyboard.press("Escape")
    page.locator(".glightbox-container").wait_for(state="detached", timeout=5000)
    foreign = [url for url in requests if not url.startswith((site_url, "data:", "blob:"))]
    assert not foreign, f"the lightbox requested other hosts: {foreign}"


FEATURE_PICTURES = "cnn-feature-pictures"
PICTURE_PIXELS = features.SIZE  # the feature pictures and the digits beside them
MIN_SCREEN_PX_PER_PIXEL = 2.0  # a picture's pixel drawn at least 2x2 screen pixels
MIN_TEXT_PX = 10.0  # the smallest label, in CSS pixels


def figure_geometry(svg: str) -> dict:
    """An SVG figure's width in its own units, its embedded pictures' widths and its font sizes."""
    view_box = re.search(r'viewBox="[\d.]+ [\d.]+ ([\d.]+) [\d.]+"', svg)
    pictures = [float(width) for width in re.findall(r'<image\b[^>]*?\bwidth="([\d.]+)"', svg, re.S)]
    fonts = [float(size) for size in re.findall(r"font-size: ?([\d.]+)px", svg)]
    fonts += [float(size) for size in re.findall(r"font: (?:[a-z]+ )*([\d.]+)px", svg)]
    return {"width": float(view_box[1]), "pictures": pictures, "fonts": fonts}


@pytest.mark.reads_page(FIGURE_POST)
@pytest.mark.parametrize("name", [FEATURE_PICTURES])
def test_feature_pictures_are_legible_at_column_width(shown, site_dir, name):
    """At a desktop's column width, each picture's pixel is a visible block and the labels readable."""
    page = shown(FIGURE_POST)
    image = page.locator(f".md-content img[src*='figures/{name}.svg']")
    assert image.count() == 1, f"{FIGURE_POST} shows {name} {image.count()} times"
    image.scroll_into_view_if_needed()
    shown_width = image.bounding_box()["width"]
    column = page.evaluate("() => document.querySelector('.md-content__inner').clientWidth")
    assert shown_width >= 0.9 * column - 40, f"{name} is {shown_width:.0f} px wide in a {column} px column"
    geometry = figure_geometry((site_dir / "figures" / f"{name}.svg").read_text(encoding="utf-8"))
    scale = shown_width / geometry["width"]  # CSS pixels per SVG unit
    assert geometry["pictures"], f"{name} embeds no picture"
    per_pixel = min(geometry["pictures"]) * scale / PICTURE_PIXELS  # every picture is 24x24
    assert per_pixel >= MIN_SCREEN_PX_PER_PIXEL, (
        f"{name}: a picture's pixel is {per_pixel:.2f} screen pixels wide at column width"
    )
    assert geometry["fonts"], f"{name} has no text"
    smallest = min(geometry["fonts"]) * scale
    assert smallest >= MIN_TEXT_PX, f"{name}: the smallest label is {smallest:.1f} px at column width"


# -------------------------------------------------------------------------- screenshots


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "360"])
@pytest.mark.parametrize(("name", "path"), list(SCREENSHOT_PAGES.items()), ids=list(SCREENSHOT_PAGES))
def test_math_screenshot(shown, screenshot_dir, name, path, viewport, scheme):
    page = shown(path, viewport=viewport, scheme=scheme)
    page.wait_for_load_state("networkidle")
    expected = {"light": "default", "dark": "slate"}[scheme]
    assert page.locator("body").get_attribute("data-md-color-scheme") == expected
    assert page.evaluate("window.innerWidth") == viewport["width"]
    target = screenshot_dir / f"{name}-{viewport['width']}-{scheme}.jpg"
    page.screenshot(path=target, full_page=True, type="jpeg", quality=85, animations="disabled")
    data = target.read_bytes()
    assert data.startswith(JPEG_SIGNATURE), f"{target} is not a JPEG"
    assert len(data) > 10_000, f"{target} is too small to show a page"


COMPARISON = [
    r"J = -\frac{1}{m} \sum_{i=1}^{m} \Bigl( y_i \log \hat{y}_i"
    r" + (1 - y_i) \log\bigl(1 - \hat{y}_i\bigr) \Bigr)",
    r"\sigma'(z) = \sigma(z)\,\bigl(1 - \sigma(z)\bigr), \qquad dW^{[1]} = X^\top dZ^{[1]}",
    r"\tilde x_{n,c,p,q}, \qquad \hat{Y}, \qquad \max_{x} f(x)",
    r"\begin{aligned} \frac{\partial J}{\partial z}"
    r" &= \frac{\partial J}{\partial a} \cdot \frac{\partial a}{\partial z}"
    r" \\ &= \frac{a - y}{m} \end{aligned}",
]


def test_converter_comparison_screenshot(new_page_context, screenshot_dir, site_url):
    """latex2mathml's MathML as it comes, with the system font and with the math font,
    beside the same formulas after hooks/math.py's fixes (test-artifacts/screenshots/)."""
    rows = "".join(
        f"<tr><td class=system>{convert(latex, display='block')}</td>"
        f"<td>{convert(latex, display='block')}</td><td>{math_hook.to_mathml(latex, True)}</td></tr>"
        for latex in COMPARISON
    )
    html = f"""<!doctype html><style>
      @font-face {{ font-family: "{FONT_FAMILY}"; src: url("{site_url}{math_hook.FONT_PATH}"); }}
      body {{ font: 16px sans-serif; }} td, th {{ border: 1px solid #ccc; padding: 4px 8px; }}
      math {{ font-family: "{FONT_FAMILY}"; font-size: 1.15em; }} .system math {{ font-family: serif; }}
      mtable.aligned > mtr > mtd {{ padding: 0.25em 0; }}
    </style><table><tr><th>latex2mathml, system font</th><th>latex2mathml, {FONT_FAMILY}</th>
    <th>hooks/math.py, {FONT_FAMILY}</th></tr>{rows}</table>"""
    page = new_page_context(viewport={"width": 1280, "height": 400}, device_scale_factor=2).new_page()
    page.goto(GALLERY)
    page.set_content(html)
    page.evaluate(f"async () => {{ await document.fonts.load('16px \"{FONT_FAMILY}\"', '\\u2211'); }}")
    assert page.evaluate(f"document.fonts.check('16px \"{FONT_FAMILY}\"', '\\u2211')"), "math font not loaded"
    target = screenshot_dir / "math-converter-comparison.png"
    page.locator("table").screenshot(path=target)
    assert target.read_bytes().startswith(PNG_SIGNATURE)
