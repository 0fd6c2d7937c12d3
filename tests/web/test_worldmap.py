"""World map: the TopoJSON decoder against a plain reference, known places inside their countries, the SVG drawn."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from splinternet.report.html import transit_map
from splinternet.report.worldmap import (
    choropleth_svg,
    decode_arcs,
    load_world,
    ring_coordinates,
    share_by_country,
)

from .conftest import DATE

_MISSING = "#e4e6ea"


def reference_decode(arc: list[list[int]], scale: list[float], translate: list[float]) -> list[tuple[float, float]]:
    """TopoJSON's rule written out: keep a running position, add each delta, then scale and shift."""
    x = y = 0
    out = []
    for dx, dy in arc:
        x += dx
        y += dy
        out.append((x * scale[0] + translate[0], y * scale[1] + translate[1]))
    return out


points = st.lists(st.tuples(st.integers(-10**6, 10**6), st.integers(-10**6, 10**6)), min_size=1, max_size=30)


@settings(max_examples=200, deadline=None)
@given(arcs=st.lists(points, min_size=1, max_size=6),
       scale=st.tuples(st.floats(1e-4, 10), st.floats(1e-4, 10)),
       translate=st.tuples(st.floats(-200, 200), st.floats(-100, 100)))
def test_decoder_agrees_with_the_reference(arcs, scale, translate) -> None:
    encoded = [[list(p) for p in arc] for arc in arcs]
    decoded = decode_arcs(encoded, scale, translate)
    for arc, got in zip(encoded, decoded, strict=True):
        np.testing.assert_allclose(got, reference_decode(arc, list(scale), list(translate)), rtol=1e-12, atol=1e-9)


def test_ring_joins_arcs_and_reverses_negative_indexes() -> None:
    arcs = decode_arcs([[[0, 0], [2, 0], [0, 2]], [[0, 0], [-2, 0], [2, -2]]], [1, 1], [0, 0])
    # arc 0: (0,0) (2,0) (2,2); arc 1: (0,0) (-2,0) (0,-2); ring [0, ~1] = arc 0 then arc 1 backwards, shared point once
    ring = ring_coordinates([0, ~1], arcs)
    assert ring.tolist() == [[0, 0], [2, 0], [2, 2], [-2, 0], [0, 0]]


def _inside(lon: float, lat: float, ring: np.ndarray) -> bool:
    """Even-odd rule, plain Python."""
    hit = False
    pts = ring.tolist()
    for (x1, y1), (x2, y2) in zip(pts, pts[1:] + pts[:1], strict=True):
        if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            hit = not hit
    return hit


@pytest.mark.parametrize(("cc", "lon", "lat"), [("FR", 2.35, 48.86), ("AT", 16.37, 48.21), ("RU", 37.62, 55.75),
                                                ("AU", 149.13, -35.28), ("BR", -47.88, -15.79), ("US", -98.0, 39.0),
                                                ("JP", 139.69, 35.69), ("ZA", 28.19, -25.75), ("XK", 21.17, 42.67)])
def test_known_places_fall_inside_their_country(cc: str, lon: float, lat: float) -> None:
    world = load_world()
    owners = [s.cc for s in world.countries for polygon in s.polygons
              if _inside(lon, lat, ring_coordinates(polygon[0], world.arcs))
              and not any(_inside(lon, lat, ring_coordinates(hole, world.arcs)) for hole in polygon[1:])]
    assert owners == [cc]


def test_every_shape_has_a_code_but_the_unrecognised_ones() -> None:
    world = load_world()
    assert len(world.countries) == 177
    assert sorted(s.name for s in world.countries if not s.cc) == ["N. Cyprus", "Somaliland"]
    codes = [s.cc for s in world.countries if s.cc]
    assert len(codes) == len(set(codes))


def test_choropleth_colors_by_value_and_marks_home() -> None:
    svg = choropleth_svg({"AT": 0.6, "DE": 0.1, "US": 0.3}, title="test", home="CH")
    paths = re.findall(r'<path class="country" data-cc="(\w*)" fill="(#[0-9a-f]{6})"', svg)
    assert len(paths) == 176  # every Natural Earth 110m country but Antarctica
    fill = dict(paths)
    assert fill["AT"] != fill["DE"] != _MISSING and fill["FR"] == _MISSING
    # darker for more: the sum of the channels falls as the value grows
    assert sum(bytes.fromhex(fill["AT"][1:])) < sum(bytes.fromhex(fill["US"][1:])) < sum(bytes.fromhex(fill["DE"][1:]))
    assert fill["CH"] == "#f2a541" and "Austria (AT): 60.0%" in svg
    assert svg.count("<svg") == 1 and "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_share_by_country_sums_ranked_providers() -> None:
    rows = [{"country": "AT", "border_share": 0.5, "transit_share": None}, {"country": "at", "border_share": 0.25},
            {"country": "DE", "border_share": 0.1, "transit_share": 0.2}, {"country": "", "border_share": 0.15}]
    assert share_by_country(rows, "border_share") == {"AT": 0.75, "DE": 0.1}
    assert share_by_country(rows, "transit_share") == {"DE": 0.2}
    assert share_by_country(rows, "count") == {"AT": 2.0, "DE": 1.0}


@pytest.mark.data
def test_country_page_map_colors_the_providers_countries(client) -> None:
    body = client.get(f"/api/v1/transit/LI?date={DATE}").json()
    expected = share_by_country(body["providers"], "border_share")
    page = client.get(f"/country?cc=LI&date={DATE}")
    assert page.status_code == 200
    fills = dict(re.findall(r'data-cc="(\w\w)" fill="(#[0-9a-f]{6})"', page.text))
    assert 'id="chart-map"' in page.text and 'id="map-form"' in page.text
    assert fills["AT"] != _MISSING  # AS8447 Telekom Austria, the largest provider
    assert {cc for cc, f in fills.items() if f != _MISSING} == {cc for cc, v in expected.items() if v > 0} & set(fills)
    counted = client.get(f"/country?cc=LI&date={DATE}&measure=count")
    assert "number of providers" in counted.text and counted.text != page.text
    bad = client.get(f"/country?cc=LI&date={DATE}&measure=../x")
    assert bad.status_code == 400 and "measure" in bad.text


@pytest.mark.data
def test_report_has_the_map_inline(client) -> None:
    body = client.get(f"/api/v1/transit/LI?date={DATE}").json()
    svg = transit_map(body)
    assert svg.count('class="country"') == 176 and 'data-cc="AT" fill="#' in svg
