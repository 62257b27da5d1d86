"""The parent's side of the fork server: starting it, and taking the spares it hands over."""

from __future__ import annotations

import functools
import json
import marshal
import os
import select
import socket
import struct
import subprocess
import sys
import weakref
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fbgym.sandbox.limits import Limits
from fbgym.sandbox.session import Channel

_HERE = Path(__file__).parent
_SERVER_FILES = (
    "values.py",
    "_sys.py",
    "_rootfs.py",
    "_seccomp.py",
    "_landlock.py",
    "_jail.py",
    "_harness.py",
    "_spare.py",
    "_server.py",
)
"""Concatenated into the fork server's script, in this order."""
_BOOT = (
    "import _socket, marshal, struct\n"
    "sock = _socket.socket(fileno=0)\n"
    "def take(n):\n    data = b''\n    while len(data) < n:\n"
    "        chunk = sock.recv(n - len(data))\n"
    "        if not chunk:\n            raise SystemExit(1)\n"
    "        data += chunk\n    return data\n"
    "code = marshal.loads(take(struct.unpack('!I', take(4))[0]))\n"
    "sock.detach()\ndel sock, take\nexec(code)\n"
)
"""How the fork server starts when it runs this interpreter: its code arrives compiled."""
_MAX_FDS = 64


class ServerGone(Exception):
    """The fork server stopped answering."""


@functools.cache
def _server_source() -> str:
    return "\n".join((_HERE / name).read_text() for name in _SERVER_FILES)


@functools.cache
def _server_code() -> bytes:
    """The fork server's code, compiled here without docstrings and marshalled.

    Compiling it in the server would leave the parser's leftovers in its memory, which
    every fork then copies: some 5 MiB, a sixth of what a run costs.
    """
    return marshal.dumps(compile(_server_source(), "<fbgym sandbox>", "exec", optimize=2))


class ForkServer:
    """A running fork server (see ``_server.py``): its process, socket and handed spares."""

    def __init__(self, python: str, config: dict[str, Any]):
        python = os.path.realpath(python)
        compiled = python == os.path.realpath(sys.executable)
        mine, theirs = socket.socketpair()
        with theirs:
            self.proc = subprocess.Popen(
                [python, "-I", "-S", "-c", _BOOT if compiled else _server_source()],
                stdin=theirs.fileno(),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env={},
                cwd="/",
                start_new_session=True,
            )
        self.sock = mine
        _LIVE.add(self)
        self.spares: list[tuple[int, list[int]]] = []
        """Spares handed over and not yet used: their numbers and fds."""
        self.ended: list[list[Any]] = []
        """Runs that ended done, not yet told: the next ``go`` tells it (see :meth:`end`)."""
        try:
            if compiled:
                code = _server_code()
                mine.sendall(struct.pack("!I", len(code)) + code)
            self._send(config)
            reply = self._receive(lambda m: "isolation" in m)
        except (OSError, ServerGone):
            self.stop()
            raise ServerGone(f"the sandbox server failed to start ({python} -I -S)") from None
        self.isolation: dict[str, Any] = reply["isolation"]

    @property
    def alive(self) -> bool:
        """Whether the server still runs."""
        return self.proc.poll() is None

    def _send(self, message: dict[str, Any]) -> None:
        body = json.dumps(message).encode("utf-8")
        self.sock.sendall(struct.pack("!I", len(body)) + body)

    def _message(self) -> dict[str, Any]:
        """The server's next message; the spares of a ``ready`` one join :attr:`spares`."""
        header, fds, _, _ = socket.recv_fds(self.sock, 4, _MAX_FDS)
        try:
            header += _recv_exact(self.sock, 4 - len(header))
            message = json.loads(_recv_exact(self.sock, struct.unpack("!I", header)[0]))
            numbers = message.get("ready", [])
            if len(fds) != 3 * len(numbers):
                raise ServerGone("a message came with the wrong number of fds")
        except BaseException:
            for fd in fds:
                os.close(fd)
            raise
        self.spares += [(n, fds[3 * i : 3 * i + 3]) for i, n in enumerate(numbers)]
        return message

    def _receive(self, wanted: Any) -> dict[str, Any]:
        """Read messages until one for which ``wanted(message)`` holds."""
        while True:
            message = self._message()
            if wanted(message):
                return message

    def batch(self, limits: Sequence[Limits]) -> list[Channel]:
        """Start a batch of runs, one per ``limits``; a channel to each."""
        while len(self.spares) < len(limits) and select.select([self.sock], [], [], 0)[0]:
            self._message()  # take what was handed over
        if len(self.spares) < len(limits):  # ending the runs before: spares may wait for it
            self._send({"end": self.ended, "want": len(limits)})
            self.ended = []
            self._receive(lambda m: len(self.spares) >= len(limits))
        taken, self.spares = self.spares[: len(limits)], self.spares[len(limits) :]
        go = [[n, lim.wall_s, lim.cpu_s] for (n, _), lim in zip(taken, limits)]
        self._send({"end": self.ended, "go": go})
        self.ended = []
        return [Channel(number, fds, lim) for (number, fds), lim in zip(taken, limits)]

    def end(self, channels: Sequence[Channel]) -> list[dict[str, Any]]:
        """End the batch; how each run ended (what only the server knows of runs not done).

        Runs that said they were done exited 0 as far as anyone can tell (a run's process
        exits once done, and its PID namespace dies with it), so unless a run was not done the
        server is not asked: it is told with the next batch, and nothing here waits.
        """
        done = [c.done and c.state == "exited" for c in channels]
        for channel in channels:
            channel.end_requests()
        self.ended += [[c.number, d, c.gone] for c, d in zip(channels, done)]
        if all(done):
            return [{"exit_code": 0} for _ in channels]
        ended, self.ended = self.ended, []
        self._send({"end": ended, "reply": True})
        runs = self._receive(lambda m: "runs" in m)["runs"]
        if not isinstance(runs, list) or len(runs) != len(ended):
            raise ServerGone("the server's answer does not match the runs ended")
        return runs[len(runs) - len(channels) :]

    def forget(self) -> None:
        """Close this process's copies of the socket and the spares' fds, and nothing more.

        For a process forked from the one that started the server: were it to keep them, a
        spare would never see the end of its requests, and the server never its parent's.
        """
        for _, fds in self.spares:
            for fd in fds:
                os.close(fd)
        self.spares = []
        self.sock.close()

    def stop(self) -> None:
        """Close the socket (the server then ends its runs and exits) and wait for it."""
        for _, fds in self.spares:
            for fd in fds:
                os.close(fd)
        self.spares = []
        self.sock.close()
        try:
            self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


_LIVE: weakref.WeakSet[ForkServer] = weakref.WeakSet()


def _forget_all() -> None:
    for server in list(_LIVE):
        server.forget()
    _LIVE.clear()


os.register_at_fork(after_in_child=_forget_all)


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ServerGone("the sandbox server closed its socket")
        data += chunk
    return data
