"""MkDocs hook: the enlarged figure in the lightbox keeps the figure's alt text.

mkdocs-glightbox wraps each content image in ``<a class="glightbox">``; GLightbox gives the
enlarged image the alt text of the anchor's ``data-alt``, which the plugin does not write.
"""

from __future__ import annotations

import re

# A glightbox anchor, up to its closing ">", followed by the image it wraps and its alt.
WRAPPED_IMAGE = re.compile(r'(<a class="glightbox"[^>]*?)(>\s*<img\b[^>]*?\balt="([^"]*)")')


def add_alt_to_anchors(html: str) -> str:
    return WRAPPED_IMAGE.sub(lambda m: f'{m.group(1)} data-alt="{m.group(3)}"{m.group(2)}', html)


def on_post_page(output, page, config):
    return add_alt_to_anchors(output)
