"""The web dashboard and REST API: FastAPI pages rendered on the server over the library's results."""

from __future__ import annotations

from .settings import WebSettings

__all__ = ["WebSettings", "create_app"]


def create_app(settings: WebSettings | None = None):  # noqa: ANN201 - fastapi.FastAPI
    """Build the app (imported lazily so the CLI does not load FastAPI unless asked)."""
    from .app import create_app as build

    return build(settings)
