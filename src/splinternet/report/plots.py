"""Charts for every command's ``--plot``, the HTML report and the web pages: one style, PNG or SVG by suffix.

Every chart is drawn under :data:`STYLE` (one font size, light grid, no top/right frame,
the same colours in the same order), labels of networks keep the AS number whole and wrap
or cut the name with an ellipsis (:func:`chart_label`), and every figure carries a caption
under it saying what it measures and the date of the data (``caption=``), so that a
chart copied out of its page still says what it shows.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from cycler import cycler

from ..errors import ParameterError
from ..sources.download import atomic_write
from .formatting import as_row_label, n_of_m, pct

__all__ = ["STYLE", "chart_label", "figure_svg", "grouped_bars", "line_chart", "link_graph", "save_figure",
           "transit_figure"]

_FORMATS = {".png": "png", ".svg": "svg"}

# one look for every chart: the CLI's files, the HTML report and the dashboard
STYLE: dict[Any, Any] = {  # rcParams keys (matplotlib types them as literals)
    "font.size": 9, "axes.titlesize": 11, "axes.titleweight": "bold", "axes.labelsize": 9,
    "xtick.labelsize": 8, "ytick.labelsize": 8, "legend.fontsize": 8, "legend.frameon": False,
    "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.3,
    "axes.prop_cycle": cycler(color=["#1764ab", "#f2a541", "#4a98c9", "#8a4b00", "#9ec8e6",
                                                           "#5b5b5b", "#2e8b57", "#c0392b"]),
    "figure.dpi": 110, "savefig.dpi": 110,
}
LABEL_WIDTH = 22  # characters per line of a network's label
LABEL_LINES = 2


def chart_label(text: str, width: int = LABEL_WIDTH, lines: int = LABEL_LINES) -> str:
    """A label wrapped on ``lines`` lines of ``width``; a longer name ends in an ellipsis, ``AS123`` stays whole."""
    import textwrap

    parts = textwrap.wrap(str(text), width, break_long_words=False, break_on_hyphens=False) or [""]
    if len(parts) > lines:
        parts = parts[:lines]
        parts[-1] = parts[-1][: width - 1].rstrip() + "…"
    return "\n".join(parts)


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update(STYLE)
    return plt


def _thousands() -> Any:
    from matplotlib.ticker import StrMethodFormatter

    return StrMethodFormatter("{x:,.0f}")


def _caption(fig: Any, caption: str | None) -> None:
    if caption:
        import textwrap

        fig.text(0.01, -0.01, "\n".join(textwrap.wrap(caption, 120)), ha="left", va="top", fontsize=8,
                 color="#555555")


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
                 percent: bool = True, caption: str | None = None) -> Any:
    """Horizontal bars, one group per label (largest first at the top), one colour per series."""
    plt = _pyplot()
    count = len(labels)
    fig, ax = plt.subplots(figsize=(9, 0.5 * max(count, 4) + 1.4))
    height = 0.8 / max(len(series), 1)
    for k, (name, values) in enumerate(series.items()):
        ys = [count - 1 - i + (k - (len(series) - 1) / 2) * height for i in range(count)]
        shown = [(100 * v if percent else v) if v is not None else 0.0 for v in values]
        ax.barh(ys, shown, height=height, label=name)
    ax.set_yticks(range(count))
    ax.set_yticklabels([chart_label(label) for label in reversed(labels)])
    ax.set_xlabel(xlabel + (" (%)" if percent else ""))
    ax.set_title(title)
    if len(series) > 1:
        ax.legend(loc="lower right")
    ax.grid(axis="y", visible=False)
    if not percent:
        ax.xaxis.set_major_formatter(_thousands())
    _caption(fig, caption)
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


def link_graph(edges: Sequence[tuple[str, str, float]], *, title: str, left: str, right: str,
               caption: str | None = None) -> Any:
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
        ax.text(-0.03, y, f"{chart_label(k, 34, 1)}  {pct(totals_l[k])}", ha="right", va="center", fontsize=8)
    for k, y in yr.items():
        ax.text(1.03, y, f"{pct(totals_r[k])}  {chart_label(k, 34, 1)}", ha="left", va="center", fontsize=8)
    ax.text(0, rows - 0.2, left, ha="center", va="bottom", fontweight="bold", fontsize=9)
    ax.text(1, rows - 0.2, right, ha="center", va="bottom", fontweight="bold", fontsize=9)
    ax.set_xlim(-0.9, 1.9)
    ax.set_ylim(-0.8, rows + 0.4)
    ax.axis("off")
    ax.set_title(title)
    _caption(fig, caption)
    return fig


def line_chart(dates: Sequence[str], series: Mapping[str, Sequence[float | None]], *, title: str, ylabel: str,
               percent: bool = True, marks: Sequence[tuple[str, str]] = (), caption: str | None = None) -> Any:
    """One line per series over ISO dates (missing values leave a gap); ``marks`` are (date, label) verticals."""
    import datetime as dt

    plt = _pyplot()
    xs = [dt.date.fromisoformat(d[:10]) for d in dates]
    fig, ax = plt.subplots(figsize=(10, 5))
    for name, values in series.items():
        ys = [float("nan") if v is None else (100 * v if percent else v) for v in values]
        ax.plot(xs, ys, marker="o", label=chart_label(str(name), 40, 1))
    for when, label in marks:
        ax.axvline(dt.date.fromisoformat(when[:10]), color="grey", linestyle=":", alpha=0.7)
        ax.annotate(label[:30], (dt.date.fromisoformat(when[:10]), 1), xycoords=("data", "axes fraction"),
                    rotation=90, va="top", ha="right", fontsize=7, color="grey")
    ax.set_ylabel(ylabel + (" (%)" if percent else ""))
    ax.set_title(title)
    if series:
        ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8)
    fig.autofmt_xdate()
    if not percent:
        ax.yaxis.set_major_formatter(_thousands())
    _caption(fig, caption)
    return fig


def transit_figure(report: dict[str, Any], rows: int = 15) -> Any:
    """Border and transit shares of a transit report's largest providers (its JSON shape), with a caption."""
    providers = report["providers"][:rows]
    shown = n_of_m(len(providers), len(report["providers"]), "providers")
    return grouped_bars(
        [as_row_label(p, 60) for p in providers],
        {"border share": [p["border_share"] for p in providers],
         "transit share": [p["transit_share"] for p in providers]},
        title=f"{report['cc']} {report['date']}: international transit providers",
        xlabel="share of the country's inbound paths",
        caption=(f"Border share: share of the inbound paths ({report['evidence']['kind']}) on which the provider "
                 "hands traffic to the first domestic network. Transit share: trimmed mean over vantage points "
                 f"of the country's space reached through it. Data of {report['date']}"
                 + (f"; {shown}." if shown else ".")))
