"""`splinternet report CC --html FILE` (one offline HTML file) and `splinternet serve` (dashboard + REST API)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from .. import api
from ..config import Settings
from ..errors import ParameterError
from ..report.files import check_output_file
from ..report.html import render_report, write_report
from .common import (
    AllowDamagedOption,
    DateOption,
    JsonOption,
    OfflineOption,
    StabilityOption,
    StrictOption,
    TopOption,
    UseOption,
)
from .output import announce, err_console, print_json, progress_bar, to_jsonable, warn_reserved
from .transit import ByOption, PrefixDateOption


def report_command(
    cc: Annotated[str, typer.Argument(help="Country code, e.g. LI.")],
    html: Annotated[Path, typer.Option("--html", help="Write the report to this HTML file (opens offline).")],
    date: DateOption = None,
    prefixes_date: PrefixDateOption = None,
    use: UseOption = None,
    without: Annotated[list[str] | None, typer.Option("--without", help="Add a what-if section without this AS "
                                                      "(repeat for several).")] = None,
    register: Annotated[list[Path] | None, typer.Option("--register", help="Add a blocking section for this "
                                                        "register (file, or dump-NN.csv pieces).")] = None,
    cloud: Annotated[Path | None, typer.Option("--cloud", help="Cloud ranges for the blocking section "
                                               "(file or directory).")] = None,
    resolutions: Annotated[Path | None, typer.Option("--resolutions", help="Domain resolutions (domain,ip CSV or "
                                                     "zdns/massdns JSON lines): collateral damage in the blocking "
                                                     "section.")] = None,
    top: TopOption = 20,
    stability: StabilityOption = False,
    by: ByOption = api.Grouping.AS,
    strict: StrictOption = False,
    allow_damaged: AllowDamagedOption = False,
    offline: OfflineOption = False,
    json_out: JsonOption = False,
) -> None:
    """One self-contained HTML report: ranking, charts, served and single-homed networks, provenance."""
    check_output_file(html, (".html", ".htm"), label="--html")
    cc = api.params.country_code(cc)
    if resolutions is not None and not register:
        raise ParameterError("--resolutions needs --register: collateral damage is about a register's addresses")
    settings = Settings.from_env(offline=offline or None)
    asns = api.params.asn_list(without, what="for the what-if section") if without else []
    warn_reserved(asns)
    options = api.TransitOptions(top=top, stability=stability, by=by)  # the what-if section stays per AS
    choices = api.params.dataset_choices(use)
    with progress_bar() as progress:
        snapshot = api.Snapshot.for_date(date, settings=settings, prefixes_date=prefixes_date, progress=progress,
                                         strict=strict, allow_damaged=allow_damaged, choices=choices)
        transit = to_jsonable(api.transit(cc, date, options=options, snapshot=snapshot, progress=progress))
        whatif = None
        if asns:
            whatif = to_jsonable(api.whatif(cc, date, asns, options=api.TransitOptions(top=min(top, 15)),
                                            snapshot=snapshot, progress=progress))
        blocking = _blocking(register, date, cloud, settings, top, resolutions, strict, allow_damaged, choices) \
            if register else None
    text = render_report(transit, whatif=whatif, blocking=blocking)
    write_report(html, text)
    if json_out:
        print_json({"html": str(html.absolute()), "bytes": len(text.encode("utf-8")), "transit": transit, "whatif": whatif,
                    "blocking": blocking})
    announce(html)


def _blocking(register: list[Path], date: str | None, cloud: Path | None, settings: Settings, top: int,
              resolutions: Path | None = None, strict: bool = False, allow_damaged: bool = False,
              uses: dict[str, api.DatasetChoice] | None = None) -> dict[str, Any]:
    options = api.BlockingOptions(date=date, files=api.AttributionFiles(cloud=cloud), top=top, strict=strict,
                                  allow_damaged=allow_damaged, uses=uses)
    out: dict[str, Any] = to_jsonable(api.blocking_report(register, options, resolutions=resolutions,
                                                          settings=settings))
    out["register"] = {**out.get("register", {}), "shown_as": ", ".join(p.name for p in register)}
    return out


def serve_command(
    host: Annotated[str, typer.Option(help="Address to listen on; only this machine by default.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.", min=1, max=65535)] = 8000,
    data_dir: Annotated[Path | None, typer.Option("--data-dir", help="Directory whose register files requests may "
                                                  "name (read only).")] = None,
    cloud: Annotated[Path | None, typer.Option("--cloud", help="Cloud ranges for blocking reports.")] = None,
    prefixes_date: Annotated[str | None, typer.Option("--prefixes-date", help="Prefix-to-AS date for every request "
                                                      "that names none (e.g. 2024-04-06 with the development "
                                                      "mirror, which holds no other).")] = None,
    world: Annotated[list[Path] | None, typer.Option("--world", help="A world dataset (splinternet world --out DIR), "
                                                     "or a directory of them, one per date; repeat for several. "
                                                     "The home page maps them; their country pages need no "
                                                     "computation.")] = None,
    timeout: Annotated[float | None, typer.Option("--timeout", help="Bound on one computation, in seconds "
                                                  "(default 300).", min=1)] = None,
    max_upload: Annotated[int | None, typer.Option("--max-upload", help="Largest upload request (register and "
                                                   "resolutions together), in bytes (default 64 MiB).", min=1)]
    = None,
    workers: Annotated[int, typer.Option("--workers", help="Computations run at the same time.", min=1)] = 1,
    no_disk_cache: Annotated[bool, typer.Option("--no-disk-cache", help="Keep results in memory only.")] = False,
) -> None:
    """The web dashboard and REST API (FastAPI); results are cached, long ones show progress."""
    try:
        from ..web import WebSettings
        from ..web.server import serve
    except ImportError as exc:
        raise ParameterError(f"the web app needs the 'web' extra: pip install 'splinternet[web]' ({exc})") from None
    if data_dir is not None and not data_dir.is_dir():
        raise ParameterError(f"--data-dir {data_dir}: not a directory")
    settings = WebSettings.from_env(data_dir=data_dir, cloud_dir=cloud, prefixes_date=prefixes_date,
                                    world_dirs=tuple(world or ()), timeout_s=timeout, max_upload_bytes=max_upload, workers=workers,
                                    disk_cache=not no_disk_cache)
    if settings.world_dirs:
        api.find_worlds(settings.world_dirs)  # one clear error now, before the server says it is listening
    if host not in ("127.0.0.1", "::1", "localhost"):
        err_console.print(f"[yellow]note:[/] listening on {host}: other machines can reach this server")
    err_console.print(f"splinternet on http://{host}:{port}/  (API docs at /docs)", highlight=False)
    serve(settings, host=host, port=port)
