"""Figures: registered, deterministic, drawn by the build, and each one shown on a page."""

import re
import xml.etree.ElementTree as ET

import pytest

from hooks import build_cache
from snippets.figures import MEASURED, figure, load_all, render_svg
from tools.doc_blocks import markdown_files

FIGURE_LINK = re.compile(r"\]\((?:\.\./)*figures/(?P<name>[\w-]+)\.svg\)")
INLINE_CODE = re.compile(r"`[^`\n]+`")


def referenced_figures() -> dict[str, list[str]]:
    refs: dict[str, list[str]] = {}
    for path in markdown_files():
        prose = INLINE_CODE.sub("", path.read_text(encoding="utf-8"))  # examples in `code` show nothing
        for match in FIGURE_LINK.finditer(prose):
            refs.setdefault(match["name"], []).append(str(path))
    return refs


def package_figures() -> dict:
    """The figures that the modules of snippets/figures/ define. The registry is global, and
    a page's example can add one in the same process (the contributing guide's
    ``@figure("dropout_masks")`` does, when Sybil runs that page on this worker first)."""
    return {
        name: draw
        for name, draw in load_all().items()
        if (draw.__module__ or "").startswith("snippets.figures.")
    }


def module_of(name: str) -> str:
    return load_all()[name].__module__.rpartition(".")[2]


def rendered(name: str, kind: str = "figures") -> bytes:
    """The SVG of figure ``name`` as a process of its own renders it (cached by content hash)."""
    job = build_cache.figure_job(module_of(name), kind)
    try:
        folder = build_cache.outputs([job])[job]
    except build_cache.JobFailed as failure:
        pytest.fail(str(failure), pytrace=False)
    return (folder / f"{name}.svg").read_bytes()


@pytest.mark.parametrize("name", sorted(set(load_all()) - MEASURED))
def test_figure_renders_to_the_same_valid_svg_every_time(name):
    """The build's render and a second one, in another process, give the same bytes."""
    first, second = rendered(name), rendered(name, kind="figures-recheck")
    assert first == second, f"figure {name!r} is not deterministic"
    root = ET.fromstring(first)
    assert root.tag.endswith("svg")


def test_measured_figures_render_valid_svg():
    for name in sorted(MEASURED):
        assert ET.fromstring(rendered(name)).tag.endswith("svg"), name


def test_every_figure_is_shown_on_some_page():
    unused = sorted(set(package_figures()) - set(referenced_figures()))
    assert not unused, f"figures no page shows (remove them or show them): {unused}"


def test_every_figure_a_page_shows_exists():
    figures = package_figures()
    missing = {name: pages for name, pages in referenced_figures().items() if name not in figures}
    assert not missing, f"pages show figures that snippets.figures does not define: {missing}"


def test_registering_a_name_twice_fails():
    name = next(iter(load_all()))
    with pytest.raises(ValueError, match="registered twice"):
        figure(name)(lambda: None)


def test_unknown_figure_names_the_known_ones():
    with pytest.raises(KeyError, match="sigmoid"):
        render_svg("no-such-figure")
