"""Report charts: matplotlib rendered to inline SVG, labelled in the reader's language, the same bytes every time.

A suppressed value is never drawn: its place on the axis carries the mark `<k` instead of a bar. Axes of money are
in kronor formatted by the locale (never `1e7`), shares in percent. Text stays text in the SVG (`svg.fonttype`
none): a reader can search and copy it, and the browser and the PDF renderer draw it with the page's fonts.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from followup.labels import Formatter

BLUE = "#2f5d8a"
LIGHT = "#9dbbd8"
RED = "#b03a2e"
GREY = "#6b6b6b"


@dataclass(frozen=True)
class Point:
    label: str
    value: float | None
    suppressed: bool = False


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update(
        {
            "svg.fonttype": "none",
            "svg.hashsalt": "followup-report",  # ids of clip paths and markers: the same every time
            "font.family": "DejaVu Sans",
            "font.size": 9,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    )
    return plt


def _svg(figure) -> str:
    plt = _pyplot()
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    plt.close(figure)
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    return re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)


def _mark_suppressed(ax, positions: list[float], fmt: Formatter, horizontal: bool = False) -> None:
    for pos in positions:
        if horizontal:
            ax.annotate(
                fmt.suppressed(),
                (0, pos),
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
                color=GREY,
                style="italic",
            )
        else:
            ax.annotate(
                fmt.suppressed(),
                (pos, 0),
                xytext=(0, 3),
                textcoords="offset points",
                ha="center",
                color=GREY,
                style="italic",
            )


def _integer_axis(ax, fmt: Formatter, axis: str = "y") -> None:
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_locator(MaxNLocator(integer=True))
    target.set_major_formatter(FuncFormatter(lambda v, _: fmt.integer(v)))


def _note(ax, fmt: Formatter, any_suppressed: bool, any_missing: bool = False) -> None:
    notes = [fmt.t("chart_suppressed_note", k=fmt.k)] if any_suppressed else []
    if any_missing:
        notes.append(fmt.t("chart_no_data_note"))
    if notes:
        ax.text(1.0, -0.28, "   ".join(notes), transform=ax.transAxes, ha="right", va="top", color=GREY, fontsize=7.5)


def bars(
    points: list[Point],
    fmt: Formatter,
    *,
    ylabel: str,
    xlabel: str = "",
    horizontal: bool = False,
    share: bool = False,
    target: float | None = None,
    target_label: str = "",
) -> str:
    """One series of bars (counts, or shares with share=True); suppressed points marked, not drawn."""
    from matplotlib.ticker import FuncFormatter

    plt = _pyplot()
    height = max(2.4, 0.38 * len(points) + 1.0) if horizontal else 2.9
    fig, ax = plt.subplots(figsize=(7.2, height))
    labels = [p.label for p in points]
    values = [0.0 if p.value is None or p.suppressed else float(p.value) for p in points]
    positions = list(range(len(points)))
    hidden = [i for i, p in enumerate(points) if p.suppressed]
    if horizontal:
        ax.barh(positions, values, color=BLUE, height=0.6)
        ax.set_yticks(positions, labels)
        ax.invert_yaxis()
        ax.set_xlabel(ylabel)
        if share:
            ax.set_xlim(0, 1.05)
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt.share(v)))
        else:
            _integer_axis(ax, fmt, "x")
            if max(values, default=0) == 0:
                ax.set_xlim(0, 5)
    else:
        ax.bar(positions, values, color=BLUE, width=0.6)
        ax.set_xticks(
            positions, labels, rotation=30 if len(points) > 6 else 0, ha="right" if len(points) > 6 else "center"
        )
        ax.set_ylabel(ylabel)
        if xlabel:
            ax.set_xlabel(xlabel)
        if share:
            ax.set_ylim(0, 1.05)
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt.share(v)))
        else:
            _integer_axis(ax, fmt)
            if max(values, default=0) == 0:
                ax.set_ylim(0, 5)
    if target is not None:
        line = ax.axvline if horizontal else ax.axhline
        line(target, color=RED, linestyle="--", linewidth=1.2, label=target_label)
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    _mark_suppressed(ax, hidden, fmt, horizontal)
    missing = [i for i, p in enumerate(points) if p.value is None and not p.suppressed]
    for pos in missing:  # no figure at all (no attendance registered that month, say): a dash, not a zero bar
        xy, offset = ((0, pos), (3, 0)) if horizontal else ((pos, 0), (0, 3))
        ax.annotate(
            "–",
            xy,
            xytext=offset,
            textcoords="offset points",
            color=GREY,
            ha="left" if horizontal else "center",
            va="center" if horizontal else "bottom",
        )
    _note(ax, fmt, bool(hidden), bool(missing))
    return _svg(fig)


def drawable(points: list[Point]) -> bool:
    """Whether a chart would show anything: a value above 0 (a chart of marks alone says nothing)."""
    return any(p.value and not p.suppressed for p in points)


def grouped_bars(
    groups: list[str],
    series: list[tuple[str, list[Point]]],
    fmt: Formatter,
    *,
    ylabel: str,
    money: bool = False,
    horizontal: bool = False,
) -> str:
    """Several series side by side per group (budget against spent; classifications per measure)."""
    from matplotlib.ticker import FuncFormatter

    plt = _pyplot()
    n = len(series)
    width = 0.8 / n
    height = max(2.6, 0.5 * len(groups) * max(1, n / 2) + 1.0) if horizontal else 3.0
    fig, ax = plt.subplots(figsize=(7.2, height))
    colours = [LIGHT, BLUE, "#5a8f5a", "#c98a2b"]
    hidden: list[float] = []
    for s, (name, points) in enumerate(series):
        offsets = [i - 0.4 + width * (s + 0.5) for i in range(len(groups))]
        values = [0.0 if p.value is None or p.suppressed else float(p.value) for p in points]
        if horizontal:
            ax.barh(offsets, values, height=width, label=name, color=colours[s % len(colours)])
        else:
            ax.bar(offsets, values, width=width, label=name, color=colours[s % len(colours)])
        hidden += [offsets[i] for i, p in enumerate(points) if p.suppressed]
    axis = ax.xaxis if horizontal else ax.yaxis
    if money:
        from matplotlib.ticker import MaxNLocator

        axis.set_major_locator(MaxNLocator(5))
        axis.set_major_formatter(FuncFormatter(lambda v, _: fmt.money(v)))
    else:
        _integer_axis(ax, fmt, "x" if horizontal else "y")
    if horizontal:
        ax.set_yticks(range(len(groups)), groups)
        ax.invert_yaxis()
        ax.set_xlabel(ylabel)
        plt.setp(ax.get_xticklabels(), rotation=20, ha="right")
    else:
        ax.set_xticks(range(len(groups)), groups)
        ax.set_ylabel(ylabel)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    _mark_suppressed(ax, hidden, fmt, horizontal)
    _note(ax, fmt, bool(hidden))
    return _svg(fig)


def intervals(
    rows: list[tuple[str, float, float, float, float | None]],
    fmt: Formatter,
    *,
    xlabel: str,
    naive_label: str,
    effect_label: str,
) -> str:
    """Effects with their 95 % interval (a dot and a bar) beside the naive before/after (a hollow marker)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7.2, max(2.0, 0.6 * len(rows) + 1.0)))
    for i, (_, effect, low, high, naive) in enumerate(rows):
        ax.plot([low, high], [i, i], color=BLUE, linewidth=2)
        ax.plot([effect], [i], "o", color=BLUE, label=effect_label if i == 0 else None)
        if naive is not None:
            ax.plot([naive], [i], "D", mfc="white", color=RED, label=naive_label if i == 0 else None)
    ax.axvline(0, color=GREY, linewidth=0.8)
    ax.set_yticks(range(len(rows)), [r[0] for r in rows])
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    from matplotlib.ticker import FuncFormatter

    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt.decimal(v, 1)))
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    return _svg(fig)
