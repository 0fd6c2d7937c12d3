"""One self-contained HTML report per country, and the templates and charts the web pages share.

Everything is rendered from the JSON shape of the results (what ``--json`` prints), so the
report, the web pages and the REST API show the same figures. Charts come from
:mod:`splinternet.report.plots` (the ``--plot`` code) as inline SVG; styles and the small
table-sorting script are inlined, so the file opens offline and asks no network for anything.
"""

from __future__ import annotations

import datetime as dt
import threading
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from .. import __version__
from ..sources.download import atomic_write
from . import formatting as fmt
from .cautions import transit_cautions

__all__ = ["MAP_MEASURES", "blocking_charts", "diff_charts", "environment", "render_report", "transit_charts",
           "transit_map", "whatif_charts", "write_report"]

# what the world map of a transit report can be colored by: provider field -> words for the title
MAP_MEASURES = {"border_share": "border share", "transit_share": "transit share", "count": "number of providers"}

# pyplot keeps global state: one chart at a time, whichever thread asks
_PLOT_LOCK = threading.Lock()


def _label(row: dict[str, Any]) -> str:
    return fmt.as_row_label(row, 60)


def _network(row: Any, prefix: str = "") -> str:
    """A network in a page: AS number, AS name where it says more, organization (not cut: a page wraps)."""
    return fmt.as_row_label(row, 160, prefix)


@lru_cache(maxsize=1)
def environment():  # noqa: ANN201 - jinja2.Environment
    """The Jinja environment of the report and the web pages (templates and static files live in this package)."""
    import jinja2

    env = jinja2.Environment(loader=jinja2.PackageLoader("splinternet.report", "templates"),
                             autoescape=jinja2.select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)
    env.filters["pct"] = fmt.pct
    env.filters["num"] = fmt.count
    env.filters["bounds"] = fmt.bounds
    env.filters["members"] = fmt.members
    env.filters["points"] = fmt.points
    env.filters["number"] = fmt.number
    env.filters["header"] = fmt.header
    env.filters["cell"] = fmt.value_cell
    env.filters["country"] = fmt.country
    env.filters["size"] = fmt.size
    env.filters["notes"] = fmt.group_notes
    env.filters["zero_change"] = fmt.is_zero_change
    env.filters["network"] = _network
    env.globals["transit_cautions"] = transit_cautions
    env.globals["rank_ranges"] = fmt.rank_ranges
    env.globals["n_of_m"] = fmt.n_of_m
    env.globals["row_key"] = fmt.row_key
    env.globals["shaky"] = fmt.shaky
    env.globals["shaky_note"] = fmt.SHAKY_NOTE
    env.globals["version"] = __version__
    return env


def _asset(name: str) -> str:
    return resources.files("splinternet.report").joinpath("static", name).read_text(encoding="utf-8")


def _svg(build: Any) -> str:
    from .plots import figure_svg

    with _PLOT_LOCK:
        return figure_svg(build())


def transit_map(report: dict[str, Any], measure: str = "border_share") -> str:
    """World map: each country colored by the summed measure of the ranked providers registered there."""
    from .worldmap import choropleth_svg, share_by_country

    words = MAP_MEASURES[measure]
    values = share_by_country(report["providers"], measure)
    title = (f"{report['cc']} {report['date']}: {words} of its international transit providers, "
             "by the provider's country (CAIDA organization)")
    return choropleth_svg(values, title=title, home=str(report["cc"]).upper(), percent=measure != "count")


def transit_charts(report: dict[str, Any], rows: int = 15, measure: str = "border_share") -> dict[str, str]:
    """Bar chart of provider shares, the graph of border links (foreign provider -> domestic network), world map."""
    from .plots import link_graph, transit_figure

    providers = report["providers"][:rows]
    charts: dict[str, str] = {}
    if report["providers"]:
        charts["map"] = transit_map(report, measure)
    if providers:
        charts["shares"] = _svg(lambda: transit_figure(report, rows))
        edges = [(_label(p), _label(s), float(s["share"])) for p in providers for s in p["served"] if s["share"] > 0]
        if edges:
            charts["links"] = _svg(lambda: link_graph(
                edges, title=f"{report['cc']} {report['date']}: international links",
                left="foreign providers", right="domestic networks",
                caption="Line width: share of the country's inbound paths over that link (foreign provider to first "
                        f"domestic network). Data of {report['date']}."))
    return charts


def whatif_charts(report: dict[str, Any], rows: int = 15) -> dict[str, str]:
    """Border shares of the largest providers before and after the scenario: two charts for two columns.

    Both charts list the same providers in the same order on the same scale (a removed
    provider stays as an empty row after), so a bar keeps its place and its length means
    the same share side by side.
    """
    from .plots import grouped_bars

    before = {p["asn"]: p for p in report["before"]["providers"]}
    after = {p["asn"]: p for p in report["after"]["providers"]}
    asns = list(dict.fromkeys([*before, *after]))[:rows]
    if not asns:
        return {}
    labels = [_label(before.get(a) or after[a]) for a in asns]
    values = {"before": [before[a]["border_share"] if a in before else 0.0 for a in asns],
              "after": [after[a]["border_share"] if a in after else 0.0 for a in asns]}
    top = 100 * max(max(values["before"]), max(values["after"]), 0.01) * 1.05
    scenario = "; ".join(report.get("scenario") or [])
    charts: dict[str, str] = {}
    for colour, side in enumerate(("before", "after")):
        def build(side: str = side, colour: int = colour) -> Any:
            fig = grouped_bars(
                labels, {side: values[side]}, title=f"{report['cc']} {report['date']}: border shares {side}",
                xlabel="share of the country's inbound paths",
                caption=(f"{'Before' if side == 'before' else 'After'} the scenario: {scenario}. Border share: share "
                         "of the inbound paths on which the provider hands traffic to the first domestic network. "
                         f"Same providers and scale in both charts. Data of {report['date']}."))
            ax = fig.axes[0]
            ax.set_xlim(0, top)
            for bar in ax.patches:
                bar.set_facecolor(f"C{colour}")
            return fig

        charts[side] = _svg(build)
    return charts


def diff_charts(report: dict[str, Any], rows: int = 15) -> dict[str, str]:
    """Border shares that moved most between the two dates."""
    from .plots import grouped_bars

    moved = report["shares_moved"][:rows]
    if not moved:
        return {}
    return {"shares": _svg(lambda: grouped_bars(
        [_label(m) for m in moved], {report["date_from"]: [m["before"] for m in moved],
                                    report["date_to"]: [m["after"] for m in moved]},
        title=f"{report['cc']}: border shares, {report['date_from']} and {report['date_to']}",
        xlabel="share of the country's inbound paths",
        caption=f"The providers whose border share moved most between {report['date_from']} and "
                f"{report['date_to']}."))}


def blocking_charts(report: dict[str, Any], rows: int = 15) -> dict[str, str]:
    """Blocked IPv4 space by organization and by cloud provider (deduplicated addresses)."""
    from .plots import grouped_bars

    bars = [(str(r["organization"]), float(r["ipv4"])) for r in report["by_organization"]["rows"]]
    bars += [(f"cloud: {r['provider']}", float(r["ipv4"])) for r in report["by_provider"]["rows"]]
    bars = sorted(bars, key=lambda b: -b[1])[:rows]
    if not bars:
        return {}
    return {"providers": _svg(lambda: grouped_bars(
        [b[0] for b in bars], {"blocked IPv4 addresses": [b[1] for b in bars]},
        title="Blocked address space by organization and cloud provider", xlabel="IPv4 addresses (deduplicated)",
        percent=False, caption="Blocked IPv4 addresses of the register, each address counted once, by the "
                               "organization of its origin AS and by cloud provider."))}


def render_report(transit: dict[str, Any], *, whatif: dict[str, Any] | None = None,
                  blocking: dict[str, Any] | None = None, generated: dt.datetime | None = None) -> str:
    """The whole report as one HTML text: styles, script, charts and data inlined."""
    page = environment().get_template("report.html")
    return page.render(
        t=transit, t_charts=transit_charts(transit),
        w=whatif, w_charts=whatif_charts(whatif) if whatif else {},
        b=blocking, b_charts=blocking_charts(blocking) if blocking else {},
        css=_asset("style.css"), js=_asset("app.js"),
        generated=(generated or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%d %H:%M UTC"),
    )


def write_report(path: str | Path, html: str) -> Path:
    """Write the report so that a reader never sees half a file."""
    target = Path(path)
    with atomic_write(target) as out:
        out.write(html.encode("utf-8"))
    return target
