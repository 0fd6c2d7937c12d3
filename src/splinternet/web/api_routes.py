"""REST API under /api/v1: the same JSON as the CLI's ``--json``, computed once and cached."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from .. import api
from ..errors import ParameterError
from . import compute
from .cut import cut_transit, cut_whatif
from .params import (
    check_asn,
    check_asns,
    check_cc,
    check_date,
    check_optional_date,
    check_register_name,
    list_registers,
)
from .state import AppState
from .uploads import Spooled, Uploads, spool_uploads

__all__ = ["ErrorBody", "JobBody", "JobNotFound", "blocking_job", "client_of", "router", "state_of"]


class ErrorBody(BaseModel):
    """Every error: a stable code and one sentence that says what was expected."""

    error: str
    message: str


class JobBody(BaseModel):
    """A computation in progress (202), or its state when asked by id."""

    id: str
    title: str
    state: str
    elapsed_s: float
    progress: dict[str, Any]
    error: ErrorBody | None = None


_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "a parameter is not acceptable"},
    404: {"model": ErrorBody, "description": "no data for this country, AS or date"},
    413: {"model": ErrorBody, "description": "the upload is larger than the server's limit"},
    422: {"model": ErrorBody, "description": "an input file is damaged or not of the expected kind"},
    503: {"model": ErrorBody, "description": "busy, or data could not be fetched"},
    504: {"model": ErrorBody, "description": "the computation ran past the server's time bound"},
}
_LONG = {**_ERRORS, 202: {"model": JobBody, "description": "computing (wait=false): poll /api/v1/jobs/{id}"}}

router = APIRouter(prefix="/api/v1", tags=["api"])

Wait = Annotated[bool, Query(description="Wait for the result (up to the server's time bound); false: answer "
                                         "202 with a job to poll.")]
Top = Annotated[int, Query(ge=1, le=200, description="Rows per ranking table.")]
DateQ = Annotated[str, Query(description="Date of the data, YYYY-MM-DD.", max_length=32)]
PrefixesDate = Annotated[str | None, Query(description="Take prefix-to-AS data from this date instead "
                                                       "(YYYY-MM-DD); defaults to the server's setting.",
                                           max_length=32)]


def state_of(request: Request) -> AppState:
    return request.app.state.splinternet


def client_of(request: Request) -> str | None:
    """The address a request came from: jobs are counted per address (one client cannot fill the queue)."""
    return request.client.host if request.client else None


def _prefixes(state: AppState, value: str | None) -> str | None:
    return check_optional_date(value, "prefixes_date") or state.settings.prefixes_date


@router.get("/transit/{cc}", responses=_LONG, summary="Who carries a country to the world")
def transit(request: Request, cc: str, date: DateQ, prefixes_date: PrefixesDate = None, top: Top = 20,
            wait: Wait = True) -> dict[str, Any]:
    state = state_of(request)
    code, day, pfx = check_cc(cc), check_date(date), _prefixes(state, prefixes_date)
    params = {"cc": code, "date": day, "prefixes_date": pfx, "top": compute.FULL_TOP}
    _, value = state.result("transit", params, f"transit {code} {day}", lambda p: compute.transit(
        state.pool, code, day, pfx, top=compute.FULL_TOP, progress=p), wait=wait, client=client_of(request))
    return cut_transit(value, top)


@router.get("/whatif/{cc}", responses=_LONG, summary="Before and after removing ASes")
def whatif(request: Request, cc: str, date: DateQ,
           without: Annotated[list[str], Query(description="AS to remove; repeat for several.")],
           links_only: bool = False, prefixes_date: PrefixesDate = None, top: Top = 15,
           wait: Wait = True) -> dict[str, Any]:
    state = state_of(request)
    code, day, pfx, asns = check_cc(cc), check_date(date), _prefixes(state, prefixes_date), check_asns(without)
    params = {"cc": code, "date": day, "prefixes_date": pfx, "without": asns, "links_only": links_only,
              "top": compute.FULL_TOP}
    title = f"what-if {code} {day} without {', '.join(f'AS{a}' for a in asns)}"
    _, value = state.result("whatif", params, title, lambda p: compute.whatif(
        state.pool, code, day, pfx, asns, links_only=links_only, top=compute.FULL_TOP, progress=p), wait=wait,
        client=client_of(request))
    return cut_whatif(value, top)


@router.get("/diff/{cc}", responses=_LONG, summary="What changed between two dates")
def diff(request: Request, cc: str, date_from: Annotated[str, Query(alias="from", max_length=32)],
         date_to: Annotated[str, Query(alias="to", max_length=32)], prefixes_date: PrefixesDate = None,
         top: Top = 15, wait: Wait = True) -> dict[str, Any]:
    state = state_of(request)
    code, first, second = check_cc(cc), check_date(date_from, "from"), check_date(date_to, "to")
    pfx = _prefixes(state, prefixes_date)
    if first >= second:
        raise ParameterError(f"'from' ({first}) must come before 'to' ({second})")
    # top stays in the key: which links and moves a diff lists depends on how deep both rankings go
    params = {"cc": code, "from": first, "to": second, "prefixes_date": pfx, "top": top}
    _, value = state.result("diff", params, f"diff {code} {first} -> {second}", lambda p: compute.diff(
        state.settings.data, code, first, second, pfx, top=top, progress=p), wait=wait, client=client_of(request))
    return value


@router.get("/asn/{asn}", responses=_LONG, summary="One AS: name, organization, relationships")
def asn(request: Request, asn: str, date: DateQ, wait: Wait = True) -> dict[str, Any]:
    state = state_of(request)
    number, day = check_asn(asn), check_date(date)
    _, value = state.result("asn", {"asn": number, "date": day}, f"AS{number} {day}",
                            lambda p: compute.as_profile(state.pool, number, day, progress=p), wait=wait,
                            client=client_of(request))
    return value


_ADDRESS = re.compile(r"^[0-9A-Fa-f:.]{2,45}$")


@router.get("/ip/{address}", responses=_LONG, summary="One address: prefix, origin AS, registry, cloud")
def ip(request: Request, address: str, date: DateQ, prefixes_date: PrefixesDate = None,
       wait: Wait = True) -> dict[str, Any]:
    state = state_of(request)
    if not _ADDRESS.match(address):
        raise ParameterError(f"not an IP address: {address[:60]!r}; expected e.g. 8.8.8.8 or 2001:db8::1")
    api.params.ip_address(address)
    day, pfx = check_date(date), _prefixes(state, prefixes_date)
    _, value = state.result("ip", {"address": address, "date": day, "prefixes_date": pfx}, f"{address} {day}",
                            lambda p: compute.ip(state.pool, address, day, pfx, progress=p), wait=wait,
                            client=client_of(request))
    return value


@router.get("/search/as", responses=_ERRORS, summary="Find ASes by number or name")
def search_as(request: Request, q: Annotated[str, Query(min_length=1, max_length=100)], date: DateQ,
              limit: Annotated[int, Query(ge=1, le=100)] = 20) -> dict[str, Any]:
    state = state_of(request)
    day = check_date(date)
    text = q.strip()
    if not text:
        raise ParameterError("q is empty; expected part of an AS name or number")
    return state.searches.search(state.pool, text, day, limit=limit)


@router.get("/registers", summary="Registers a request may name (files in the server's data directory)")
def registers(request: Request) -> dict[str, Any]:
    return {"registers": list_registers(state_of(request).settings.data_dir)}


@router.get("/jobs/{job_id}", responses={404: {"model": ErrorBody}}, summary="Progress of a computation")
def job(request: Request, job_id: str) -> JobBody:
    found = state_of(request).runner.get(job_id) if re.fullmatch(r"[0-9a-f]{16}", job_id) else None
    if found is None:
        raise JobNotFound(f"no job {job_id[:40]!r} on this server (jobs are kept in memory only)")
    return JobBody(**found.to_dict())


class JobNotFound(ParameterError):
    code = "job_not_found"


def _resolutions_spec(state: AppState, name: str | None,
                      upload: Spooled | None) -> tuple[Path | None, str | None, dict[str, Any]]:
    """(path, name to show, cache identity) of the domain resolutions for collateral damage, if any."""
    if upload is not None:
        path, shown, sha = upload
        return path, shown, {"resolutions_sha256": sha, "resolutions_shown": shown}  # the name is in the result
    if name:
        path = check_register_name(state.settings.data_dir, name, what="resolutions file")
        stat = path.stat()
        return path, name, {"resolutions": name, "resolutions_mtime": stat.st_mtime_ns,
                            "resolutions_size": stat.st_size}
    return None, None, {}


def blocking_job(state: AppState, *, register: str | None, uploads: Uploads | None, date: str | None, kind: str,
                 strict: bool, wait: bool, resolutions: str | None = None,
                 client: str | None = None) -> tuple[str, Any]:
    """Run (or fetch) the blocking report of a named register or an uploaded one.

    With ``resolutions`` (a name in the data directory) or an uploaded resolutions file, the
    report carries collateral damage: unrelated domains on blocked addresses. Uploaded files
    are removed when this returns, unless the job it started owns them (then when it ends).
    """
    uploads = uploads or Uploads()
    try:
        return _blocking_job(state, register=register, uploads=uploads, date=date, kind=kind, strict=strict,
                             wait=wait, resolutions=resolutions, client=client)
    finally:
        uploads.release(state)


def _blocking_job(state: AppState, *, register: str | None, uploads: Uploads, date: str | None, kind: str,
                  strict: bool, wait: bool, resolutions: str | None, client: str | None) -> tuple[str, Any]:
    kind = api.params.register_kind(kind).value
    day = check_optional_date(date)
    if uploads.register is not None:
        path, shown, sha = uploads.register
        params: dict[str, Any] = {"upload_sha256": sha, "shown": shown, "date": day, "kind": kind, "strict": strict}
    elif register:
        path = check_register_name(state.settings.data_dir, register)
        shown, stat = register, path.stat()
        params = {"register": register, "mtime": stat.st_mtime_ns, "size": stat.st_size, "date": day, "kind": kind,
                  "strict": strict}
    else:
        raise ParameterError("name a register from /api/v1/registers (name=...) or upload one (file=...)")
    res_path, res_shown, res_params = _resolutions_spec(state, resolutions, uploads.resolutions)
    params.update(res_params)
    params.update(_attribution_params(uploads))
    cloud = uploads.cloud[0][0] if len(uploads.cloud) == 1 else (uploads.cloud[0][0].parent if uploads.cloud else None)
    shown_paths = [(p, name) for p, name, _ in uploads.attribution]
    if len(uploads.cloud) > 1:
        shown_paths.append((uploads.cloud[0][0].parent, "upload:cloud-ranges"))
    spec = compute.Blocking(path=path, shown_as=shown, date=day, kind=kind, strict=strict, resolutions=res_path,
                            resolutions_shown=res_shown, uploaded=uploads.register is not None,
                            resolutions_uploaded=uploads.resolutions is not None,
                            pfx2as=tuple(p for p, _, _ in uploads.pfx2as),
                            asorg=uploads.asorg[0] if uploads.asorg else None, cloud=cloud, shown=tuple(shown_paths))
    uploads.key = params_key("blocking", params)
    return state.result("blocking", params, f"blocking report of {shown}", lambda progress: compute.blocking(
        state.settings.data, spec, state.settings.cloud_dir, progress=progress,
        upload_limits=state.settings.upload_decompression), wait=wait, client=client,
        on_end=uploads.remove if uploads.folders else None)


def _attribution_params(uploads: Uploads) -> dict[str, Any]:
    """The cache identity of uploaded attribution files: content and the names shown in the result."""
    def ident(spooled: list[Spooled]) -> list[list[str]]:
        return [[shown, sha] for _, shown, sha in spooled]

    out: dict[str, Any] = {}
    if uploads.pfx2as:
        out["pfx2as_uploads"] = ident(uploads.pfx2as)
    if uploads.asorg:
        out["asorg_upload"] = ident([uploads.asorg])
    if uploads.cloud:
        out["cloud_uploads"] = ident(uploads.cloud)
    return out


def params_key(kind: str, params: dict[str, Any]) -> str:
    from .jobs import cache_key

    return cache_key(kind, params)


DATE_HELP = ("Date of the attribution data, YYYY-MM-DD: the catalog's prefix-to-AS and AS organizations of "
             "that day (default: the register's own date, else today).")
PFX2AS_HELP = ("Prefix-to-AS file(s), CAIDA pfx2as or pyasn (size-limited; repeat for IPv6): replace the "
               "catalog's for this request.")
ASORG_HELP = "CAIDA as-org2info file (size-limited): replaces the catalog's AS organizations for this request."
CLOUD_HELP = ("Cloud range files (size-limited; repeat): provider files (JSON, CSV or text lists) or AWS history "
              "tarballs named YYYY.tar.gz; replace the server's cloud ranges for this request.")


@router.post("/blocking", responses=_LONG, summary="What a blocking register blocks (upload it, or name one)")
async def blocking(request: Request,
                   file: Annotated[UploadFile | None, File(description="The register (size-limited).")] = None,
                   name: Annotated[str | None, Form(max_length=512, description="A register listed by /api/v1/registers.")] = None,
                   date: Annotated[str | None, Form(max_length=32, description=DATE_HELP)] = None,
                   kind: Annotated[str, Form(max_length=16)] = "auto",
                   strict: Annotated[bool, Form()] = False,
                   wait: Annotated[bool, Form()] = True,
                   resolutions_file: Annotated[UploadFile | None, File(
                       description="Domain resolutions for collateral damage: domain,ip CSV or zdns/massdns JSON "
                                   "lines (size-limited).")] = None,
                   resolutions_name: Annotated[str | None, Form(
                       max_length=512, description="A resolutions file listed by /api/v1/registers.")] = None,
                   pfx2as_file: Annotated[list[UploadFile] | None, File(description=PFX2AS_HELP)] = None,
                   asorg_file: Annotated[UploadFile | None, File(description=ASORG_HELP)] = None,
                   cloud_file: Annotated[list[UploadFile] | None, File(description=CLOUD_HELP)] = None,
                   ) -> Any:
    from starlette.concurrency import run_in_threadpool

    state = state_of(request)
    check_optional_date(date)  # a bad date is refused before any upload is spooled
    uploads = await spool_uploads(state, file, resolutions_file, pfx2as=pfx2as_file, asorg=asorg_file,
                                  cloud=cloud_file)
    try:
        _, value = await run_in_threadpool(blocking_job, state, register=name or None, uploads=uploads, date=date,
                                           kind=kind, strict=strict, wait=wait,
                                           resolutions=resolutions_name or None, client=client_of(request))
    finally:
        uploads.release(state)  # cancelled before the thread ran: nothing else would remove them
    return JSONResponse(value)


