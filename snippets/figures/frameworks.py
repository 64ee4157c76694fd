"""Figures of the post "Why frameworks?": time per epoch, measured while the site builds."""

from __future__ import annotations

from functools import cache

import numpy as np
from matplotlib.figure import Figure

from snippets.figures import figure
from snippets.frameworks import SPEED_REPEAT, seconds_per_epoch, speed_settings
from snippets.timing import machine_description


def thread_label(threads: int | None) -> str:
    return "1 thread" if threads == 1 else "default threads"


@cache
def measurements() -> dict[tuple[str, int | None], dict[str, float]]:
    """{(case, threads): {implementation: seconds per epoch}}, measured once per build."""
    return {(case, threads): seconds_per_epoch(case, threads) for case, threads in speed_settings()}


@figure("frameworks_speed_table", measured=True)
def speed_table() -> Figure:
    """Milliseconds per epoch of each implementation, and each one's time relative to NumPy's."""
    results = measurements()
    implementations = list(next(iter(results.values())))
    columns = [f"{name}\n(ms per epoch)" for name in implementations]
    columns += [f"{name}\n÷ {implementations[0]}" for name in implementations[1:]]
    cells = []
    for seconds in results.values():
        reference = seconds[implementations[0]]
        row = [f"{seconds[name] * 1e3:.3g}" for name in implementations]
        row += [f"{seconds[name] / reference:.2f}×" for name in implementations[1:]]
        cells.append(row)
    row_labels = [f"{case}, {thread_label(threads)}" for case, threads in results]
    fig = Figure(figsize=(8, 0.6 + 0.45 * (len(cells) + 2)))
    ax = fig.add_subplot()
    ax.set_axis_off()
    table = ax.table(cellText=cells, rowLabels=row_labels, colLabels=columns, loc="center", cellLoc="center")
    table.auto_set_font_size(False)
    table.set_fontsize(9)
    table.scale(1, 2.2)
    ax.set_title(
        f"Fastest of {SPEED_REPEAT} epochs, measured while this page was built on {machine_description()}",
        fontsize=8,
    )
    return fig


@figure("frameworks_speed", measured=True)
def speed_bars() -> Figure:
    """Time per epoch as bars: one panel per data set, one group of bars per thread setting."""
    results = measurements()
    implementations = list(next(iter(results.values())))
    cases = list(dict.fromkeys(case for case, _ in results))
    fig = Figure(figsize=(7.5, 3.2))
    axes = fig.subplots(1, len(cases), sharey=True)  # the same thread settings in every panel
    width = 0.8 / len(implementations)
    for ax, case in zip(axes, cases, strict=True):
        settings = [threads for other, threads in results if other == case]
        rows = np.arange(len(settings))
        for index, name in enumerate(implementations):
            milliseconds = [results[case, threads][name] * 1e3 for threads in settings]
            bars = ax.barh(rows + index * width, milliseconds, height=width, label=name, color=f"C{index}")
            ax.bar_label(
                bars,
                [f"{value:.3g}" if value < 1000 else f"{value:.0f}" for value in milliseconds],
                padding=2,
                fontsize=8,
            )
        ax.set_yticks(rows + width * (len(implementations) - 1) / 2, [thread_label(t) for t in settings])
        ax.margins(x=0.25)
        ax.set_title(case)
        ax.set_xlabel("milliseconds per epoch")
        ax.grid(alpha=0.3, axis="x")
    axes[0].invert_yaxis()  # first setting on top; the panels share the axis
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, frameon=False, fontsize=8, loc="lower center", ncols=len(implementations))
    fig.suptitle(
        f"Fastest of {SPEED_REPEAT} epochs, measured while this page was built on {machine_description()}",
        fontsize=8,
    )
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    return fig
