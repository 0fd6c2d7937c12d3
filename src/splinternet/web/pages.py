"""HTML pages rendered on the server: forms, results from the same cache as the API, a polling page meanwhile."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse

from ..errors import ParameterError
from ..report import html as report_html
from . import compute
from .api_routes import blocking_job, client_of, state_of
from .cut import cut_transit, cut_whatif
from .dashboard import world_country_page
from .params import check_asns, check_cc, check_date, check_optional_date, list_registers
from .state import AppState, Pending
from .uploads import spool_uploads

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
Text = Annotated[str | None, Query(max_length=200)]


def render(name: str, status: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(report_html.environment().get_template(name).render(**context), status_code=status)


def _job_page(pending: Pending, done_url: str) -> HTMLResponse:
    return render("job.html", status=202, job=pending.job, done_url=done_url)


def _cached_page(state: AppState, key: str, build: Any) -> HTMLResponse:
    """Charts and tables of one result are rendered once; later views come from memory."""
    text = state.pages.get(key)
    if text is None:
        text = build()
        state.pages.put(key, text, persist=False)
    return HTMLResponse(text)


@router.get("/country", response_class=HTMLResponse)
def country(request: Request, cc: Text = None, date: Text = None, prefixes_date: Text = None,
            measure: Annotated[str, Query(max_length=32)] = "border_share",
            by: Annotated[str, Query(max_length=8)] = "as") -> HTMLResponse:
    q = {"cc": cc, "date": date, "prefixes_date": prefixes_date, "by": by}
    if measure not in report_html.MAP_MEASURES:
        raise ParameterError(f"measure {measure[:32]!r}: expected one of {', '.join(report_html.MAP_MEASURES)}")
    if not cc:
        return render("country.html", q=q, t=None)
    state = state_of(request)
    code = check_cc(cc)
    asked_pfx = check_optional_date(prefixes_date, "prefixes_date")
    if by not in ("as", "org"):
        raise ParameterError(f"by {by[:16]!r}: expected 'as' (each AS) or 'org' (sibling ASes merged)")
    # served at once from a world dataset of that date when the server has one holding the country
    world_page = world_country_page(request, state, code, check_optional_date(date), asked_pfx, by=by, measure=measure)
    if world_page is not None:
        return world_page
    day = check_date(date)
    pfx = asked_pfx or state.settings.prefixes_date
    params = {"cc": code, "date": day, "prefixes_date": pfx, "top": compute.FULL_TOP}  # the API's key
    if by == "org":
        params["by"] = by
    try:
        key, full = state.result("transit", params, f"transit {code} {day}", lambda p: compute.transit(
            state.pool, code, day, pfx, top=compute.FULL_TOP, by=by, progress=p), wait=False,
            client=client_of(request))
        value = cut_transit(full, 20)
    except Pending as pending:
        return _job_page(pending, str(request.url))
    json_url = f"/api/v1/transit/{code}?" + urlencode({k: v for k, v in (("date", day), ("prefixes_date", pfx)) if v})
    return _cached_page(state, f"{key}:{measure}", lambda: report_html.environment().get_template(
        "country.html").render(q=q, t=value, t_charts=report_html.transit_charts(value, measure=measure),
                               json_url=json_url, map_measures=report_html.MAP_MEASURES, measure=measure))


@router.get("/whatif", response_class=HTMLResponse)
def whatif(request: Request, cc: Text = None, date: Text = None, without: Text = None, links_only: bool = False,
           prefixes_date: Text = None) -> HTMLResponse:
    q = {"cc": cc, "date": date, "without": without, "links_only": links_only, "prefixes_date": prefixes_date}
    if not cc:
        return render("whatif.html", q=q, w=None)
    state = state_of(request)
    code, day, asns = check_cc(cc), check_date(date), check_asns([without or ""])
    pfx = check_optional_date(prefixes_date, "prefixes_date") or state.settings.prefixes_date
    params = {"cc": code, "date": day, "prefixes_date": pfx, "without": asns, "links_only": links_only,
              "top": compute.FULL_TOP}
    title = f"what-if {code} {day} without {', '.join(f'AS{a}' for a in asns)}"
    try:
        key, full = state.result("whatif", params, title, lambda p: compute.whatif(
            state.pool, code, day, pfx, asns, links_only=links_only, top=compute.FULL_TOP, progress=p), wait=False,
            client=client_of(request))
        value = cut_whatif(full, 15)
    except Pending as pending:
        return _job_page(pending, str(request.url))
    query = [("date", day)] + [("without", str(a)) for a in asns] + ([("links_only", "true")] if links_only else [])
    query += [("prefixes_date", pfx)] if pfx else []
    return _cached_page(state, key, lambda: report_html.environment().get_template("whatif.html").render(
        q=q, w=value, w_charts=report_html.whatif_charts(value), json_url=f"/api/v1/whatif/{code}?" + urlencode(query)))


@router.get("/diff", response_class=HTMLResponse)
def diff(request: Request, cc: Text = None, date_from: Annotated[str | None, Query(alias="from", max_length=32)] = None,
         date_to: Annotated[str | None, Query(alias="to", max_length=32)] = None,
         prefixes_date: Text = None) -> HTMLResponse:
    q = {"cc": cc, "date_from": date_from, "date_to": date_to, "prefixes_date": prefixes_date}
    if not cc:
        return render("diff.html", q=q, d=None)
    state = state_of(request)
    code, first, second = check_cc(cc), check_date(date_from, "from"), check_date(date_to, "to")
    if first >= second:
        raise ParameterError(f"'from' ({first}) must come before 'to' ({second})")
    pfx = check_optional_date(prefixes_date, "prefixes_date") or state.settings.prefixes_date
    params = {"cc": code, "from": first, "to": second, "prefixes_date": pfx, "top": 15}
    try:
        key, value = state.result("diff", params, f"diff {code} {first} -> {second}", lambda p: compute.diff(
            state.settings.data, code, first, second, pfx, top=15, progress=p), wait=False, client=client_of(request))
    except Pending as pending:
        return _job_page(pending, str(request.url))
    query = [("from", first), ("to", second)] + ([("prefixes_date", pfx)] if pfx else [])
    return _cached_page(state, key, lambda: report_html.environment().get_template("diff.html").render(
        q=q, d=value, d_charts=report_html.diff_charts(value), json_url=f"/api/v1/diff/{code}?" + urlencode(query)))


def _blocking_page(state: AppState, q: dict[str, Any], value: dict[str, Any] | None) -> HTMLResponse:
    return render("blocking.html", q=q, b=value, b_charts=report_html.blocking_charts(value) if value else {},
                  registers=list_registers(state.settings.data_dir), max_upload=state.settings.max_upload_bytes)


@router.get("/blocking", response_class=HTMLResponse)
def blocking_form(request: Request, register: Text = None, date: Text = None,
                  kind: Annotated[str, Query(max_length=16)] = "auto", resolutions: Text = None) -> HTMLResponse:
    state = state_of(request)
    q = {"register": register, "date": date, "kind": kind, "resolutions": resolutions}
    if not register:
        return _blocking_page(state, q, None)
    try:
        _, value = blocking_job(state, register=register, uploads=None, date=date, kind=kind, strict=False,
                                wait=False, resolutions=resolutions or None, client=client_of(request))
    except Pending as pending:
        return _job_page(pending, str(request.url))
    return _blocking_page(state, q, value)


@router.post("/blocking", response_class=HTMLResponse)
async def blocking_post(request: Request, file: Annotated[UploadFile | None, File()] = None,
                        name: Annotated[str | None, Form(max_length=512, description="A register listed by /api/v1/registers.")] = None,
                        date: Annotated[str | None, Form(max_length=32)] = None,
                        kind: Annotated[str, Form(max_length=16)] = "auto",
                        resolutions_file: Annotated[UploadFile | None, File()] = None,
                        resolutions_name: Annotated[str | None, Form(max_length=512)] = None,
                        pfx2as_file: Annotated[list[UploadFile] | None, File()] = None,
                        asorg_file: Annotated[UploadFile | None, File()] = None,
                        cloud_file: Annotated[list[UploadFile] | None, File()] = None) -> Any:
    from starlette.concurrency import run_in_threadpool

    state = state_of(request)
    check_optional_date(date)  # a bad date is refused before any upload is spooled
    uploads = await spool_uploads(state, file, resolutions_file, pfx2as=pfx2as_file, asorg=asorg_file,
                                  cloud=cloud_file)
    try:
        if not uploads.folders:
            if not name:
                raise ParameterError("choose a register from the list or upload one")
            query = {"register": name, "date": date or "", "kind": kind}
            if resolutions_name:
                query["resolutions"] = resolutions_name
            return RedirectResponse("/blocking?" + urlencode(query), status_code=303)
        uploaded = uploads.register is not None
        try:
            _, value = await run_in_threadpool(blocking_job, state, register=None if uploaded else name,
                                               uploads=uploads, date=date, kind=kind, strict=False, wait=False,
                                               resolutions=resolutions_name or None, client=client_of(request))
        except Pending as pending:
            return RedirectResponse(f"/blocking/result/{pending.job.id}", status_code=303)
    finally:
        uploads.release(state)  # cancelled before the thread ran: nothing else would remove them
    return _blocking_page(state, {"register": None if uploaded else name, "date": date, "kind": kind,
                                  "resolutions": resolutions_name}, value)


@router.get("/blocking/result/{job_id}", response_class=HTMLResponse)
def blocking_result(request: Request, job_id: str) -> HTMLResponse:
    state = state_of(request)
    job = state.runner.get(job_id) if len(job_id) == 16 and job_id.isalnum() else None
    if job is None:
        raise ParameterError(f"no job {job_id[:40]!r} on this server; upload the register again")
    if job.state in ("queued", "running"):
        return _job_page(Pending(job), str(request.url))
    value = state.finished(job)
    return _blocking_page(state, {"register": None, "date": None, "kind": "auto", "resolutions": None}, value)
