"""Run a served app with uvicorn: in the foreground (the CLI) or in a background thread."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from typing import Any

from fbgym.errors import ConfigError


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` (port 0: any free port)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.listen(2048)
    return sock


def url_of(sock: socket.socket) -> str:
    """The ``http://host:port`` a bound socket serves."""
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _server(app: Any, max_message_bytes: int, log_level: str):
    import uvicorn

    config = uvicorn.Config(
        app,
        log_level=log_level,
        ws_max_size=max_message_bytes,
        timeout_graceful_shutdown=5,
        lifespan="on",
    )
    return uvicorn.Server(config)


def serve(
    app: Any,
    sock: socket.socket,
    *,
    max_message_bytes: int,
    log_level: str = "warning",
    on_ready: Callable[[], None] | None = None,
) -> None:
    """Serve ``app`` on ``sock`` until interrupted (Ctrl-C)."""
    server = _server(app, max_message_bytes, log_level)
    if on_ready is not None:
        _when_started(server, on_ready)
    server.run(sockets=[sock])


def _when_started(server: Any, callback: Callable[[], None]) -> None:
    def watch() -> None:
        while not server.started and not server.should_exit:
            time.sleep(0.01)
        if server.started:
            callback()

    threading.Thread(target=watch, daemon=True).start()


class BackgroundServer:
    """``app`` served on loopback from a thread of this process, for tests and benchmarks.

    >>> with BackgroundServer(app) as url:  # doctest: +SKIP
    ...     env = fbgym.remote.make(url, "fbgym/Math-v0")
    """

    def __init__(
        self,
        app: Any,
        *,
        host: str = "127.0.0.1",
        max_message_bytes: int = 16 * 2**20,
        log_level: str = "critical",
    ):
        self.app = app
        self.sock = bind(host, 0)
        self.url = url_of(self.sock)
        self._server = _server(app, max_message_bytes, log_level)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )

    def __enter__(self) -> str:
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise ConfigError(f"the server at {self.url} did not start")
            time.sleep(0.01)
        return self.url

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=30)
        self.sock.close()
