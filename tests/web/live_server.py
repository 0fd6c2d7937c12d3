"""What the browser tests share: where Debian's chromium is, and the app served on a free loopback port."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@contextmanager
def serving(config_for: Callable[[int], Any]) -> Iterator[int]:
    """A uvicorn server in a thread on a free loopback port, configured by ``config_for(port)``;
    yields the port once the server has started, stops it on exit."""
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(config_for(port))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    assert server.started, "the server did not start"
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def live_server(app: Any) -> Iterator[str]:
    """``app`` under uvicorn in a thread on 127.0.0.1; yields its base URL, stops it on exit."""
    import uvicorn

    with serving(lambda port: uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")) as port:
        yield f"http://127.0.0.1:{port}"
