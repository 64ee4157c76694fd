"""Every figure on the site, as a function that returns a matplotlib ``Figure``.

Register a figure with ``@figure("name")`` in the module of its post (``intro``,
``numpy_net``, ...); the build renders it to ``figures/<name>.svg`` and a page shows it
with ``![alt text](<relative path>/figures/<name>.svg)``. Figures use the object API
(``matplotlib.figure.Figure``), so they need no pyplot state and no GUI backend.
"""

from __future__ import annotations

import importlib
import io
import pkgutil
from collections.abc import Callable

import matplotlib
from matplotlib.figure import Figure

FIGURES: dict[str, Callable[[], Figure]] = {}
# Figures that show measurements of the build machine (timings) differ between builds.
MEASURED: set[str] = set()

# Fixed salt and no date: the same code gives the same SVG bytes on every build.
SVG_RC = {"svg.hashsalt": "deep-python", "svg.fonttype": "none", "font.size": 10}


def figure(name: str, measured: bool = False):
    """Register the decorated zero-argument function as the figure ``name``.

    ``measured=True`` marks a figure of timings taken while the site builds: the only
    kind whose SVG may differ from one build to the next.
    """

    def register(function: Callable[[], Figure]) -> Callable[[], Figure]:
        if name in FIGURES:
            raise ValueError(f"figure {name!r} is registered twice")
        FIGURES[name] = function
        if measured:
            MEASURED.add(name)
        return function

    return register


def figure_modules() -> list[str]:
    """The names of this package's figure modules, one per post (found without importing)."""
    return sorted(module.name for module in pkgutil.iter_modules(__path__) if not module.name.startswith("_"))


def load_all(modules: list[str] | None = None) -> dict[str, Callable[[], Figure]]:
    """Import the figure modules (all, or those named) so that each registers its figures."""
    for name in figure_modules() if modules is None else modules:
        importlib.import_module(f"{__name__}.{name}")
    return FIGURES


def render_svg(name: str) -> bytes:
    """Render the registered figure ``name`` to SVG bytes, deterministically."""
    figures = FIGURES if name in FIGURES else load_all()
    if name not in figures:
        raise KeyError(f"no figure named {name!r}; known: {', '.join(sorted(figures))}")
    with matplotlib.rc_context(SVG_RC):
        fig = figures[name]()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    return buffer.getvalue()
