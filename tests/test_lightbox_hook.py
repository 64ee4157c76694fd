"""Figures open in a lightbox; the enlarged image keeps the figure's alt text."""

from tools.mkdocs_config import load_hook

lightbox = load_hook("lightbox")


def test_anchor_gets_the_alt_text_of_its_image():
    html = (
        '<a class="glightbox" data-type="image" href="f.svg"><img alt="A plot." src="f.svg"></a>'
        '<a href="other"><img alt="Not a lightbox." src="g.svg"></a>'
    )
    out = lightbox.add_alt_to_anchors(html)
    assert '<a class="glightbox" data-type="image" href="f.svg" data-alt="A plot.">' in out
    assert out.count("data-alt") == 1
