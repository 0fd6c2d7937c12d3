"""The dashboard's figures over world datasets: the index map, the country ranking, flows and the timeline.

Everything here takes plain JSON shapes (a world dataset's index rows, a transit report's
``to_jsonable`` form, a timeline's ``to_dict``) and returns SVG text or rows to show, so
the web pages stay a few lines each and the same figures can be drawn anywhere.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from typing import Any

from . import formatting as fmt

__all__ = ["CHARTS", "INDICES", "Index", "chart_png", "country_names", "flow_svg", "index_map", "match_countries",
           "most_concentrated", "organization_rows", "timeline_figure", "top_links", "world_charts"]

# charts of a country page drawn by matplotlib: these can be downloaded as PNG too (no browser needed)
CHARTS = ("shares", "timeline")

# one colour per band, the charts' own order (plots.STYLE)
_PALETTE = ("#1764ab", "#f2a541", "#4a98c9", "#8a4b00", "#9ec8e6", "#5b5b5b", "#2e8b57", "#c0392b")


@dataclass(frozen=True)
class Index:
    """A per-country figure a map can be coloured by."""

    key: str
    label: str
    kind: str  # "share" (0..1), "hhi" (0..1), "count"
    more_is_concentrated: bool
    help: str

    def show(self, value: float | None) -> str:
        if value is None:
            return fmt.DASH
        if self.kind == "share":
            return fmt.pct(value)
        if self.kind == "hhi":
            return f"{value:.3f}"
        return fmt.count(value)


INDICES: dict[str, Index] = {i.key: i for i in (
    Index("top_provider_share", "top provider's share", "share", True,
          "border share of the largest foreign provider: how often it hands inbound paths to the first domestic network"),
    Index("top_organization_share", "top organization's share", "share", True,
          "the same with sibling ASes merged by their CAIDA organization"),
    Index("border_hhi", "concentration of border shares (HHI)", "hhi", True,
          "sum of squared border shares: 1 when one provider hands over every inbound path"),
    Index("providers_for_90", "providers for 90% of inbound paths", "count", False,
          "the fewest foreign providers whose border shares add up to 90% (fewer is more concentrated)"),
    Index("gateway_hhi", "gateway concentration (HHI)", "hhi", True,
          "sum of squared gateway shares of the domestic networks that receive inbound paths from abroad"),
    Index("single_foreign_upstream_networks", "networks with a single foreign upstream", "count", True,
          "domestic networks with exactly one foreign provider"),
    Index("one_carrier_away_share", "one carrier away", "share", True,
          "share of the country's address space left without any route when the worst of its top providers is "
          "removed (only in world datasets built with carriers)"),
)}


def _value(row: Mapping[str, Any], key: str) -> float | None:
    value = row.get(key)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value)


def most_concentrated(rows: Sequence[Mapping[str, Any]], key: str, n: int = 20) -> list[Mapping[str, Any]]:
    """The ``n`` countries most concentrated by index ``key`` (ties by country code); countries without it left out."""
    index = INDICES[key]
    have = [r for r in rows if _value(r, key) is not None]
    sign = -1.0 if index.more_is_concentrated else 1.0
    return sorted(have, key=lambda r: (sign * (_value(r, key) or 0.0), str(r["cc"])))[:n]


def index_map(rows: Sequence[Mapping[str, Any]], key: str, *, date: str, links: Mapping[str, str]) -> str:
    """The world map of index ``key`` (darker = more concentrated), every country a link."""
    from .worldmap import index_svg

    index = INDICES[key]
    values = {str(r["cc"]): _value(r, key) for r in rows}
    top = max((v for v in values.values() if v is not None), default=0.0)
    if index.kind == "count":
        if index.more_is_concentrated:
            def shade(v: float) -> float:
                return math.log1p(v) / math.log1p(top) if top > 0 else 0.0
            legend = (index.show(0), index.show(top))
        else:
            def shade(v: float) -> float:
                return 1.0 - math.log(max(v, 1.0)) / math.log(top) if top > 1 else 1.0
            legend = (index.show(top), index.show(1))
    else:
        def shade(v: float) -> float:
            return v
        legend = (index.show(0.0), index.show(1.0))
    title = f"{index.label}, every country, {date} (darker: more concentrated)"
    return index_svg(values, title=title, shade=shade, show=index.show, links=links, legend=legend)


@lru_cache(maxsize=1)
def _names() -> dict[str, tuple[str, ...]]:
    from ..sources.countries import iso_countries
    from .worldmap import map_countries

    out: dict[str, list[str]] = {}
    for cc, name in map_countries().items():
        out.setdefault(cc, []).append(name)
    for cc, name in iso_countries()[1].items():
        if name not in out.setdefault(cc, []):
            out[cc].append(name)
    out.setdefault("XK", ["Kosovo"])
    return {cc: tuple(names) for cc, names in out.items()}


def country_names() -> dict[str, str]:
    """Alpha-2 code -> the name a reader knows (the map's short name where it has one, else the ISO name)."""
    return {cc: names[0] for cc, names in _names().items()}


def match_countries(query: str, among: Sequence[str] | None = None) -> list[str]:
    """Codes whose code or any name matches ``query``: the code itself first, then names starting with it, then
    names containing it (case and accents as typed, case-insensitive)."""
    text = query.strip().casefold()
    if not text:
        return []
    names = _names()
    pool = sorted(among if among is not None else names)
    exact = [cc for cc in pool if cc.casefold() == text]
    starts = [cc for cc in pool if cc not in exact and any(n.casefold().startswith(text) for n in names.get(cc, ()))]
    inside = [cc for cc in pool if cc not in exact and cc not in starts
              and any(text in n.casefold() for n in names.get(cc, ()))]
    return exact + starts + inside


def organization_rows(organizations: Mapping[str, Sequence[Any]], n: int) -> list[dict[str, Any]]:
    """The dataset's ``organizations`` table (sibling ASes merged by CAIDA org id) as rows, ``n`` first."""
    keys = ("rank", "org_id", "name", "country", "border_share", "asns")
    count = len(organizations.get("rank", ()))
    return [{k: organizations[k][i] for k in keys} for i in range(min(n, count))]


def gateway_organizations(gateways: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Gateways grouped by organization name (the dataset keeps no organization id for gateways).

    Gateway shares add up exactly: each inbound path has exactly one border hand-off, so
    the share of paths entering through any of an organization's ASes is the sum of theirs.
    """
    groups: dict[str, dict[str, Any]] = {}
    for g in gateways:
        key = str(g.get("name") or f"AS{g['asn']}")
        row = groups.setdefault(key, {"name": key, "gateway_share": 0.0, "asns": []})
        row["gateway_share"] += float(g["gateway_share"])
        row["asns"].append(int(g["asn"]))
    return sorted(groups.values(), key=lambda r: (-r["gateway_share"], r["name"]))


def top_links(served: Mapping[str, Sequence[Any]], providers: Mapping[int, str], n: int = 15) -> list[dict[str, Any]]:
    """The ``n`` heaviest provider -> domestic network links of a country (the dataset's ``served`` table)."""
    rows: list[dict[str, Any]] = [{"provider": int(p), "provider_name": providers.get(int(p), ""), "asn": int(a), "name": str(name or ""),
             "share": float(s)}
            for p, a, name, s in zip(served["provider"], served["asn"], served["name"], served["share"], strict=True)
            if s is not None and s > 0]
    return sorted(rows, key=lambda r: (-r["share"], r["provider"], r["asn"]))[:n]


def flow_svg(links: Sequence[Mapping[str, Any]], *, title: str, caption: str) -> str:
    """A Sankey-style view of links: foreign providers (left) to domestic networks (right), band height = share.

    Drawn as inline SVG with a ``<title>`` per band; only the links given are drawn (the
    heaviest ones), so it stays readable where the full graph is a hairball.
    """
    if not links:
        return ""
    left: dict[int, float] = {}
    right: dict[int, float] = {}
    names: dict[tuple[str, int], str] = {}
    for link in links:
        left[link["provider"]] = left.get(link["provider"], 0.0) + link["share"]
        right[link["asn"]] = right.get(link["asn"], 0.0) + link["share"]
        names[("l", link["provider"])] = fmt.as_label(link["provider"], link.get("provider_name", ""), 34)
        names[("r", link["asn"])] = fmt.as_label(link["asn"], link.get("name", ""), 34)
    order_l = sorted(left, key=lambda a: (-left[a], a))
    order_r = sorted(right, key=lambda a: (-right[a], a))
    width, x0, x1, top_y, gap = 960.0, 300.0, 660.0, 40.0, 8.0
    height = max(260.0, 26.0 * max(len(order_l), len(order_r)))
    total = sum(left.values())
    k = (height - gap * (max(len(order_l), len(order_r)) - 1)) / total

    def positions(order: list[int], sums: dict[int, float]) -> dict[int, float]:
        y, out = top_y, {}
        for a in order:
            out[a] = y
            y += sums[a] * k + gap
        return out

    yl, yr = positions(order_l, left), positions(order_r, right)
    used_l = dict.fromkeys(order_l, 0.0)
    used_r = dict.fromkeys(order_r, 0.0)
    colour = {a: _PALETTE[i % len(_PALETTE)] for i, a in enumerate(order_l)}
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="flows" viewBox="0 0 {width:g} {height + top_y + 20:g}" '
           f'width="{width:g}" height="{height + top_y + 20:g}" role="img" aria-label="{escape(title)}">',
           f"<title>{escape(title)}</title>",
           f'<text x="{x0 - 8:g}" y="22" text-anchor="end" font-size="13" font-weight="bold">foreign providers</text>',
           f'<text x="{x1 + 8:g}" y="22" font-size="13" font-weight="bold">domestic networks</text>']
    mid = (x0 + x1) / 2
    for link in sorted(links, key=lambda r: (order_l.index(r["provider"]), order_r.index(r["asn"]))):
        h = link["share"] * k
        a, b = link["provider"], link["asn"]
        ya, yb = yl[a] + used_l[a], yr[b] + used_r[b]
        used_l[a] += h
        used_r[b] += h
        d = (f"M{x0:g},{ya:.1f} C{mid:g},{ya:.1f} {mid:g},{yb:.1f} {x1:g},{yb:.1f} L{x1:g},{yb + h:.1f} "
             f"C{mid:g},{yb + h:.1f} {mid:g},{ya + h:.1f} {x0:g},{ya + h:.1f} Z")
        tip = f"{names[('l', a)]} → {names[('r', b)]}: {fmt.pct(link['share'])} of inbound paths"
        out.append(f'<path class="flow" d="{d}" fill="{colour[a]}" fill-opacity="0.45" stroke="none">'
                   f"<title>{escape(tip)}</title></path>")
    for side, order, ys, sums, x in (("l", order_l, yl, left, x0), ("r", order_r, yr, right, x1)):
        for a in order:
            h = max(sums[a] * k, 1.0)
            fill = colour[a] if side == "l" else "#5b5b5b"
            out.append(f'<rect x="{x - (6 if side == "l" else 0):g}" y="{ys[a]:.1f}" width="6" height="{h:.1f}" '
                       f'fill="{fill}"/>')
            label = f"{names[(side, a)]}  {fmt.pct(sums[a])}" if side == "l" else f"{fmt.pct(sums[a])}  {names[(side, a)]}"
            tx, anchor = (x - 12, "end") if side == "l" else (x + 12, "start")
            out.append(f'<text x="{tx:g}" y="{ys[a] + h / 2 + 4:.1f}" text-anchor="{anchor}" font-size="12">'
                       f"{escape(label)}</text>")
    out.append(f'<text x="8" y="{height + top_y + 14:g}" font-size="11" fill="#555">{escape(caption)}</text>')
    out.append("</svg>")
    return "\n".join(out)


def timeline_figure(timeline: Mapping[str, Any]) -> Any:
    """Border shares of the largest providers over the dates of the world datasets (a matplotlib figure)."""
    from .plots import line_chart

    series = {fmt.as_label(p["asn"], p["name"], 40): p["shares"] for p in timeline["providers"]}
    marks = [(e["date"], f"AS{e['asn']} {e['kind']}") for e in timeline["events"][:6]]
    dates = timeline["dates"]
    return line_chart(dates, series, title=f"{timeline['cc']}: border shares of its largest providers",
                      ylabel="share of the country's inbound paths", marks=marks,
                      caption=f"Border share of the {len(series)} providers with the largest share on any date, on "
                              f"each date that has a world dataset ({dates[0]} to {dates[-1]}). Dotted lines: "
                              "a provider appearing, leaving, or moving by 5 points or more.")


def _figure(report: Mapping[str, Any], timeline: Mapping[str, Any], name: str) -> Any:
    from .plots import transit_figure

    if name == "shares" and report["providers"]:
        return lambda: transit_figure(dict(report), 15)
    if name == "timeline" and len(timeline["dates"]) >= 2 and timeline["providers"]:
        return lambda: timeline_figure(timeline)
    return None


def world_charts(report: Mapping[str, Any], timeline: Mapping[str, Any]) -> dict[str, str]:
    """The country page's matplotlib charts as inline SVG: provider shares, and the timeline when there are dates."""
    from .html import _svg

    out = {}
    for name in CHARTS:
        build = _figure(report, timeline, name)
        if build is not None:
            out[name] = _svg(build)
    return out


def chart_png(report: Mapping[str, Any], timeline: Mapping[str, Any], name: str) -> bytes | None:
    """One of :data:`CHARTS` as PNG (matplotlib's Agg renderer), or None when the country has nothing to draw."""
    import io

    from .html import _PLOT_LOCK
    from .plots import _pyplot

    build = _figure(report, timeline, name)
    if build is None:
        return None
    with _PLOT_LOCK:
        fig = build()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
        _pyplot().close(fig)
    return buf.getvalue()
