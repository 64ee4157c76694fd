"""Math is typeset to MathML at build time; notebook pages lose their CDN scripts."""

import xml.etree.ElementTree as ET

from fontTools.ttLib import TTFont
from mkdocs.structure.toc import AnchorLink

from tools.mkdocs_config import load_hook

math = load_hook("math")
notebooks = load_hook("notebooks")


def test_arithmatex_inline_and_display_become_mathml():
    html = (
        '<p>Energy <span class="arithmatex">\\(E = mc^2\\)</span>.</p>'
        '<div class="arithmatex">\\[\\frac{a}{b} &lt; 1\\]</div>'
    )
    out = math.convert_arithmatex(html)
    assert "\\(" not in out
    assert "\\[" not in out
    assert '<math xmlns="http://www.w3.org/1998/Math/MathML" display="inline">' in out
    assert 'display="block"' in out
    assert "<mfrac>" in out
    assert "<mo>&lt;</mo>" in out  # the escaped < survives as an operator


def test_formulas_in_table_of_contents_titles_become_mathml():
    heading = AnchorLink("3. Why \\(e^{-|z|}\\)?", "3-why", 3)
    heading.children = [
        AnchorLink("The gradient \\(g &lt; 0\\)", "gradient", 4),
        AnchorLink("Plain", "plain", 4),
    ]
    math.typeset_toc([heading])
    assert heading.title.startswith('3. Why <span class="arithmatex"><math ')
    assert heading.title.endswith("</math></span>?")
    assert "<mi>z</mi>" in heading.title
    assert "\\(" not in heading.title
    assert "<mo>&lt;</mo>" in heading.children[0].title
    assert heading.children[1].title == "Plain"


def test_notebook_dollar_math_in_markdown_cells_only():
    html = (
        '<div class="jp-RenderedMarkdown"><p>Cost $J = x^2$ and</p><p>$$y = 2$$</p>'
        "<p>Price: 5 dollars, <code>$HOME</code></p></div>"
        '<div class="jp-OutputArea"><pre>$not math$</pre></div>'
    )
    out = math.convert_notebook(html)
    assert out.count("<math") == 2
    assert "$HOME" in out
    assert "$not math$" in out


def test_notebook_cdn_and_empty_scripts_are_removed():
    html = (
        '<script src="https://cdn.example/mathjax.js"></script>'
        '<script src=""></script>'
        '<script type="text/x-mathjax-config">MathJax.Hub.Config({})</script>'
        "<script>document.title = 'kept';</script>"
        "<p>cell</p>"
    )
    out = notebooks.SCRIPT.sub(notebooks._drop_cdn_script, html)
    assert "cdn.example" not in out
    assert 'src=""' not in out
    assert "MathJax" not in out
    assert "kept" in out


def test_inline_notebook_styles_move_to_one_stylesheet():
    html = "<style>.a{color:red}</style><p>x</p><style>.b{color:blue}</style>"
    out = notebooks.externalize_styles(html, "notebooks/demo/")
    assert "<style" not in out
    assert out.startswith('<link rel="stylesheet" href="../../assets/stylesheets/jupyter-')
    (css,) = [css for uri, css in notebooks._stylesheets.items() if uri in out]
    assert ".a{color:red}" in css
    assert ".b{color:blue}" in css


# ------------------------------------------------------------- MathML for a MATH font

M = "{http://www.w3.org/1998/Math/MathML}"


def _tree(latex, display=True):
    return ET.fromstring(math.to_mathml(latex, display))


def test_hat_is_an_accent_that_sits_on_its_letter():
    (mover,) = _tree(r"\hat{y}").iter(f"{M}mover")
    assert mover.get("accent") == "true"
    assert mover[1].text == "\u02c6"  # spacing circumflex, centred; ASCII ^ draws too big
    assert mover[1].get("stretchy") == "false"
    (wide,) = _tree(r"\hat{xy}").iter(f"{M}mover")
    assert wide[1].text == "\u0302"
    assert wide[1].get("stretchy") == "true"


def test_prime_follows_its_base_at_full_size():
    tree = _tree(r"\sigma'(z) + f''")
    assert not list(tree.iter(f"{M}msup")), "a prime in a superscript shrinks to a dot"
    primes = [mo.text for mo in tree.iter(f"{M}mo") if mo.text in ("\u2032", "\u2033")]
    assert primes == ["\u2032", "\u2033"]


def test_sums_and_max_take_movable_limits():
    tree = _tree(r"\sum_{i=1}^{m} x_i + \max_{x} f")
    (sum_,) = tree.iter(f"{M}munderover")
    assert sum_[0].text == "\u2211"
    assert sum_[0].get("movablelimits") == "true"
    (max_,) = tree.iter(f"{M}munder")
    assert max_[0].text == "max"
    assert max_[0].get("movablelimits") == "true"


def test_aligned_becomes_a_table_of_right_and_left_cells():
    tree = _tree(r"\begin{aligned} a &= b + c \\ &= d, & e &= f \end{aligned}")
    (table,) = tree.iter(f"{M}mtable")
    assert table.get("class") == "aligned"
    rows = list(table)
    assert len(rows) == 2
    aligns = [[cell.get("columnalign") for cell in row] for row in rows]
    assert aligns[0] == ["right", "left"]
    assert aligns[1] == ["right", "left"] * 2
    styles = {cell.get("columnalign"): cell.get("style") for row in rows for cell in row}
    assert styles == {"right": "text-align: -webkit-right", "left": "text-align: left"}
    assert "&" not in ET.tostring(tree, encoding="unicode")


def test_sized_bracket_with_a_script_keeps_its_size():
    tree = _tree(r"\bigl(1 + x\bigr)^{2}")
    (msup,) = tree.iter(f"{M}msup")
    assert msup[0].tag == f"{M}mpadded"
    assert msup[0][0].get("minsize") == "1.2em"


def test_log_takes_thin_spaces_except_next_to_brackets_and_operators():
    row = _tree(r"y \log x + \log(y)")[0]
    assert [child.tag.removeprefix(M) for child in row][:5] == ["mi", "mspace", "mi", "mspace", "mi"]
    assert len(list(row.iter(f"{M}mspace"))) == 2


def test_partial_is_a_letter():
    tree = _tree(r"\frac{\partial J}{\partial z}")
    assert [mi.text for mi in tree.iter(f"{M}mi")] == ["\u2202", "J", "\u2202", "z"]


def test_font_subset_keeps_the_math_table_and_the_used_letters(tmp_path):
    used = set("∑σ′") | {"x"}
    target = tmp_path / "math.woff2"
    size = math.subset_math_font(math.font_characters(used), target)
    assert size == target.stat().st_size
    assert size < 100_000, f"the subset is {size:,} bytes"
    font = TTFont(target)
    assert font.flavor == "woff2"
    assert "MATH" in font
    cmap = font.getBestCmap()
    for character in "∑σ′x" + "\U0001d465" + "\U0001d70e":  # x and σ, and their math italics
        assert ord(character) in cmap, f"{character!r} missing from the subset"
    assert ord("∫") not in cmap, "the subset keeps characters no page uses"
    names = {record.nameID: record.toUnicode() for record in font["name"].names}
    assert "Open Font License" in names[13]


def test_font_subset_is_made_once_per_character_set(tmp_path, monkeypatch):
    cache, site = tmp_path / "cache", tmp_path / "site"
    made = []
    subset = math.subset_math_font

    def counting(characters, target):
        made.append(frozenset(characters))
        return subset(characters, target)

    monkeypatch.setattr(math, "subset_math_font", counting)
    math.cached_subset(set("∑x"), site / "a.woff2", cache)
    math.cached_subset(set("∑x"), site / "b.woff2", cache)
    assert len(made) == 1, "the same characters made the subset twice"
    assert (site / "a.woff2").read_bytes() == (site / "b.woff2").read_bytes()
    math.cached_subset(set("∑y"), site / "c.woff2", cache)
    assert len(made) == 2, "new characters did not make a new subset"
    assert ord("y") in TTFont(site / "c.woff2").getBestCmap()
    assert len(list(cache.iterdir())) == 1, "the old subset was left in the cache"


def test_norm_bars_keep_their_size_unless_left_right():
    fixed = [mo.get("stretchy") for mo in _tree(r"\lVert a \rVert^2 + |b|").iter(f"{M}mo") if mo.text in "‖|"]
    assert fixed == ["false"] * 4
    sized = [mo.get("stretchy") for mo in _tree(r"\left\| a \right\|").iter(f"{M}mo") if mo.text == "‖"]
    assert sized == ["true", "true"]
