"""A real uvicorn server on 127.0.0.1 (ephemeral port) with small bounds: slow clients are cut off,
oversized bodies refused while they stream, uploads bounded in number, spools never left behind."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from splinternet.config import Settings
from splinternet.web import WebSettings, create_app
from splinternet.web.server import server_config

from .live_server import serving

BOUNDARY = "splinternetboundary"


@dataclass
class Running:
    port: int
    settings: WebSettings
    app: object

    def connect(self) -> socket.socket:
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        sock.settimeout(10)
        return sock


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    cache = tmp_path_factory.mktemp("bounded-cache")
    settings = WebSettings(data=Settings(cache_dir=cache, offline=True), max_upload_bytes=64 * 1024,
                           header_timeout_s=1.0, body_timeout_s=1.5, keep_alive_s=1, max_uploads=1,
                           max_connections=8, disk_cache=False)
    app = create_app(settings)
    with serving(lambda port: server_config(app, settings, host="127.0.0.1", port=port)) as port:
        yield Running(port, settings, app)


def _closed_within(sock: socket.socket, seconds: float) -> float | None:
    """Seconds until the server closed ``sock`` (reading everything it sends), or None if it stayed open."""
    start = time.monotonic()
    sock.settimeout(0.2)
    while time.monotonic() - start < seconds:
        try:
            if sock.recv(65536) == b"":
                return time.monotonic() - start
        except TimeoutError:
            continue
        except ConnectionResetError:
            return time.monotonic() - start
    return None


def _response(sock: socket.socket, seconds: float = 10) -> bytes:
    """Everything the server sends until it closes the connection or ``seconds`` pass."""
    sock.settimeout(0.2)
    out = b""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            if b"\r\n\r\n" in out and out.split(b"\r\n\r\n", 1)[1]:
                break
            continue
        except ConnectionResetError:
            break
        if not chunk:
            break
        out += chunk
    return out


def _upload_head(port: int, *, chunked: bool = True, length: int | None = None) -> bytes:
    lines = ["POST /api/v1/blocking HTTP/1.1", f"Host: 127.0.0.1:{port}",
             f"Content-Type: multipart/form-data; boundary={BOUNDARY}"]
    lines.append("Transfer-Encoding: chunked" if chunked else f"Content-Length: {length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _part_head() -> bytes:
    return (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.txt\"\r\n"
            "Content-Type: text/plain\r\n\r\n").encode()


def _chunk(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


def test_a_connection_that_sends_nothing_is_closed(server: Running) -> None:
    with server.connect() as sock:
        closed = _closed_within(sock, 8)
    assert closed is not None and closed < 5


def test_slowloris_headers_are_cut_off(server: Running) -> None:
    """A header line every 0.3 s keeps the connection busy forever without the header bound."""
    with server.connect() as sock:
        sock.sendall(b"GET /api/v1/registers HTTP/1.1\r\nHost: x\r\n")
        start = time.monotonic()
        closed_at = None
        for i in range(30):
            try:
                sock.sendall(f"X-Slow-{i}: {i}\r\n".encode())
            except (BrokenPipeError, ConnectionResetError):
                closed_at = time.monotonic() - start
                break
            try:
                sock.settimeout(0.3)
                if sock.recv(1024) == b"":
                    closed_at = time.monotonic() - start
                    break
            except TimeoutError:
                pass
    assert closed_at is not None and closed_at < 5


def test_an_idle_keep_alive_connection_is_closed(server: Running) -> None:
    with server.connect() as sock:
        sock.sendall(b"GET /api/v1/registers HTTP/1.1\r\nHost: x\r\n\r\n")
        first = b""
        while b"\r\n\r\n" not in first:
            first += sock.recv(65536)
        assert first.startswith(b"HTTP/1.1 200")
        assert _closed_within(sock, 8) is not None


def test_well_behaved_clients_are_served_while_slow_ones_wait(server: Running) -> None:
    slow = [server.connect() for _ in range(5)]
    try:
        for sock in slow:
            sock.sendall(b"GET / HTTP/1.1\r\n")
        import httpx

        response = httpx.get(f"http://127.0.0.1:{server.port}/api/v1/registers", timeout=10)
        assert response.status_code == 200
    finally:
        for sock in slow:
            sock.close()


def test_an_oversized_upload_is_refused_before_its_body_ends(server: Running) -> None:
    """The body never ends (no last chunk): only a check while it streams can answer."""
    limit = server.settings.max_upload_bytes
    with server.connect() as sock:
        sock.sendall(_upload_head(server.port) + _chunk(_part_head()))
        sent = 0
        try:
            while sent < 4 * limit:
                sock.sendall(_chunk(b"10.0.0.1\n" * 1000))
                sent += 9000
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer = _response(sock)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b"upload_too_large" in answer


def test_a_declared_length_over_the_limit_is_refused_at_once(server: Running) -> None:
    with server.connect() as sock:
        sock.sendall(_upload_head(server.port, chunked=False, length=10 << 20))
        answer = _response(sock)
    assert answer.startswith(b"HTTP/1.1 413") and b"65,536 bytes" in answer


def test_a_slow_body_is_cut_off_with_408(server: Running) -> None:
    with server.connect() as sock:
        sock.sendall(_upload_head(server.port, chunked=False, length=5000) + _part_head())
        start = time.monotonic()
        answer = _response(sock, seconds=10)
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert b"request_timeout" in answer and time.monotonic() - start < 8


def test_uploads_at_once_are_bounded_with_retry_after(server: Running) -> None:
    import httpx

    with server.connect() as first:
        first.sendall(_upload_head(server.port) + _chunk(_part_head()) + _chunk(b"10.0.0.1\n"))
        time.sleep(0.3)  # the first upload is being received (it holds the only slot)
        second = httpx.post(f"http://127.0.0.1:{server.port}/api/v1/blocking",
                            files={"file": ("x.txt", b"10.0.0.1\n")}, timeout=10)
    assert second.status_code == 503, second.text
    assert second.headers["retry-after"] == "5" and second.json()["error"] == "busy"


def test_a_cancelled_upload_leaves_no_spool(server: Running) -> None:
    with server.connect() as sock:
        sock.sendall(_upload_head(server.port) + _chunk(_part_head()) + _chunk(b"10.0.0.1\n" * 100))
        time.sleep(0.2)
    time.sleep(2.0)  # the body bound ends the request the client walked away from
    upload_dir: Path = server.settings.upload_dir
    assert not upload_dir.exists() or not any(upload_dir.iterdir())
