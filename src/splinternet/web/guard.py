"""Bounds on what one request may hold, checked as its bytes arrive (an ASGI middleware).

FastAPI reads (and spools) a whole multipart body before a route sees it, so the size of an
upload must be checked below it, on ``receive``: the declared ``Content-Length`` is refused at
once, and the bytes actually sent are counted, so a body past the limit stops there. The same
wrapper bounds the time a client may take to send its body (a slow-body client holds a
connection and a spool forever otherwise), and the number of uploads in progress.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import (
    HTTPException,  # FastAPI passes its own kind on while it parses a form (others: 400)
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["BodyTooLarge", "BodyTooSlow", "FORM_OVERHEAD", "RequestGuard"]

# Form fields, part headers and boundaries around the files of one upload request.
FORM_OVERHEAD = 64 * 1024

ErrorResponder = Callable[[Scope, Receive, Send, int, str, str, dict[str, str] | None], Awaitable[Any]]


class BodyTooLarge(HTTPException):
    """The request body passed the server's limit (413); raised from ``receive`` as the bytes arrive."""

    def __init__(self, limit: int, upload: bool) -> None:
        what = " for uploads (every file of the request together)" if upload else " for a request that is no upload"
        super().__init__(413, f"the request body is larger than this server's limit of {limit:,} bytes{what}")


class BodyTooSlow(HTTPException):
    """The client did not send its body within the server's bound (408)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(408, f"the request body did not arrive within {seconds:g} s; send it at once",
                         headers={"Connection": "close"})


def _is_upload(scope: Scope) -> bool:
    if scope.get("method") != "POST":
        return False
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            return bool(value.lower().startswith(b"multipart/form-data"))
    return False


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class RequestGuard:
    """Caps body bytes (uploads: ``upload_limit``, other requests: ``FORM_OVERHEAD``), the time
    to receive a body (``body_timeout_s``), and uploads in progress (``max_uploads``; 503 with
    ``Retry-After`` beyond, before any byte of the body is read)."""

    def __init__(self, app: ASGIApp, *, upload_limit: int, body_timeout_s: float, max_uploads: int,
                 respond: ErrorResponder) -> None:
        self.app = app
        self.upload_limit = upload_limit + FORM_OVERHEAD
        self.body_timeout_s = body_timeout_s
        self.max_uploads = max(max_uploads, 1)
        self.respond = respond
        self.uploads_in_progress = 0  # one event loop: no lock needed
        self.uploads_refused = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        upload = _is_upload(scope)
        limit = self.upload_limit if upload else FORM_OVERHEAD
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            error = BodyTooLarge(limit - FORM_OVERHEAD if upload else limit, upload)
            await self.respond(scope, receive, send, 413, "upload_too_large", str(error.detail), {"Connection": "close"})
            return
        if upload and self.uploads_in_progress >= self.max_uploads:
            self.uploads_refused += 1
            await self.respond(scope, receive, send, 503, "busy",
                               f"{self.uploads_in_progress} uploads are already being received; try again shortly",
                               {"Retry-After": "5", "Connection": "close"})
            return
        holding = upload
        if upload:
            self.uploads_in_progress += 1
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.body_timeout_s
        received = 0
        body_done = False

        def release() -> None:
            nonlocal holding
            if holding:
                holding = False
                self.uploads_in_progress -= 1

        async def guarded_receive() -> Message:
            nonlocal received, body_done
            if body_done:  # after the body, receive only waits for a disconnect: no bound
                return await receive()
            remaining = deadline - loop.time()
            try:
                message = await asyncio.wait_for(receive(), max(remaining, 0.0))
            except TimeoutError:
                release()
                raise BodyTooSlow(self.body_timeout_s) from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    release()
                    raise BodyTooLarge(limit - FORM_OVERHEAD if upload else limit, upload)
                if not message.get("more_body", False):
                    body_done = True
                    release()  # the body is in: the next upload may start
            else:
                body_done = True
                release()
            return message

        try:
            await self.app(scope, guarded_receive, send)
        finally:
            release()
