"""Sandbox: run untrusted Python in jailed, throwaway processes forked from a warm server."""

from __future__ import annotations

import atexit
import json
import os
import site
import socket
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fbgym.errors import ConfigError, FbgymError
from fbgym.sandbox.forkserver import ForkServer, ServerGone
from fbgym.sandbox.isolation import Isolation
from fbgym.sandbox.limits import Limits
from fbgym.sandbox.results import CallResult, CheckResult, RunResult
from fbgym.sandbox.session import (
    Channel,
    ProtocolError,
    read_load,
    read_message,
    relay_tests,
    run_calls,
)
from fbgym.sandbox.testprogram import TestProgram
from fbgym.sandbox.text import safe_text
from fbgym.sandbox.values import UnencodableValue, encode_value

_PRELOAD = (
    "abc",
    "array",
    "bisect",
    "cmath",
    "collections",
    "copy",
    "decimal",
    "enum",
    "fractions",
    "functools",
    "heapq",
    "io",
    "itertools",
    "json",
    "math",
    "numbers",
    "operator",
    "re",
    "signal",
    "string",
    "struct",
    "textwrap",
    "time",
    "typing",
    "unicodedata",
)
"""Imported by the fork server, so runs start warm; the rest of the standard library is
imported on demand. What is kept here is copied with every fork, so it is what solutions
commonly import (HumanEval's prompts import typing), not the heavy rest (hashlib, socket,
subprocess, pathlib, dataclasses, datetime), nor modules that act at each fork (threading
and random, whose fork hooks each child would pay for)."""


class SandboxError(FbgymError):
    """The sandbox could not run code (it is unavailable, or refused in strict mode)."""


class Sandbox:
    r"""Runs untrusted Python code, each run in a fresh jailed process.

    A warm fork server (started on first use with ``python -I -S`` and an empty environment)
    forks the processes that runs use; see :class:`Isolation` for what jails them and
    :class:`Limits` for what bounds them. Runs see the standard library and nothing else of
    this machine's files. This process talks to each run directly: it sends a program, then
    each call's arguments only once the previous call has answered, and decodes what comes
    back as plain data with bounded work, so the verdict on it is always made here.

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
        self._server: ForkServer | None = None
        self._pid = 0
        self._isolation: Isolation | None = None
        self._isolation_dict: dict[str, Any] = {}
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
        server = self._server
        return server.proc.pid if server is not None and self._pid == os.getpid() else None

    def _ensure(self) -> None:
        if self._server is not None and self._pid == os.getpid() and self._server.alive:
            return
        if self._pid != os.getpid():
            self._server = None  # inherited across fork: it belongs to the parent
        self._stop()
        if os.name != "posix" or not hasattr(socket, "send_fds"):
            raise SandboxError(f"the sandbox needs a POSIX system with fork(); this is {os.name}")
        try:
            self._server = ForkServer(self.python, self._server_config())
        except ServerGone as exc:
            raise SandboxError(str(exc)) from None
        self._pid = os.getpid()
        self._isolation = Isolation.from_server(self._server.isolation)
        self._isolation_dict = self._isolation.to_dict()
        if self.strict and self._isolation.missing:
            self._stop()
            raise SandboxError(
                "strict sandbox refused: this machine lacks "
                + ", ".join(self._isolation.missing)
                + " (run as root, or enable unprivileged user namespaces; or pass strict=False)"
            )
        _LIVE.add(self)

    def _server_config(self) -> dict[str, Any]:
        """What the fork server is told at its start (``_jail.setup_isolation`` reads it)."""
        return {
            "uid": self.uid,
            "gid": self.gid,
            "preload": list(_PRELOAD),
            "hide": host_packages(),
            "scratch": [self.limits.scratch_mb, self.limits.scratch_files],
        }

    def _stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.stop()

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
    def _limits(self, limits: Limits | None) -> Limits:
        """``limits`` for one run, or the sandbox's; its scratch space must be the sandbox's."""
        if limits is None:
            return self.limits
        scratch = (limits.scratch_mb, limits.scratch_files)
        if scratch != (self.limits.scratch_mb, self.limits.scratch_files):
            raise ConfigError(
                f"a run's scratch space is its sandbox's ({self.limits.scratch_mb} MiB, "
                f"{self.limits.scratch_files} files), got {scratch[0]} MiB, {scratch[1]} files:"
                " give them to Sandbox(limits=...)"
            )
        return limits

    def _begin(self, limits: Sequence[Limits]) -> list[Channel] | None:
        """Start a batch of runs; a channel to each (None if the server failed)."""
        try:
            return self._server.batch(limits) if self._server is not None else None
        except (OSError, ValueError, ServerGone):
            self._stop()  # the next run starts a fresh one
            return None

    def _end(self, channels: Sequence[Channel]) -> list[dict[str, Any]]:
        """End the batch; how each run ended (what only the server knows of runs not done)."""
        try:
            if self._server is None:
                raise ServerGone("no server")
            return self._server.end(channels)
        except (OSError, ValueError, ServerGone):
            self._stop()  # the next run starts a fresh one
            return [{"error": "the sandbox server stopped during the run"} for _ in channels]

    def run(
        self,
        source: str,
        *,
        entry: str | None = None,
        calls: Sequence[Sequence[Any]] = (),
        limits: Limits | None = None,
    ) -> RunResult:
        """Run ``source`` as a module, then ``entry(*args)`` for each ``args`` in ``calls``.

        Arguments must be plain data (see :mod:`fbgym.sandbox.values`); each call gets a
        fresh copy, and only once the call before it has returned. Return values come back
        decoded, or as a :class:`CallError`.
        """
        limits = self._limits(limits)
        for args in calls:
            try:
                encode_value(tuple(args))
            except UnencodableValue as exc:
                raise SandboxError(f"call arguments must be plain data: {exc}") from None
        setup = {"source": source, "entry": entry, "names": [entry] if entry else []}
        setup["limits"] = limits.to_wire()
        with self._lock:
            self._ensure()
            isolation = self._isolation_dict
            started = time.monotonic()
            channels = self._begin([limits])
            if channels is None:
                return _failed_run(len(calls), isolation)
            (channel,) = channels
            problem, loaded, load_error, values = "", False, None, []
            try:
                loaded, load_error, values = run_calls(channel, setup, entry or "", calls)
            except ProtocolError as exc:
                problem, values = str(exc), []
            try:
                (server,) = self._end(channels)
                output = channel.output()
            finally:
                channel.close()
        return RunResult(
            state=_state(channel, server),
            load_error=load_error,
            loaded=loaded and not problem,
            calls=tuple(
                values[i] if i < len(values) else CallResult(False) for i in range(len(calls))
            ),
            output=safe_text(output, limits.output_chars),
            exit_code=server.get("exit_code"),
            signal=server.get("signal"),
            wall_s=time.monotonic() - started,
            protocol_error=problem,
            isolation=isolation,
            stopped_by=_stopped_by(channel, server),
        )

    def check(
        self, solution: str, tests: TestProgram, *, entry: str, limits: Limits | None = None
    ) -> CheckResult:
        """Run ``tests`` against ``solution``, each in a jailed process of its own.

        The solution must define ``entry``. The test program calls the solution's functions
        (``tests.bindings``) one at a time; arguments and return values cross between the
        two as plain data (other objects as references), so the solution sees nothing of
        the tests but its arguments, and the tests see nothing of it but its values.
        """
        limits = self._limits(limits)
        names = list(tests.bindings)
        wire = limits.to_wire()
        solution_setup = {
            "source": solution,
            "entry": entry,
            "names": names,
            "refs": True,
            "limits": wire,
        }
        test_setup = {
            "mode": "tester",
            "setup": tests.setup,
            "body": tests.body,
            "bindings": names,
            "limits": wire,
        }
        with self._lock:
            self._ensure()
            isolation = self._isolation_dict
            started = time.monotonic()
            channels = self._begin([limits, limits])
            if channels is None:
                return CheckResult("error", False, None, (), False, isolation=isolation)
            mine, theirs = channels
            loaded, load_error, tests_error = False, None, None
            asserts, aborted, completed, count, problem = [], None, False, 0, ""
            try:
                mine.send(json.dumps(solution_setup))
                theirs.send(json.dumps(test_setup))
                loaded, load_error = read_load(mine)
                if loaded:
                    ready, tests_error = read_load(theirs)
                    if ready:
                        asserts, aborted, completed, count = relay_tests(mine, theirs, names)
                if completed or not loaded:
                    mine.end_requests()
                    read_message(mine, ("done",))
            except ProtocolError as exc:
                problem = str(exc)
            try:
                server, tester = self._end(channels)
                output = mine.output()
            finally:
                for channel in channels:
                    channel.close()
        state, stopped_by = _state(mine, server), _stopped_by(mine, server)
        if state == "exited" and _state(theirs, tester) == "timeout":
            state, stopped_by = "timeout", _stopped_by(theirs, tester)
        return CheckResult(
            state=state,
            loaded=loaded and not problem,
            load_error=load_error,
            asserts=tuple(asserts),
            completed=completed and not problem,
            aborted=aborted,
            tests_error=tests_error,
            calls=count,
            output=safe_text(output, limits.output_chars),
            wall_s=time.monotonic() - started,
            protocol_error=problem,
            isolation=isolation,
            exit_code=server.get("exit_code"),
            signal=server.get("signal"),
            stopped_by=stopped_by,
        )


def _stopped_by(channel: Channel, server: dict[str, Any]) -> str:
    """Which time limit ended the run (``wall`` or ``cpu``), if one did."""
    if _state(channel, server) != "timeout":
        return ""
    return "cpu" if server.get("limit") == "cpu" else "wall"


def _state(channel: Channel, server: dict[str, Any]) -> str:
    if "error" in server:
        return "error"
    if server.get("timed_out") or channel.state == "timeout":
        return "timeout"
    return channel.state


def _failed_run(n_calls: int, isolation: dict[str, Any]) -> RunResult:
    calls = tuple(CallResult(False) for _ in range(n_calls))
    return RunResult("error", None, False, calls, "", isolation=isolation)


def host_packages() -> list[str]:
    """Where this process's own packages live, to be hidden from runs.

    Its venv, its site-packages (user site included), the other entries of its ``sys.path``
    (the current directory among them), and fbgym with the directory that holds it (a source
    checkout's data, results and history). The server keeps whatever holds its standard
    library, so a run can import the standard library and nothing else.
    """
    site_dirs = getattr(site, "getsitepackages", list)()  # absent in some old virtualenvs
    paths = [sys.prefix, site.getusersitepackages(), *site_dirs, *sys.path]
    package = Path(__file__).parent.parent
    paths += [str(package), str(package.parent)]
    return sorted({os.path.abspath(p) for p in paths if isinstance(p, str) and os.path.exists(p)})


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
