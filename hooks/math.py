"""MkDocs hook: typeset math at build time as MathML, so pages load no math script.

Markdown pages: pymdownx.arithmatex (generic mode) wraps math in
``<span class="arithmatex">\\(...\\)</span>`` and ``<div class="arithmatex">\\[...\\]</div>``.
Notebook pages: mkdocs-jupyter leaves ``$...$`` and ``$$...$$`` in Markdown cells
(hooks/notebooks.py removes the MathJax script it adds).

latex2mathml writes the MathML; :func:`polish` fixes what it gets wrong for a browser
that draws MathML Core with an OpenType MATH font (accents, primes, limits, alignment).
The font is STIX Two Math from the ziamath wheel, subset after the build to the
characters the pages use and written as woff2 (docs/stylesheets/extra.css loads it).
"""

from __future__ import annotations

import hashlib
import html
import importlib.metadata
import importlib.util
import re
import shutil
import xml.etree.ElementTree as ET
from functools import cache, partial
from pathlib import Path

import page_cache  # hooks/page_cache.py: MkDocs puts a hook's folder on sys.path while loading it
from bs4 import BeautifulSoup
from latex2mathml.converter import convert

INLINE = re.compile(r"\\\((.+?)\\\)", re.S)
DISPLAY = re.compile(r"\\\[(.+?)\\\]", re.S)
NOTEBOOK_MATH = re.compile(r"\$\$(.+?)\$\$|(?<![\\$\w])\$(?!\s)([^$\n]+?)(?<!\s)\$(?!\w)", re.S)
ALIGNED = re.compile(r"^\s*\\begin\{aligned\}(.*)\\end\{aligned\}\s*$", re.S)

MATHML = "http://www.w3.org/1998/Math/MathML"
ET.register_namespace("", MATHML)

# Where the subset font goes in the site; extra.css points its @font-face here.
FONT_PATH = "assets/fonts/stix-two-math.woff2"

# TeX accents as latex2mathml writes them -> (over one letter, over a wider base). Over a
# letter, the spacing modifier letters sit centred on it (the ASCII ^ and ~ draw too big;
# a combining mark, drawn with its zero width, lands left of the letter). Over a group,
# the combining mark stretches through the font's MATH variants (\widehat).
ACCENTS = {
    "^": ("\u02c6", "\u0302"),
    "~": ("\u02dc", "\u0303"),
    "\u00af": ("\u00af", "\u00af"),
    "\u02d9": ("\u02d9", "\u02d9"),
    "\u00a8": ("\u00a8", "\u00a8"),
    "\u2192": ("\u2192", "\u2192"),
}
PRIMES = {"\u2032", "\u2033", "\u2034", "\u2057"}
LARGE_OPERATORS = {"\u2211", "\u220f", "\u2210", "\u22c3", "\u22c2", "\u222b", "\u2a01", "\u2a02"}
# Firefox and Safari align a table cell by its columnalign; Chromium (MathML Core) has no
# columnalign, and of the CSS text-align values only left and the -webkit- ones move a
# cell's content (checked in Chromium 156: right and center leave it at the left).
CELL_ALIGN = {"left": "left", "right": "-webkit-right", "center": "-webkit-center"}
FUNCTION_NAMES = {"log", "exp", "ln", "sin", "cos", "tan", "tanh", "det", "tr"}
LIMIT_NAMES = {"max", "min", "lim", "sup", "inf", "argmax", "argmin"}

# MathML Core's italic mapping beyond the plain Latin and Greek letters.
GREEK_VARIANT_ITALICS = {
    "\u2207": "\U0001d6fb",  # nabla
    "\u2202": "\U0001d715",  # partial
    "\u03f5": "\U0001d716",
    "\u03d1": "\U0001d717",
    "\u03f0": "\U0001d718",
    "\u03d5": "\U0001d719",
    "\u03f1": "\U0001d71a",
    "\u03d6": "\U0001d71b",
}

# Characters of this build's MathML, from every page, typeset or cached: what the font
# subset keeps.
_used_characters: set[str] = set()
# Characters of the page being typeset, kept with its MathML in the page cache.
_page_characters: set[str] = set()


def _tag(element: ET.Element) -> str:
    return element.tag.rpartition("}")[2]


def _mathml(tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.Element(f"{{{MATHML}}}{tag}", attributes)
    element.text = text
    return element


def _token_text(element: ET.Element) -> str | None:
    """The text of a token element, or of an mrow holding just one token; else None."""
    if _tag(element) == "mrow" and len(element) == 1:
        element = element[0]
    if _tag(element) in ("mi", "mo", "mn") and len(element) == 0:
        return (element.text or "").strip()
    return None


def _fix_accent(mover: ET.Element) -> None:
    """``\\hat y``: a combining mark with accent="true" sits on its letter, not above it."""
    accent = mover[1]
    marks = ACCENTS.get(_token_text(accent) or "")
    if marks is None:
        return
    mover.set("accent", "true")
    wide = len(_token_text(mover[0]) or "xx") > 1
    mover[1] = _mathml("mo", marks[wide], stretchy="true" if wide else "false")


def _fix_prime(parent: ET.Element, index: int) -> None:
    """``f'``: latex2mathml writes msup(f, ′); a Unicode prime is already raised and small,
    so as a superscript it shrinks to a dot. It follows its base at full size instead."""
    msup = parent[index]
    prime = _token_text(msup[1])
    if not prime or set(prime) - PRIMES:
        return
    row = _mathml("mrow")
    row.append(msup[0])
    row.append(_mathml("mo", prime, lspace="0", rspace="0"))
    parent[index] = row


def _fix_sized_fence(script: ET.Element) -> None:
    """``\bigr)^2``: a sized bracket as a script's base stays unstretched in Chromium
    (it becomes an embellished operator of the row); in an mpadded it takes its size."""
    padded = _mathml("mpadded")
    padded.append(script[0])
    script[0] = padded


def _fix_limits(script: ET.Element, parent: ET.Element, index: int) -> None:
    """Σ and max take limits under and over in display style, beside the sign inline."""
    base = script[0]
    if _tag(base) != "mo":
        return
    text = (base.text or "").strip()
    if _tag(script) in ("munder", "mover", "munderover") and text in LARGE_OPERATORS:
        base.set("movablelimits", "true")
    elif _tag(script) == "msub" and text in LIMIT_NAMES:
        under = _mathml("munder")
        under.extend(script)
        base.set("movablelimits", "true")
        parent[index] = under


def _space_function_names(row: ET.Element) -> None:
    r"""``y \log x``: TeX puts a thin space around an operator name, except before a
    bracket and next to an operator (which brings its own space)."""
    children = list(row)
    for position in reversed(range(len(children))):
        name = children[position]
        if _tag(name) != "mi" or (name.text or "").strip() not in FUNCTION_NAMES:
            continue
        following = children[position + 1] if position + 1 < len(children) else None
        if following is not None and _tag(following) not in ("mo", "mspace"):
            row.insert(position + 1, _mathml("mspace", width="0.1667em"))
        if position > 0 and _tag(children[position - 1]) not in ("mo", "mspace"):
            row.insert(position, _mathml("mspace", width="0.1667em"))


def _fix_element(parent: ET.Element, index: int) -> None:
    child = parent[index]
    tag = _tag(child)
    if tag in ("msup", "msub", "msubsup") and _tag(child[0]) == "mo" and child[0].get("minsize"):
        _fix_sized_fence(child)
    if tag == "mover" and len(child) == 2:
        _fix_accent(child)
    elif tag == "msup" and len(child) == 2:
        _fix_prime(parent, index)
    elif tag in ("munder", "mover", "munderover", "msub") and len(child) >= 2:
        _fix_limits(child, parent, index)
    elif tag == "mtd" and child.get("columnalign") in CELL_ALIGN:
        child.set("style", f"text-align: {CELL_ALIGN[child.get('columnalign')]}")
    elif tag == "mi" and (child.text or "").strip() in {":", ";", "|"}:
        child.tag = f"{{{MATHML}}}mo"
    elif tag == "mo" and (child.text or "").strip() in ("\u2016", "|") and child.get("stretchy") is None:
        # \lVert and | keep their size, as in TeX; only \left\| stretches (latex2mathml
        # marks that one stretchy="true"). Unmarked, ‖ would stretch to the whole row.
        child.set("stretchy", "false")
    elif tag == "mo" and (child.text or "").strip() == "\u2202":
        # \partial is a letter in TeX (italic, no operator space), not an operator.
        child.tag = f"{{{MATHML}}}mi"
    elif tag == "mo" and (child.text or "").strip() in ("\u22a4", "/"):
        # \top as a transpose, and / as in TeX, are ordinary symbols: no space around.
        child.set("lspace", "0")
        child.set("rspace", "0")


def polish(math: ET.Element) -> ET.Element:
    """Fix latex2mathml's MathML in place for MathML Core (Chromium, Firefox, Safari)."""
    for parent in list(math.iter()):
        for index in range(len(parent)):
            _fix_element(parent, index)
        if _tag(parent) in ("mrow", "mtd", "math"):
            _space_function_names(parent)
    return math


def _aligned(body: str) -> ET.Element:
    """``\\begin{aligned} a &= b \\\\ &= c \\end{aligned}`` as an mtable of rl column pairs.

    latex2mathml reads aligned's ``&`` as a letter; each cell is converted alone here.
    """
    table = _mathml("mtable", **{"class": "aligned", "displaystyle": "true"})
    for line in re.split(r"\\\\", body):
        if not line.strip():
            continue
        row = _mathml("mtr")
        for column, cell in enumerate(line.split("&")):
            align = "right" if column % 2 == 0 else "left"
            # "{}=" keeps a leading relation infix, spaced as in TeX's aligned.
            latex = cell if column % 2 == 0 else "{}" + cell
            mtd = _mathml("mtd", columnalign=align, style=f"text-align: {CELL_ALIGN[align]}")
            if cell.strip():
                mtd.extend(ET.fromstring(convert(latex.strip(), display="block")))
            row.append(mtd)
        table.append(row)
    math = _mathml("math", display="block")
    math.append(table)
    return math


def _record_characters(math: ET.Element) -> None:
    for text in math.itertext():
        _page_characters.update(text)


def to_mathml(latex: str, display: bool) -> str:
    latex = html.unescape(latex.strip())
    aligned = ALIGNED.match(latex) if display else None
    if aligned:
        math = _aligned(aligned.group(1))
    else:
        math = ET.fromstring(convert(latex, display="block" if display else "inline"))
    polish(math)
    _record_characters(math)
    return ET.tostring(math, encoding="unicode")


def _arithmatex(match_text: str, display: bool) -> str:
    pattern = DISPLAY if display else INLINE
    return pattern.sub(lambda m: to_mathml(m.group(1), display), match_text)


def convert_arithmatex(content: str) -> str:
    """Replace every arithmatex span/div with MathML.

    A display formula wider than the column scrolls sideways (docs/stylesheets/extra.css):
    tabindex="0" lets a keyboard reach and scroll it (axe-core: scrollable-region-focusable).
    """
    content = re.sub(
        r'<div class="arithmatex">(.*?)</div>',
        lambda m: f'<div class="arithmatex" tabindex="0">{_arithmatex(m.group(1), True)}</div>',
        content,
        flags=re.S,
    )
    return re.sub(
        r'<span class="arithmatex">(.*?)</span>',
        lambda m: f'<span class="arithmatex">{_arithmatex(m.group(1), False)}</span>',
        content,
        flags=re.S,
    )


def convert_notebook(content: str) -> str:
    """MathML for $-math in a notebook's Markdown cells."""
    soup = BeautifulSoup(content, "html.parser")
    for cell in soup.select(".jp-RenderedMarkdown"):
        for node in cell.find_all(string=NOTEBOOK_MATH):
            if node.find_parent(["code", "pre"]):
                continue

            def typeset(match):
                display = match.group(1) is not None
                return to_mathml(match.group(1) if display else match.group(2), display)

            node.replace_with(
                BeautifulSoup(NOTEBOOK_MATH.sub(typeset, html.escape(str(node), quote=False)), "html.parser")
            )
    return str(soup)


# ------------------------------------------------------------------------------ the font


def math_font_source() -> Path:
    """STIX Two Math (SIL Open Font License), as the ziamath wheel ships it."""
    # find_spec locates the package without importing it (its import loads the font).
    spec = importlib.util.find_spec("ziamath")
    if spec is None or spec.origin is None:
        raise FileNotFoundError(
            "the math font comes from the ziamath package: pip install -r requirements.txt"
        )
    return Path(spec.origin).parent / "fonts" / "STIXTwoMath-Regular.ttf"


def _italic(character: str) -> str | None:
    """The mathematical italic that a browser draws for a one-letter <mi> (math-auto)."""
    code = ord(character)
    if character == "h":
        return "\u210e"
    if "A" <= character <= "Z" or "a" <= character <= "z":
        return chr(0x1D434 + code - (0x41 if character <= "Z" else 0x61 - 26))
    if 0x391 <= code <= 0x3A9:
        return chr(0x1D6E2 + code - 0x391)
    if 0x3B1 <= code <= 0x3C9:
        return chr(0x1D6FC + code - 0x3B1)
    return GREEK_VARIANT_ITALICS.get(character)


def font_characters(used: set[str]) -> set[str]:
    """What the subset keeps: the characters used, their italics, and printable ASCII
    (digits and letters of \\text{}, which a later edit may add without a new subset)."""
    ascii_printable = {chr(code) for code in range(0x20, 0x7F)}
    keep = set(used) | ascii_printable
    keep |= {italic for character in keep if (italic := _italic(character))}
    return keep


def subset_math_font(characters: set[str], target: Path) -> int:
    """Write the subset as woff2 to ``target``; returns its size in bytes.

    The MATH table's size variants and stretchy-glyph parts of a kept glyph are kept with
    it (fontTools follows the MATH table), and so are the OpenType features and the name
    table, which carries the copyright and the licence (the OFL asks for both).
    """
    from fontTools import subset

    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.hinting = False  # browsers draw math at many sizes; hints only add bytes
    options.notdef_outline = True
    font = subset.load_font(math_font_source(), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(ord(c) for c in characters))
    subsetter.subset(font)
    target.parent.mkdir(parents=True, exist_ok=True)
    subset.save_font(font, target, options)
    return target.stat().st_size


# ------------------------------------------------------------------------------ the hooks


def on_pre_build(config):
    _used_characters.clear()


def typeset_page(content: str, notebook: bool) -> dict[str, str]:
    """{"html": the page with MathML, "characters": those its formulas use}."""
    _page_characters.clear()
    html = convert_notebook(content) if notebook else convert_arithmatex(content)
    return {"html": html, "characters": "".join(sorted(_page_characters))}


@cache
def typesetter_version() -> str:
    """What typeset_page's output depends on besides the page: this module and latex2mathml."""
    version = importlib.metadata.version("latex2mathml")
    return hashlib.sha256(Path(__file__).read_bytes() + version.encode()).hexdigest()


def typeset_toc(items) -> None:
    """MathML for the formulas in table-of-contents titles, in place.

    MkDocs keeps a heading's text as its title, with the TeX of its formulas; the
    heading itself is typeset with the page, so its characters are in the font.
    """
    for item in items:
        item.title = INLINE.sub(
            lambda m: f'<span class="arithmatex">{to_mathml(m.group(1), False)}</span>', item.title
        )
        typeset_toc(item.children)


def on_page_content(content, page, config, files):
    notebook = page.file.src_uri.startswith("notebooks/") and page.file.src_uri.endswith(".py")
    parts = [content, "notebook" if notebook else "page", typesetter_version()]
    root = page_cache.project_root(config)
    compute = partial(typeset_page, content, notebook)
    typeset = page_cache.cached("math", page.file.src_uri, parts, compute, root)
    _used_characters.update(typeset["characters"])
    typeset_toc(page.toc.items)
    return typeset["html"]


def cached_subset(characters: set[str], target: Path, cache: Path) -> None:
    """``subset_math_font``, kept in ``cache`` under the hash of its inputs: the characters,
    the font file, fontTools' version and this module. A warm build copies it (0.4 s saved)."""
    import fontTools

    digest = hashlib.sha256()
    digest.update("".join(sorted(characters)).encode())
    digest.update(math_font_source().read_bytes())
    digest.update(fontTools.version.encode() + Path(__file__).read_bytes())
    cached = cache / f"stix-two-math-{digest.hexdigest()[:32]}.woff2"
    if not cached.is_file():
        cache.mkdir(parents=True, exist_ok=True)
        for old in cache.glob("stix-two-math-*.woff2"):
            old.unlink()
        unfinished = cached.with_suffix(".partial")
        subset_math_font(characters, unfinished)
        unfinished.replace(cached)  # a build killed half-way leaves no broken font behind
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(cached, target)


def on_post_build(config):
    cache = page_cache.project_root(config) / ".cache" / "math-font"
    cached_subset(font_characters(_used_characters), Path(config["site_dir"]) / FONT_PATH, cache)
