"""The dashboard over world datasets: the home map, country search, and country pages served at once.

A country page comes from the world dataset of its date when the server has one that holds
the country (and the request asks for no other prefix-to-AS date); otherwise
:mod:`.pages` computes it through the job queue as before.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from .. import api
from ..errors import ParameterError, SplinternetError
from ..report import dashboard as dash
from ..report import html as report_html
from .api_routes import state_of
from .params import check_optional_date
from .state import AppState

__all__ = ["DEFAULT_INDEX", "NoWorldData", "router", "world_country_page", "world_for"]

router = APIRouter(include_in_schema=False)
Text = Annotated[str | None, Query(max_length=200)]
DEFAULT_INDEX = "top_provider_share"
RANKED = 25  # rows of the country page's rankings


class NoWorldData(SplinternetError):
    """No world dataset of that date, or it does not hold that country (404)."""

    code = "no_world_data"


def _render(template: str, **context: Any) -> str:
    return str(report_html.environment().get_template(template).render(**context))


def _cached(state: AppState, key: str, build: Any) -> HTMLResponse:
    text = state.pages.get(key)
    if text is None:
        text = build()
        state.pages.put(key, text, persist=False)
    return HTMLResponse(text)


def country_url(cc: str, date: str, **extra: str) -> str:
    return "/country?" + urlencode({"cc": cc, "date": date, **extra})


def world_for(state: AppState, date: str | None) -> api.WorldDataset:
    """The dataset of ``date`` (newest when None); a date without one is 404 naming the dates that have one."""
    dates = state.worlds.dates()
    if not dates:
        raise NoWorldData("this server has no world dataset; build one with splinternet world and serve it")
    ds = state.worlds.get(date)
    if ds is None:
        raise NoWorldData(f"no world dataset for {date}; dates with one: {', '.join(dates)}")
    return ds


def _index_key(index: str | None) -> str:
    key = index or DEFAULT_INDEX
    if key not in dash.INDICES:
        raise ParameterError(f"index {key[:40]!r}: expected one of {', '.join(dash.INDICES)}")
    return key


@router.get("/", response_class=HTMLResponse)
def home(request: Request, date: Text = None, index: Text = None) -> HTMLResponse:
    state = state_of(request)
    key = _index_key(index)
    if not state.worlds.dates():
        return HTMLResponse(_render("home.html", ds=None, dates=[], indices=dash.INDICES, index=key))
    ds = world_for(state, check_optional_date(date))

    def build() -> str:
        rows = state.worlds.indices(ds)
        names = dash.country_names()
        links = {cc: country_url(cc, ds.date) for cc in names}
        ranked = dash.most_concentrated(rows, key, 20)
        everyone = sorted(rows, key=lambda r: (names.get(r["cc"], r["cc"]).casefold(), r["cc"]))
        have = {k for k in dash.INDICES if any(r.get(k) is not None for r in rows)}
        return _render("home.html", ds=ds, dates=state.worlds.dates(), indices=dash.INDICES, index=key,
                       chosen=dash.INDICES[key], names=names, ranked=ranked, everyone=everyone, available=have,
                       map_svg=dash.index_map(rows, key, date=ds.date, links=links),
                       skipped=sorted(ds.skipped.items()))

    return _cached(state, f"home:{ds.path}:{ds.stamp}:{key}", build)


@router.get("/search", response_class=HTMLResponse, response_model=None)
def search(request: Request, q: Text = None, date: Text = None) -> HTMLResponse | RedirectResponse:
    """Countries by code or name: one clear match goes to its page, several are listed."""
    state = state_of(request)
    day = check_optional_date(date)
    ds = state.worlds.get(day) if state.worlds.dates() else None
    if day and ds is None:
        world_for(state, day)  # the 404 that names the dates with a dataset
    in_world = set(ds.countries) if ds else set()
    names = dash.country_names()
    found = dash.match_countries(q or "", sorted(set(names) | in_world))
    shown_day = ds.date if ds else day
    if found and (len(found) == 1 or found[0].casefold() == (q or "").strip().casefold()) and shown_day:
        return RedirectResponse(country_url(found[0], shown_day), status_code=303)
    results = [{"cc": cc, "name": names.get(cc, cc), "in_world": cc in in_world,
                "url": country_url(cc, shown_day) if shown_day else "/country?" + urlencode({"cc": cc})}
               for cc in found[:100]]
    return HTMLResponse(_render("search.html", q=q or "", ds=ds, results=results, more=max(len(found) - 100, 0)))


def world_country_page(request: Request, state: AppState, cc: str, date: str | None, prefixes_date: str | None,
                       *, by: str, measure: str) -> HTMLResponse | None:
    """The country page from the world dataset of ``date``, or None when no dataset answers it as asked."""
    if not state.worlds.dates():
        return None
    ds = state.worlds.get(date)
    if ds is None or cc not in ds.countries or (prefixes_date and prefixes_date != ds.prefixes_date):
        return None
    if by not in ("as", "org"):
        raise ParameterError(f"by {by[:16]!r}: expected 'as' (each AS) or 'org' (sibling ASes merged)")
    return _cached(state, f"world-country:{ds.path}:{ds.stamp}:{cc}:{by}:{measure}:"
                          f"{[(str(d.path), d.stamp) for d in state.worlds.datasets()]}",
                   lambda: _country_html(state, ds, cc, by=by, measure=measure))


def _country_html(state: AppState, ds: api.WorldDataset, cc: str, *, by: str, measure: str) -> str:
    worlds = state.worlds
    report = worlds.report(ds, cc, RANKED)
    row = next(r for r in worlds.indices(ds) if r["cc"] == cc)
    served = worlds.table(ds, cc, "served")
    provider_names = dict(zip(worlds.table(ds, cc, "providers")["asn"], worlds.table(ds, cc, "providers")["name"],
                              strict=True))
    links = dash.top_links(served, provider_names, 15)
    timeline = worlds.timeline(cc).to_dict()
    charts = {"map": report_html.transit_map(report, measure) if report["providers"] else ""}
    charts.update(dash.world_charts(report, timeline))
    charts["flows"] = dash.flow_svg(links, title=f"{cc} {ds.date}: the {len(links)} heaviest international links",
                                    caption=f"Band height: share of {cc}'s inbound paths over the link (foreign "
                                            f"provider to first domestic network). Data of {ds.date}.")
    carriers = worlds.table(ds, cc, "carriers") if ds.run.get("carriers") else {}
    top_asns = [str(p["asn"]) for p in report["providers"][:1]]
    whatif_url = "/whatif?" + urlencode({"cc": cc, "date": ds.date, "prefixes_date": ds.prefixes_date,
                                         "without": " ".join(top_asns)})
    others = [d for d in worlds.dates() if d != ds.date]
    compare_url = "/compare?" + urlencode([("cc", cc), ("date", ds.date)] + ([("date", others[-1])] if others else []))
    return _render("world_country.html", ds=ds, t=report, row=row, by=by, measure=measure,
                   name=dash.country_names().get(cc, cc), indices=dash.INDICES, charts=charts, links=links,
                   timeline=timeline, dates=worlds.dates(), map_measures=report_html.MAP_MEASURES,
                   orgs=dash.organization_rows(worlds.table(ds, cc, "organizations"), RANKED),
                   gateway_orgs=dash.gateway_organizations(report["gateways"]),
                   carriers=[{k: carriers[k][i] for k in carriers} for i in range(len(carriers.get("asn", [])))],
                   whatif_url=whatif_url, compare_url=compare_url, tables=DOWNLOADS,
                   download=lambda table, f: f"/api/v1/world/{cc}/{table}?" + urlencode({"date": ds.date, "format": f}),
                   chart_url=lambda name, ext: f"/charts/{cc}/{name}.{ext}?" + urlencode({"date": ds.date}))


DOWNLOADS = ("providers", "organizations", "gateways", "served", "transit", "countries", "inputs")
