"""The FastAPI app: REST API, server-rendered pages, vendored static files, one error shape for everything."""

from __future__ import annotations

import shutil
import time
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from ..errors import (
    DataNotFoundError,
    DownloadError,
    InputError,
    OfflineError,
    ParameterError,
    SplinternetError,
    UnknownCountryError,
)
from .api_routes import JobNotFound
from .dashboard import NoWorldData
from .guard import RequestGuard
from .jobs import Busy, ComputationTimeout
from .settings import WebSettings
from .state import AppState, Pending
from .uploads import UploadTooLarge

__all__ = ["create_app", "remove_stale_spools", "status_of"]

_CSP = ("default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'")
# /docs: Swagger UI from the package (fastapi-offline's copy) and our own start-up script, nothing else
_DOCS_CSP = ("default-src 'self'; style-src 'self'; img-src 'self' data:; script-src 'self'; "
             "frame-ancestors 'none'; form-action 'self'")


def status_of(exc: SplinternetError) -> int:
    """The HTTP status of a library error: the caller's fault (4xx), ours or the data's (5xx)."""
    order: list[tuple[type[SplinternetError], int]] = [
        (UploadTooLarge, 413), (JobNotFound, 404), (NoWorldData, 404), (UnknownCountryError, 404), (ParameterError, 400), (InputError, 422), (DataNotFoundError, 404),
        (ComputationTimeout, 504), (Busy, 503), (OfflineError, 503), (DownloadError, 503),
    ]
    for kind, status in order:
        if isinstance(exc, kind):
            return status
    return 500


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith(("/api/", "/static/", "/openapi"))


def _error(request: Request, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Any:
    if _wants_html(request):
        from ..report.html import environment

        title = "Not found" if status == 404 else ("Cannot compute this" if status >= 500 else "Cannot show this")
        text = environment().get_template("error.html").render(title=title, message=message)
        return HTMLResponse(text, status_code=status, headers=headers)
    return JSONResponse({"error": code, "message": message}, status_code=status, headers=headers)


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(x) for x in err.get("loc", ()) if x not in ("query", "path", "body"))
        parts.append(f"{where or 'request'}: {err.get('msg', 'invalid')}")
    return "; ".join(parts)[:500]


class SecurityHeaders:
    """Headers every answer carries (a plain ASGI wrapper of ``send``: no task group around the app,
    so an error raised while a body streams in reaches the app's handlers as itself)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        docs = scope.get("path") in ("/docs", "/redoc")

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "no-referrer")
                headers.setdefault("Content-Security-Policy", _DOCS_CSP if docs else _CSP)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def remove_stale_spools(directory: Path, *, older_than_s: float) -> int:
    """Remove upload spools a killed server left behind (any live job is younger); how many went."""
    removed = 0
    cutoff = time.time() - older_than_s
    for folder in directory.glob("upload-*") if directory.is_dir() else ():
        try:
            if folder.is_dir() and folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
        except OSError:
            continue
    return removed


def create_app(settings: WebSettings | None = None) -> FastAPI:
    """A new app; ``settings`` default to the environment (SPLINTERNET_WEB_* and the data settings)."""
    from . import api_routes, dashboard, pages, world_routes

    config = settings or WebSettings.from_env()
    state = AppState.build(config)

    @asynccontextmanager
    async def lifespan(app: FastAPI):  # noqa: ANN202
        remove_stale_spools(config.upload_dir, older_than_s=2 * config.timeout_s + 3600)
        yield
        state.runner.shutdown()

    app = FastAPI(title="splinternet", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="How a country is wired to the rest of the Internet: transit, what-if, diff and "
                              "blocking analyses as JSON (the CLI's --json), computed once and cached.")
    app.state.splinternet = state
    app.include_router(api_routes.router)
    app.include_router(world_routes.api_router)
    app.include_router(dashboard.router)
    app.include_router(world_routes.router)
    app.include_router(pages.router)
    app.mount("/static/docs", StaticFiles(directory=str(resources.files("fastapi_offline") / "static")),
              name="docs-static")
    app.mount("/static", StaticFiles(directory=str(resources.files("splinternet.report") / "static")), name="static")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        from ..report.html import environment

        return HTMLResponse(environment().get_template("docs.html").render(openapi_url=app.openapi_url))

    @app.exception_handler(SplinternetError)
    async def library_error(request: Request, exc: SplinternetError) -> Any:
        status = status_of(exc)
        return _error(request, status, exc.code, str(exc), headers={"Retry-After": "10"} if status == 503 else None)

    @app.exception_handler(Pending)
    async def pending(request: Request, exc: Pending) -> Any:
        return JSONResponse(exc.job.to_dict(), status_code=202,
                            headers={"Location": f"/api/v1/jobs/{exc.job.id}", "Retry-After": "2"})

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Any:
        return _error(request, 400, "bad_parameter", _validation_message(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Any:
        code = {404: "not_found", 405: "method_not_allowed", 408: "request_timeout",
                413: "upload_too_large"}.get(exc.status_code, "http_error")
        return _error(request, exc.status_code, code, str(exc.detail), headers=getattr(exc, "headers", None))

    async def guard_error(scope: Any, receive: Any, send: Any, status: int, code: str, message: str,
                          headers: dict[str, str] | None) -> None:
        await _error(Request(scope, receive), status, code, message, headers=headers)(scope, receive, send)

    app.add_middleware(RequestGuard, upload_limit=config.max_upload_bytes, body_timeout_s=config.body_timeout_s,
                       max_uploads=config.max_uploads, respond=guard_error)
    app.add_middleware(SecurityHeaders)  # added last: outermost, so the guard's own answers carry them too
    return app
