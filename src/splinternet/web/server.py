"""Running the app under uvicorn with every connection bounded in time and number.

uvicorn closes an idle keep-alive connection (``timeout_keep_alive``) and answers 503 past
``limit_concurrency``, but waits forever for the headers of a request: a client that opens
connections and sends a header line now and then (slowloris) holds them all, and the
concurrency limit then turns everyone else away. :class:`HeaderTimeoutH11` closes a
connection whose request headers are not complete within ``header_timeout_s`` of its opening
(or of the end of the previous response); the body is bounded by :mod:`.guard`.
"""

from __future__ import annotations

import asyncio
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from .settings import WebSettings

__all__ = ["HeaderTimeoutH11", "serve", "server_config"]


class HeaderTimeoutH11(H11Protocol):
    """uvicorn's h11 protocol, closing connections that take too long to send a request's headers."""

    header_timeout_s = 10.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._header_timer: asyncio.TimerHandle | None = None
        self._arm_header_timer()

    def _arm_header_timer(self) -> None:
        self._cancel_header_timer()
        self._header_timer = self.loop.call_later(self.header_timeout_s, self._headers_too_slow)

    def _cancel_header_timer(self) -> None:
        timer = getattr(self, "_header_timer", None)
        if timer is not None:
            timer.cancel()
            self._header_timer = None

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()  # nothing to answer: no request was ever complete

    def handle_events(self) -> None:
        super().handle_events()
        if self.conn.their_state is not h11.IDLE:  # a request's headers are in
            self._cancel_header_timer()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:
            self._arm_header_timer()  # the next request's headers get the same bound

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_header_timer()
        super().connection_lost(exc)


def server_config(app: Any, settings: WebSettings, *, host: str, port: int, **extra: Any) -> uvicorn.Config:
    """uvicorn's configuration with the time and connection bounds of ``settings``."""
    protocol = type("BoundedH11", (HeaderTimeoutH11,), {"header_timeout_s": settings.header_timeout_s})
    return uvicorn.Config(app, host=host, port=port, http=protocol, timeout_keep_alive=settings.keep_alive_s,
                          limit_concurrency=settings.max_connections, h11_max_incomplete_event_size=16 * 1024,
                          log_level=extra.pop("log_level", "warning"), **extra)


def serve(settings: WebSettings, *, host: str, port: int) -> None:
    """Serve the app until interrupted."""
    from .app import create_app

    uvicorn.Server(server_config(create_app(settings), settings, host=host, port=port)).run()
