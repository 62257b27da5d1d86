"""Sandbox: run untrusted Python in jailed, throwaway processes forked from a warm server."""

from __future__ import annotations

import atexit
import json
import os
import re
import site
import struct
import subprocess
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fbgym.errors import FbgymError
from fbgym.sandbox.isolation import Isolation
from fbgym.sandbox.limits import Limits
from fbgym.sandbox.values import UnencodableValue, decode_value, encode_value

_HERE = Path(__file__).parent
_SERVER_FILES = ("values.py", "_jail.py", "_harness.py", "_server.py")
"""Concatenated into the fork server's script, in this order."""
_PRELOAD = (
    "abc",
    "array",
    "encodings.idna",
    "bisect",
    "cmath",
    "collections",
    "copy",
    "dataclasses",
    "datetime",
    "decimal",
    "enum",
    "fractions",
    "functools",
    "glob",
    "hashlib",
    "heapq",
    "io",
    "itertools",
    "json",
    "math",
    "numbers",
    "operator",
    "pathlib",
    "random",
    "re",
    "shutil",
    "signal",
    "socket",
    "statistics",
    "string",
    "struct",
    "subprocess",
    "textwrap",
    "threading",
    "time",
    "typing",
    "unicodedata",
)
"""Imported by the fork server, so runs start warm; the rest of the standard library is
imported on demand."""
_ADDRESS = re.compile(r"0x[0-9a-fA-F]{6,}")


class SandboxError(FbgymError):
    """The sandbox could not run code (it is unavailable, or refused in strict mode)."""


@dataclass(frozen=True)
class CallError:
    """An exception raised by the sandboxed code (or why its value could not be returned)."""

    type: str
    message: str
    line: int | None = None
    """Line of the solution where it was raised, if known."""
    traceback: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable."""
        return {
            "type": self.type,
            "message": self.message,
            "line": self.line,
            "traceback": self.traceback,
        }


@dataclass(frozen=True)
class CallResult:
    """One call's outcome: a decoded plain value, an error, or nothing (the run ended first)."""

    returned: bool
    value: Any = None
    error: CallError | None = None


@dataclass(frozen=True)
class RunResult:
    """What one run did, as the trusted side saw it."""

    state: str
    """``exited``, ``timeout``, ``overflow`` (too much result data) or ``error`` (the sandbox)."""
    load_error: CallError | None
    """Why the code could not be loaded (syntax error, exception at import, no entry point)."""
    loaded: bool
    calls: tuple[CallResult, ...]
    output: str
    """The start of stdout and stderr, addresses masked."""
    exit_code: int | None = None
    signal: int | None = None
    wall_s: float = 0.0
    protocol_error: str = ""
    """Set when the result channel held something the harness never writes: all calls fail."""
    isolation: dict[str, Any] = field(default_factory=dict)

    @property
    def timed_out(self) -> bool:
        """Whether the run was killed at the wall-clock limit."""
        return self.state == "timeout"


class Sandbox:
    r"""Runs untrusted Python code, each run in a fresh jailed process.

    A warm fork server (started on first use with ``python -I -S`` and an empty environment)
    forks one child per run; see :class:`Isolation` for what jails it and :class:`Limits`
    for what bounds it. Runs can import the standard library and nothing of this process
    (:func:`host_packages`). Results travel as plain data and are decoded here, so the
    verdict on them is always made by the caller, outside the untrusted code.

    >>> with Sandbox(Limits(wall_s=2)) as box:
    ...     box.run("def f(x):\n    return x * 2", entry="f", calls=[(21,)]).calls[0].value
    42

    ``strict=True`` refuses to run unless the isolation is complete (``Isolation.missing``
    is empty). ``uid`` is the unprivileged user runs take when the server runs as root.
    """

    def __init__(
        self,
        limits: Limits | None = None,
        *,
        strict: bool = False,
        uid: int = 65534,
        gid: int = 65534,
        python: str = sys.executable,
    ):
        self.limits = limits or Limits()
        self.strict = strict
        self.uid, self.gid, self.python = uid, gid, python
        self._proc: subprocess.Popen[bytes] | None = None
        self._pid = 0
        self._isolation: Isolation | None = None
        self._lock = threading.Lock()

    # -- lifecycle -------------------------------------------------------------------------
    @property
    def isolation(self) -> Isolation:
        """The isolation in force (starts the server if needed)."""
        with self._lock:
            self._ensure()
            if self._isolation is None:
                raise SandboxError("the sandbox server did not report its isolation")
            return self._isolation

    @property
    def server_pid(self) -> int | None:
        """The fork server's pid, while it runs."""
        return self._proc.pid if self._proc is not None and self._pid == os.getpid() else None

    def _ensure(self) -> None:
        if self._proc is not None and self._pid == os.getpid() and self._proc.poll() is None:
            return
        if self._pid != os.getpid():
            self._proc = None  # inherited across fork: the server belongs to the parent
        self._stop()
        if os.name != "posix" or not hasattr(os, "fork"):
            raise SandboxError(f"the sandbox needs a POSIX system with fork(); this is {os.name}")
        script = "\n".join((_HERE / name).read_text() for name in _SERVER_FILES)
        self._proc = subprocess.Popen(
            [self.python, "-I", "-S", "-c", script],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env={},
            cwd="/",
            start_new_session=True,
        )
        self._pid = os.getpid()
        config = {
            "uid": self.uid,
            "gid": self.gid,
            "preload": list(_PRELOAD),
            "hide": host_packages(),
        }
        reply = self._exchange(config)
        if reply is None or "isolation" not in reply:
            self._stop()
            raise SandboxError(f"the sandbox server failed to start ({self.python} -I -S)")
        self._isolation = Isolation.from_server(reply["isolation"])
        if self.strict and self._isolation.missing:
            self._stop()
            raise SandboxError(
                "strict sandbox refused: this machine lacks "
                + ", ".join(self._isolation.missing)
                + " (run as root, or enable unprivileged user namespaces; or pass strict=False)"
            )
        _LIVE.add(self)

    def _exchange(self, message: dict[str, Any]) -> dict[str, Any] | None:
        proc = self._proc
        if proc is None or proc.stdin is None or proc.stdout is None:
            return None
        body = json.dumps(message).encode("utf-8")
        try:
            proc.stdin.write(struct.pack("!I", len(body)) + body)
            proc.stdin.flush()
            header = proc.stdout.read(4)
            if len(header) < 4:
                return None
            data = proc.stdout.read(struct.unpack("!I", header)[0])
            return json.loads(data)
        except (OSError, ValueError):
            return None

    def _stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        try:
            if proc.stdin is not None:
                proc.stdin.close()
            proc.wait(timeout=2)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait()
        finally:
            if proc.stdout is not None:
                proc.stdout.close()

    def close(self) -> None:
        """Stop the fork server (a later run starts a new one)."""
        with self._lock:
            if self._pid == os.getpid():
                self._stop()
            _LIVE.discard(self)

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- running ---------------------------------------------------------------------------
    def run(
        self,
        source: str,
        *,
        entry: str | None = None,
        calls: Sequence[Sequence[Any]] = (),
        limits: Limits | None = None,
    ) -> RunResult:
        """Run ``source`` as a module, then ``entry(*args)`` for each ``args`` in ``calls``.

        Arguments must be plain data (see :mod:`fbgym.sandbox.values`); each call gets a fresh
        copy. Return values come back decoded, or as a :class:`CallError`.
        """
        limits = limits or self.limits
        try:
            wire_calls = [encode_value(tuple(args)) for args in calls]
        except UnencodableValue as exc:
            raise SandboxError(f"call arguments must be plain data: {exc}") from None
        request = {
            "source": source,
            "entry": entry,
            "calls": wire_calls,
            "limits": limits.to_wire(),
        }
        with self._lock:
            self._ensure()
            reply = self._exchange(request)
            if reply is None:  # the server died; start a fresh one for the next run
                self._stop()
                reply = {"state": "error", "error": "the sandbox server stopped during the run"}
            isolation = self._isolation.to_dict() if self._isolation else {}
        return _parse_reply(reply, len(calls), limits, isolation)


def _parse_reply(
    reply: dict[str, Any], n_calls: int, limits: Limits, isolation: dict[str, Any]
) -> RunResult:
    state = str(reply.get("state", "error"))
    loaded, load_error, protocol_error = False, None, ""
    values: dict[int, CallResult] = {}
    done = False
    if state == "error":
        protocol_error = str(reply.get("error", "sandbox error"))
    for number, line in enumerate(str(reply.get("results", "")).splitlines(), start=1):
        try:
            message = json.loads(line)
            if not isinstance(message, dict) or done:
                raise ValueError("unexpected message")
            if number == 1:
                if message.get("phase") != "load":
                    raise ValueError("the first message is not the load report")
                if "error" in message:
                    load_error = _call_error(message["error"])
                else:
                    loaded = message.get("ok") is True
                continue
            if message.get("phase") == "done":
                done = True
                continue
            index = message["i"]
            if type(index) is not int or index != len(values) or index >= n_calls:
                raise ValueError(f"call {index!r} reported out of order")
            if "ok" in message:
                values[index] = CallResult(True, decode_value(message["ok"]))
            else:
                values[index] = CallResult(True, error=_call_error(message["error"]))
        except (ValueError, KeyError, TypeError, UnencodableValue) as exc:
            protocol_error = f"line {number} of the result channel is invalid ({exc})"
            break
    if protocol_error:
        values = {}
    calls = tuple(values.get(i, CallResult(False)) for i in range(n_calls))
    return RunResult(
        state=state,
        load_error=load_error,
        loaded=loaded and not protocol_error,
        calls=calls,
        output=mask_addresses(str(reply.get("output", ""))[: limits.output_chars]),
        exit_code=reply.get("exit_code"),
        signal=reply.get("signal"),
        wall_s=float(reply.get("wall_s", 0.0)),
        protocol_error=protocol_error,
        isolation=isolation,
    )


def _call_error(data: Any) -> CallError:
    if not isinstance(data, dict):
        raise ValueError("an error report must be an object")
    line = data.get("line")
    return CallError(
        type=str(data.get("type", "Error"))[:100],
        message=mask_addresses(str(data.get("message", ""))[:1000]),
        line=line if type(line) is int else None,
        traceback=mask_addresses(str(data.get("traceback", ""))[-3000:]),
    )


def host_packages() -> list[str]:
    """Where this process's own packages live, to be hidden from runs.

    Its venv, its site-packages (user site included), the other entries of its ``sys.path``
    (the current directory among them), and fbgym with the directory that holds it (a source
    checkout's data, results and history). The server keeps whatever holds its standard
    library, so a run can import the standard library and nothing else.
    """
    site_dirs = getattr(site, "getsitepackages", list)()  # absent in some old virtualenvs
    paths = [sys.prefix, site.getusersitepackages(), *site_dirs, *sys.path]
    paths += [str(_HERE.parent), str(_HERE.parent.parent)]
    return sorted({os.path.abspath(p) for p in paths if isinstance(p, str) and os.path.exists(p)})


def mask_addresses(text: str) -> str:
    """``text`` with memory addresses (``0x7f3a...``) masked, so reports are reproducible."""
    return _ADDRESS.sub("0x…", text)


_LIVE: set[Sandbox] = set()
_SHARED: dict[tuple[Any, ...], Sandbox] = {}


def shared_sandbox(limits: Limits | None = None, *, strict: bool = False) -> Sandbox:
    """A process-wide sandbox for ``(limits, strict)``, so many envs share one warm server."""
    key = (limits or Limits(), strict, os.getpid())
    box = _SHARED.get(key)
    if box is None:
        box = _SHARED[key] = Sandbox(limits, strict=strict)
    return box


@atexit.register
def _close_all() -> None:
    for box in list(_LIVE):
        box.close()
