"""Math is typeset to MathML at build time; notebook pages lose their CDN scripts."""

import importlib.util

from tools.mkdocs_config import ROOT


def _hook(name):
    spec = importlib.util.spec_from_file_location(f"hook_{name}", ROOT / "hooks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


math = _hook("math")
notebooks = _hook("notebooks")


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
    assert "<mo>&#x0003C;</mo>" in out  # the escaped < survives as an operator


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
