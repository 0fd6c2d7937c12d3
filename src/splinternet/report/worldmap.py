"""A world map colored by a measure per country, drawn as inline SVG on the server (no script, no network).

Country shapes are Natural Earth 1:110m (public domain) as TopoJSON from the npm package
``world-atlas`` 2.0.2 (ISC), vendored as ``static/countries-110m.json``. Its features carry
numeric ISO 3166-1 codes; ``sources/iso3166-1.csv`` (from Debian ``iso-codes``) maps them to
the alpha-2 codes the rest of splinternet uses. TopoJSON keeps each shared border once, as a
delta-encoded quantized *arc*; a ring lists arc indexes, ``~i`` meaning arc ``i`` reversed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from importlib import resources

import numpy as np

from ..sources.countries import iso_countries

__all__ = ["CountryShape", "World", "choropleth_svg", "decode_arcs", "index_svg", "load_world", "map_countries",
           "natural_earth", "ring_coordinates", "share_by_country"]

# features without an ISO numeric id in Natural Earth 110m, by name
_NO_ID = {"Kosovo": "XK"}
_MISSING = "#e4e6ea"
_HOME = "#f2a541"
# light to dark blue, equal steps
_RAMP = ((0xe3, 0xee, 0xf9), (0x9e, 0xc8, 0xe6), (0x4a, 0x98, 0xc9), (0x17, 0x64, 0xab), (0x08, 0x30, 0x6b))


@dataclass(frozen=True)
class CountryShape:
    """One feature: alpha-2 code ('' where it has none), name, polygons as rings of arc indexes."""

    cc: str
    name: str
    polygons: tuple[tuple[tuple[int, ...], ...], ...]


@dataclass(frozen=True)
class World:
    """Decoded arcs (longitude, latitude per point) and the countries that refer to them."""

    arcs: tuple[np.ndarray, ...]
    countries: tuple[CountryShape, ...]


def decode_arcs(arcs: Sequence[Sequence[Sequence[int]]], scale: Sequence[float],
                translate: Sequence[float]) -> tuple[np.ndarray, ...]:
    """Quantized, delta-encoded arcs to absolute (lon, lat): running sum of deltas, then scale and shift."""
    k = np.asarray(scale, np.float64)
    t = np.asarray(translate, np.float64)
    return tuple(np.cumsum(np.asarray(arc, np.int64).reshape(-1, 2), axis=0) * k + t for arc in arcs)


def ring_coordinates(ring: Sequence[int], arcs: Sequence[np.ndarray]) -> np.ndarray:
    """The points of one ring: its arcs in order (``~i`` reversed), each arc's first point shared with the last."""
    parts = []
    for n, index in enumerate(ring):
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        parts.append(arc if n == 0 else arc[1:])
    return np.concatenate(parts) if parts else np.zeros((0, 2))


def _iso_numeric() -> dict[str, str]:
    return iso_countries()[0]


@lru_cache(maxsize=1)
def load_world() -> World:
    """The vendored Natural Earth 110m countries, decoded once per process."""
    raw = resources.files("splinternet.report").joinpath("static", "countries-110m.json").read_text(encoding="utf-8")
    topo = json.loads(raw)
    arcs = decode_arcs(topo["arcs"], topo["transform"]["scale"], topo["transform"]["translate"])
    alpha2 = _iso_numeric()
    countries = []
    for geom in topo["objects"]["countries"]["geometries"]:
        name = str(geom.get("properties", {}).get("name", ""))
        cc = alpha2.get(str(geom.get("id", "")), _NO_ID.get(name, ""))
        if geom["type"] == "Polygon":
            polygons = (geom["arcs"],)
        elif geom["type"] == "MultiPolygon":
            polygons = geom["arcs"]
        else:
            continue
        countries.append(CountryShape(cc, name, tuple(tuple(tuple(r) for r in p) for p in polygons)))
    return World(arcs, tuple(countries))


def natural_earth(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Natural Earth projection (Šavrič et al. 2011, the polynomial d3-geo uses); radians in, unit plane out."""
    lam, phi = np.radians(lon), np.radians(lat)
    p2 = phi * phi
    p4 = p2 * p2
    x = lam * (0.8707 - 0.131979 * p2 + p4 * (-0.013791 + p4 * (0.003971 * p2 - 0.001529 * p4)))
    y = phi * (1.007226 + p2 * (0.015085 + p4 * (-0.044475 + 0.028874 * p2 - 0.005916 * p4)))
    return x, y


_WIDTH = 960.0
_X_MAX = float(natural_earth(np.array([180.0]), np.array([0.0]))[0][0])
_Y_TOP = float(natural_earth(np.array([0.0]), np.array([84.0]))[1][0])
_Y_BOTTOM = float(natural_earth(np.array([0.0]), np.array([-58.0]))[1][0])
_SCALE = _WIDTH / (2 * _X_MAX)
_HEIGHT = round((_Y_TOP - _Y_BOTTOM) * _SCALE)


def _ring_paths(lon: np.ndarray, lat: np.ndarray) -> list[str]:
    """SVG subpaths of one ring; a ring across the antimeridian (Fiji, Chukotka) is unwrapped and drawn on both
    sides, the viewport clipping what falls outside."""
    lon = np.unwrap(lon, period=360.0)
    shifts = [0.0] + ([-360.0] if lon.max() > 180 else []) + ([360.0] if lon.min() < -180 else [])
    out = []
    for shift in shifts:
        x, y = natural_earth(lon + shift, lat)
        px = np.round((x + _X_MAX) * _SCALE, 1)
        py = np.round((_Y_TOP - y) * _SCALE, 1)
        keep = np.ones(len(px), bool)
        keep[1:] = (np.diff(px) != 0) | (np.diff(py) != 0)
        px, py = px[keep], py[keep]
        if len(px) >= 3:
            out.append("M" + " ".join(f"{a:g},{b:g}" for a, b in zip(px.tolist(), py.tolist(), strict=True)) + "Z")
    return out


@lru_cache(maxsize=1)
def _country_paths() -> tuple[tuple[str, str, str], ...]:
    """(cc, name, SVG path data) per country, Antarctica left out; projected once per process."""
    world = load_world()
    out = []
    for shape in world.countries:
        if shape.cc == "AQ":
            continue
        parts = []
        for polygon in shape.polygons:
            for ring in polygon:
                pts = ring_coordinates(ring, world.arcs)
                parts.extend(_ring_paths(pts[:, 0], pts[:, 1]))
        if parts:
            out.append((shape.cc, shape.name, "".join(parts)))
    return tuple(out)


def _color(t: float) -> str:
    """A point of the blue ramp, ``t`` in [0, 1]."""
    t = min(max(t, 0.0), 1.0) * (len(_RAMP) - 1)
    i = min(int(t), len(_RAMP) - 2)
    f = t - i
    rgb = [round(a + (b - a) * f) for a, b in zip(_RAMP[i], _RAMP[i + 1], strict=True)]
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def share_by_country(rows: Sequence[Mapping[str, object]], measure: str) -> dict[str, float]:
    """Sum a measure of ranked providers over their (organization) country; ``count`` counts providers."""
    out: dict[str, float] = {}
    for row in rows:
        cc = str(row.get("country") or "").upper()
        if len(cc) != 2:
            continue
        value = 1.0 if measure == "count" else row.get(measure)
        if value is None:
            continue
        out[cc] = out.get(cc, 0.0) + float(value)  # type: ignore[arg-type]
    return out


def _ramp(y: float, low: str, high: str) -> list[str]:
    """The legend's colour ramp (five steps of the map's scale) with its two end labels, as SVG lines."""
    steps = 5
    out = [f'<rect x="{20 + i * 40}" y="{y}" width="40" height="12" fill="{_color((i + 0.5) / steps)}"/>'
           for i in range(steps)]
    out.append(f'<text x="20" y="{y + 28}" font-size="12" fill="#333">{low}</text>')
    out.append(f'<text x="{20 + steps * 40}" y="{y + 28}" font-size="12" fill="#333" text-anchor="end">{high}</text>')
    return out


def choropleth_svg(values: Mapping[str, float], *, title: str, home: str | None = None, percent: bool = True,
                   element_id: str = "world-map") -> str:
    """Inline SVG: each country filled by its value (darker = more), ``home`` outlined in orange, a legend.

    Countries without a value are grey; every country has a ``<title>`` tooltip and a
    ``data-cc`` attribute, so the map is readable and testable without a script.
    """
    top = max((v for v in values.values() if v > 0), default=0.0)

    def fmt(v: float) -> str:
        return f"{100 * v:.1f}%" if percent else f"{v:,.0f}"

    legend_h = 46
    lines = [f'<svg xmlns="http://www.w3.org/2000/svg" id="{escape(element_id)}" class="world-map" '
             f'viewBox="0 0 {_WIDTH:g} {_HEIGHT + legend_h}" width="{_WIDTH:g}" height="{_HEIGHT + legend_h}" '
             f'role="img" aria-label="{escape(title)}">',
             f"<title>{escape(title)}</title>",
             f'<rect x="0" y="0" width="{_WIDTH:g}" height="{_HEIGHT}" fill="#f6f9fc"/>',
             '<g stroke="#ffffff" stroke-width="0.5" fill-rule="evenodd">']
    for cc, name, d in _country_paths():
        value = values.get(cc) if cc else None
        if cc and cc == home:
            fill, stroke, label = _HOME, ' stroke="#8a4b00" stroke-width="1"', f"{name} ({cc}): the country analysed"
        elif value is not None and value > 0 and top > 0:
            fill, stroke, label = _color(value / top), "", f"{name} ({cc}): {fmt(value)}"
        else:
            fill, stroke, label = _MISSING, "", f"{name}{f' ({cc})' if cc else ''}: none"
        lines.append(f'<path class="country" data-cc="{escape(cc)}" fill="{fill}"{stroke} d="{d}">'
                     f"<title>{escape(label)}</title></path>")
    lines.append("</g>")
    y = _HEIGHT + 10
    lines.extend(_ramp(y, fmt(0.0), fmt(top)))
    lines.append(f'<rect x="250" y="{y}" width="14" height="12" fill="{_HOME}"/>'
                 f'<text x="270" y="{y + 10}" font-size="12" fill="#333">country analysed</text>')
    lines.append(f'<rect x="400" y="{y}" width="14" height="12" fill="{_MISSING}"/>'
                 f'<text x="420" y="{y + 10}" font-size="12" fill="#333">none</text>')
    lines.append(f'<text x="{_WIDTH - 10:g}" y="{y + 10}" font-size="11" fill="#777" text-anchor="end">'
                 "Natural Earth 1:110m (public domain)</text>")
    lines.append("</svg>")
    return "\n".join(lines)


def map_countries() -> dict[str, str]:
    """The countries the map draws: alpha-2 code -> Natural Earth name (Antarctica and code-less shapes left out)."""
    return {cc: name for cc, name, _ in _country_paths() if cc}


def index_svg(values: Mapping[str, float | None], *, title: str, shade: Callable[[float], float],
              show: Callable[[float], str], links: Mapping[str, str], legend: tuple[str, str],
              element_id: str = "world-map") -> str:
    """Inline SVG of a per-country index: ``shade(value)`` in [0, 1] picks the blue, ``show(value)`` the tooltip.

    Unlike :func:`choropleth_svg` a value of 0 is data (drawn in the lightest blue); only a
    missing value is grey. Each country is a link (``links[cc]``) with a ``<title>`` tooltip
    and ``data-cc`` / ``data-value`` attributes, so the map reads without a script.
    """
    legend_h = 46
    lines = [f'<svg xmlns="http://www.w3.org/2000/svg" id="{escape(element_id)}" class="world-map index-map" '
             f'viewBox="0 0 {_WIDTH:g} {_HEIGHT + legend_h}" width="{_WIDTH:g}" height="{_HEIGHT + legend_h}" '
             f'role="img" aria-label="{escape(title)}">',
             f"<title>{escape(title)}</title>",
             f'<rect x="0" y="0" width="{_WIDTH:g}" height="{_HEIGHT}" fill="#f6f9fc"/>',
             '<g stroke="#ffffff" stroke-width="0.5" fill-rule="evenodd">']
    for cc, name, d in _country_paths():
        value = values.get(cc) if cc else None
        if value is not None:
            fill, label, data = _color(shade(value)), f"{name} ({cc}): {show(value)}", f' data-value="{value:g}"'
        else:
            fill, label, data = _MISSING, f"{name}{f' ({cc})' if cc else ''}: no data", ""
        path = (f'<path class="country" data-cc="{escape(cc)}"{data} fill="{fill}" d="{d}">'
                f"<title>{escape(label)}</title></path>")
        href = links.get(cc) if cc else None
        lines.append(f'<a href="{escape(href)}">{path}</a>' if href else path)
    lines.append("</g>")
    y = _HEIGHT + 10
    lines.extend(_ramp(y, escape(legend[0]), escape(legend[1])))
    lines.append(f'<rect x="250" y="{y}" width="14" height="12" fill="{_MISSING}"/>'
                 f'<text x="270" y="{y + 10}" font-size="12" fill="#333">no data</text>')
    lines.append(f'<text x="{_WIDTH - 10:g}" y="{y + 10}" font-size="11" fill="#777" text-anchor="end">'
                 "Natural Earth 1:110m (public domain)</text>")
    lines.append("</svg>")
    return "\n".join(lines)
