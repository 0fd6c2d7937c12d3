"""Charts for every command's ``--plot``: matplotlib without a display, PNG or SVG by suffix, written atomically."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..errors import ParameterError
from ..sources.download import atomic_write

__all__ = ["figure_svg", "grouped_bars", "line_chart", "link_graph", "save_figure"]

_FORMATS = {".png": "png", ".svg": "svg"}


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(fig: Any, path: str | Path) -> Path:
    """Write ``fig`` to ``path`` (format from the suffix) so that a reader never sees half a file."""
    target = Path(path)
    fmt = _FORMATS.get(target.suffix.lower())
    if fmt is None:
        raise ParameterError(f"cannot write a chart to {target.name}: expected a .png or .svg file name")
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=110, bbox_inches="tight")
    _pyplot().close(fig)
    with atomic_write(target) as out:
        out.write(buf.getvalue())
    return target


def grouped_bars(labels: Sequence[str], series: Mapping[str, Sequence[float | None]], *, title: str, xlabel: str,
                 percent: bool = True) -> Any:
    """Horizontal bars, one group per label (largest first at the top), one colour per series."""
    plt = _pyplot()
    count = len(labels)
    fig, ax = plt.subplots(figsize=(9, 0.38 * max(count, 4) + 1.4))
    height = 0.8 / max(len(series), 1)
    for k, (name, values) in enumerate(series.items()):
        ys = [count - 1 - i + (k - (len(series) - 1) / 2) * height for i in range(count)]
        shown = [(100 * v if percent else v) if v is not None else 0.0 for v in values]
        ax.barh(ys, shown, height=height, label=name)
    ax.set_yticks(range(count))
    ax.set_yticklabels([str(label)[:40] for label in reversed(labels)])
    ax.set_xlabel(xlabel + (" (%)" if percent else ""))
    ax.set_title(title)
    if len(series) > 1:
        ax.legend(loc="lower right")
    ax.grid(axis="x", alpha=0.3)
    return fig


def figure_svg(fig: Any) -> str:
    """``fig`` as an ``<svg>`` element to inline in HTML (text kept as text, so it stays small and searchable)."""
    plt = _pyplot()
    buf = io.StringIO()
    with plt.rc_context({"svg.fonttype": "none", "svg.hashsalt": "splinternet"}):
        fig.savefig(buf, format="svg", bbox_inches="tight",
                    metadata={"Creator": None, "Date": None, "Format": None, "Type": None})
    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg"):]


def link_graph(edges: Sequence[tuple[str, str, float]], *, title: str, left: str, right: str) -> Any:
    """Two columns of nodes (``left`` -> ``right``), one line per edge, line width proportional to its share.

    Nodes are ordered by their total share, largest at the top, so the heaviest links stay short.
    """
    plt = _pyplot()
    totals_l: dict[str, float] = {}
    totals_r: dict[str, float] = {}
    for a, b, w in edges:
        totals_l[a] = totals_l.get(a, 0.0) + w
        totals_r[b] = totals_r.get(b, 0.0) + w
    order_l = sorted(totals_l, key=lambda k: -totals_l[k])
    order_r = sorted(totals_r, key=lambda k: -totals_r[k])
    rows = max(len(order_l), len(order_r), 2)
    fig, ax = plt.subplots(figsize=(9, 0.42 * rows + 1.2))

    def ys(order: list[str]) -> dict[str, float]:
        step = (rows - 1) / max(len(order) - 1, 1)
        return {k: rows - 1 - i * step for i, k in enumerate(order)}

    yl, yr = ys(order_l), ys(order_r)
    biggest = max((w for _, _, w in edges), default=1.0) or 1.0
    for a, b, w in sorted(edges, key=lambda e: e[2]):
        ax.plot([0, 1], [yl[a], yr[b]], color="tab:blue", alpha=0.55, solid_capstyle="round",
                linewidth=0.6 + 11 * w / biggest)
    ax.scatter([0] * len(yl), list(yl.values()), s=40, color="tab:orange", zorder=3)
    ax.scatter([1] * len(yr), list(yr.values()), s=40, color="tab:green", zorder=3)
    for k, y in yl.items():
        ax.text(-0.03, y, f"{k[:34]}  {100 * totals_l[k]:.1f}%", ha="right", va="center", fontsize=8)
    for k, y in yr.items():
        ax.text(1.03, y, f"{100 * totals_r[k]:.1f}%  {k[:34]}", ha="left", va="center", fontsize=8)
    ax.text(0, rows - 0.2, left, ha="center", va="bottom", fontweight="bold", fontsize=9)
    ax.text(1, rows - 0.2, right, ha="center", va="bottom", fontweight="bold", fontsize=9)
    ax.set_xlim(-0.9, 1.9)
    ax.set_ylim(-0.8, rows + 0.4)
    ax.axis("off")
    ax.set_title(title)
    return fig


def line_chart(dates: Sequence[str], series: Mapping[str, Sequence[float | None]], *, title: str, ylabel: str,
               percent: bool = True, marks: Sequence[tuple[str, str]] = ()) -> Any:
    """One line per series over ISO dates (missing values leave a gap); ``marks`` are (date, label) verticals."""
    import datetime as dt

    plt = _pyplot()
    xs = [dt.date.fromisoformat(d[:10]) for d in dates]
    fig, ax = plt.subplots(figsize=(10, 5))
    for name, values in series.items():
        ys = [float("nan") if v is None else (100 * v if percent else v) for v in values]
        ax.plot(xs, ys, marker="o", label=str(name)[:40])
    for when, label in marks:
        ax.axvline(dt.date.fromisoformat(when[:10]), color="grey", linestyle=":", alpha=0.7)
        ax.annotate(label[:30], (dt.date.fromisoformat(when[:10]), 1), xycoords=("data", "axes fraction"),
                    rotation=90, va="top", ha="right", fontsize=7, color="grey")
    ax.set_ylabel(ylabel + (" (%)" if percent else ""))
    ax.set_title(title)
    if series:
        ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8)
    ax.grid(alpha=0.3)
    fig.autofmt_xdate()
    return fig
