"""World datasets over HTTP: their dates and indices as JSON, a country's tables as CSV or JSON, chart files,
and the comparison page (countries or dates side by side)."""

from __future__ import annotations

import csv
import io
import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from ..errors import ParameterError
from ..report import dashboard as dash
from ..report.jsonable import to_jsonable
from .api_routes import _ERRORS, state_of
from .dashboard import RANKED, NoWorldData, _cached, _render, world_for
from .params import check_cc, check_optional_date

__all__ = ["TABLES", "api_router", "router"]

api_router = APIRouter(prefix="/api/v1/world", tags=["api"])
router = APIRouter(include_in_schema=False)
TABLES = ("countries", "providers", "served", "gateways", "transit", "organizations", "measures", "inputs", "carriers")
MAX_COLUMNS = 6  # columns of one comparison
DateQ = Annotated[str | None, Query(description="Date of a world dataset, YYYY-MM-DD (default: the newest).",
                                    max_length=32)]


@api_router.get("/dates", responses=_ERRORS, summary="Dates that have a world dataset")
def dates(request: Request) -> dict[str, Any]:
    state = state_of(request)
    return {"dates": [{"date": d.date, "prefixes_date": d.prefixes_date, "countries": len(d.countries),
                       "quick": d.quick} for d in state.worlds.datasets()]}


@api_router.get("/indices", responses=_ERRORS, summary="Every country's map indices on a date")
def indices(request: Request, date: DateQ = None) -> dict[str, Any]:
    state = state_of(request)
    ds = world_for(state, check_optional_date(date))
    return {"date": ds.date, "prefixes_date": ds.prefixes_date, "countries": state.worlds.indices(ds)}


def _cell(value: Any) -> Any:
    """A CSV cell: lists and objects as JSON text, None empty, floats at full precision (``repr`` round-trips)."""
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        return json.dumps(value, sort_keys=True)
    return value


@api_router.get("/{cc}/{table}", responses=_ERRORS, summary="One table of a country from a world dataset")
def table(request: Request, cc: str, table: str, date: DateQ = None,
          format: Annotated[str, Query(description="csv or json", max_length=8)] = "json") -> Response:  # noqa: A002
    state = state_of(request)
    code = check_cc(cc)
    if table not in TABLES:
        raise ParameterError(f"table {table[:40]!r}: expected one of {', '.join(TABLES)}")
    if format not in ("csv", "json"):
        raise ParameterError(f"format {format[:8]!r}: expected csv or json")
    ds = world_for(state, check_optional_date(date))
    if code not in ds.countries:
        raise NoWorldData(f"{code} is not in the world dataset of {ds.date}")
    columns = to_jsonable(state.worlds.table(ds, code, table))
    names = list(columns)
    rows = [dict(zip(names, values, strict=True)) for values in zip(*columns.values(), strict=True)]
    filename = f"splinternet-{code}-{ds.date}-{table}.{format}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if format == "json":
        body = json.dumps({"cc": code, "date": ds.date, "prefixes_date": ds.prefixes_date, "table": table,
                           "rows": rows}, ensure_ascii=False)
        return Response(body, media_type="application/json", headers=headers)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(names)
    for row in rows:
        writer.writerow([_cell(row[n]) for n in names])
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)


@router.get("/charts/{cc}/{name}.{ext}")
def chart(request: Request, cc: str, name: str, ext: str, date: DateQ = None) -> Response:
    """A country page's chart as a file: PNG (matplotlib charts) or SVG (every chart, the map included)."""
    state = state_of(request)
    code = check_cc(cc)
    if ext not in ("png", "svg") or name not in ("shares", "timeline", "map", "flows"):
        raise ParameterError(f"no chart {name[:20]}.{ext[:8]}; expected shares or timeline as .png or .svg, "
                             "map or flows as .svg")
    if ext == "png" and name not in dash.CHARTS:
        raise ParameterError(f"the {name} chart is drawn as SVG only; ask for {name}.svg")
    ds = world_for(state, check_optional_date(date))
    if code not in ds.countries:
        raise NoWorldData(f"{code} is not in the world dataset of {ds.date}")
    report = state.worlds.report(ds, code, RANKED)
    timeline = state.worlds.timeline(code).to_dict()
    headers = {"Content-Disposition": f'inline; filename="splinternet-{code}-{ds.date}-{name}.{ext}"'}
    if ext == "png":
        data = dash.chart_png(report, timeline, name)
        if data is None:
            raise NoWorldData(f"{code} has no {name} chart on {ds.date} (no provider, or a single date)")
        return Response(data, media_type="image/png", headers=headers)
    svg = _svg_chart(state, ds, code, report, timeline, name)
    if not svg:
        raise NoWorldData(f"{code} has no {name} chart on {ds.date} (no provider, or a single date)")
    return Response('<?xml version="1.0" encoding="utf-8"?>\n' + svg, media_type="image/svg+xml", headers=headers)


def _svg_chart(state: Any, ds: Any, code: str, report: dict[str, Any], timeline: dict[str, Any], name: str) -> str:
    from ..report.html import transit_map

    if name == "map":
        return transit_map(report) if report["providers"] else ""
    if name == "flows":
        names = dict(zip(state.worlds.table(ds, code, "providers")["asn"],
                         state.worlds.table(ds, code, "providers")["name"], strict=True))
        links = dash.top_links(state.worlds.table(ds, code, "served"), names, 15)
        return dash.flow_svg(links, title=f"{code} {ds.date}: the {len(links)} heaviest international links",
                             caption=f"Band height: share of {code}'s inbound paths over the link. Data of {ds.date}.")
    return dash.world_charts(report, timeline).get(name, "")


@router.get("/compare", response_class=HTMLResponse)
def compare(request: Request, cc: Annotated[list[str] | None, Query(max_length=200)] = None,
            date: Annotated[list[str] | None, Query(max_length=32)] = None) -> HTMLResponse:
    """Countries side by side on a date, or one country on several dates (every pair of the two lists)."""
    state = state_of(request)
    codes = list(dict.fromkeys(check_cc(c) for raw in (cc or []) for c in raw.replace(",", " ").split()))
    days = list(dict.fromkeys(d for d in (check_optional_date(x) for x in (date or [])) if d))
    available = state.worlds.dates()
    if not codes or not available:
        return HTMLResponse(_render("compare.html", columns=[], codes=codes, days=days, dates=available,
                                    indices=dash.INDICES, names=dash.country_names()))
    days = days or [available[-1]]
    pairs = [(c, d) for d in days for c in codes]
    if len(pairs) > MAX_COLUMNS:
        raise ParameterError(f"{len(pairs)} columns asked; compare at most {MAX_COLUMNS} (countries times dates)")
    key = f"compare:{pairs}:{[(str(d.path), d.stamp) for d in state.worlds.datasets()]}"
    return _cached(state, key, lambda: _render("compare.html", columns=[_column(state, c, d) for c, d in pairs],
                                               codes=codes, days=days, dates=available, indices=dash.INDICES,
                                               names=dash.country_names()))


def _column(state: Any, code: str, day: str) -> dict[str, Any]:
    ds = state.worlds.get(day)
    head = {"cc": code, "date": day, "name": dash.country_names().get(code, code)}
    if ds is None:
        return {**head, "missing": f"no world dataset for {day}"}
    if code not in ds.countries:
        why = ds.skipped.get(code)
        return {**head, "missing": f"not in the world dataset of {day}" + (f": {why}" if why else "")}
    row = next(r for r in state.worlds.indices(ds) if r["cc"] == code)
    report = state.worlds.report(ds, code, RANKED)
    return {**head, "row": row, "providers": report["providers"][:10], "prefixes_date": ds.prefixes_date,
            "quick": ds.quick}
