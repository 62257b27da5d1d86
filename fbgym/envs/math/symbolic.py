"""Symbolic answer equivalence by math-verify, in a worker process bounded in time and memory.

A LaTeX answer can be arbitrarily expensive to compare (``10^{10^{10}}`` never finishes), and
the only interruption that works from any thread and inside C code is ending a process. So
math-verify (and SymPy under it) runs in one long-lived worker per process, started on first
use; a check that overruns :data:`TIMEOUT_S` kills it, and the next check starts a fresh one.
Nothing here is imported by ``import fbgym``.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from fbgym.errors import FbgymError

TIMEOUT_S = 5.0
"""Longest one check may take; an answer not checked by then is a failed attempt."""
MAX_CHARS = 1000
"""Longer answers (or gold answers) are not handed to the symbolic checker at all."""
MEMORY_BYTES = 2 << 30
"""Address-space limit of the worker: a huge number fails fast instead of swapping."""
STARTUP_S = 120.0
"""How long the worker may take to import math-verify (not counted in a check's time)."""


@dataclass(frozen=True)
class Equivalence:
    """The symbolic verdict on one answer."""

    equal: bool
    status: str
    """``equal``, ``different``, ``unreadable`` (the answer is not mathematics math-verify
    reads), ``too_long`` or ``timeout``."""


def equivalent(answer: str, gold: str, timeout: float | None = None) -> Equivalence:
    r"""Whether ``answer`` and ``gold`` (LaTeX, as inside ``\boxed{}``) are the same answer.

    Uses Hugging Face's math-verify: numbers, fractions, radicals and constants compared as
    values (decimals to 6 places), expressions symbolically, and intervals, tuples, sets,
    matrices, equations and text answers structurally. Definite verdicts are cached.
    ``timeout`` defaults to :data:`TIMEOUT_S`.
    """
    if len(answer) > MAX_CHARS or len(gold) > MAX_CHARS:
        return Equivalence(False, "too_long")
    return _MEMO.get((answer, gold)) or _WORKER.check(answer, gold, timeout or TIMEOUT_S)


_WORKER_FILE = Path(__file__).with_name("symbolic_worker.py")
# Run that very file, with the working directory off the path: nothing there can shadow it.
_LAUNCH = (
    "import runpy, sys; sys.path[:] = [p for p in sys.path if p not in ('', '.')]; "
    "runpy.run_path({path!r}, run_name='__main__')"
)


class _Memo(dict):
    """A bounded memo of definite verdicts, oldest first out (timeouts are not remembered)."""

    LIMIT = 4096

    def put(self, key: tuple[str, str], verdict: Equivalence) -> None:
        if verdict.status == "timeout":
            return
        if len(self) >= self.LIMIT:
            self.pop(next(iter(self)))
        self[key] = verdict


_MEMO = _Memo()


class _Worker:
    """One math-verify worker process, restarted after it is killed or found dead."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None

    def check(self, answer: str, gold: str, timeout: float) -> Equivalence:
        with self._lock:
            proc = self._ready()
            request = json.dumps({"answer": answer, "gold": gold, "budget": 0.8 * timeout})
            try:
                proc.stdin.write(request.encode() + b"\n")  # type: ignore[union-attr]
                proc.stdin.flush()  # type: ignore[union-attr]
                line = _read_line(proc, time.monotonic() + timeout)
            except OSError:  # the worker is gone
                line = None
            if line is None:
                self.close(wait=0.0)
                return Equivalence(False, "timeout")
            reply = json.loads(line)
            verdict = Equivalence(bool(reply["equal"]), str(reply["status"]))
            _MEMO.put((answer, gold), verdict)
            return verdict

    def _ready(self) -> subprocess.Popen[bytes]:
        if self._proc is not None and self._proc.poll() is not None:
            self._proc = None
        if self._proc is None:
            proc = subprocess.Popen(
                [sys.executable, "-c", _LAUNCH.format(path=str(_WORKER_FILE))],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env={**os.environ, "FBGYM_MEMORY_BYTES": str(MEMORY_BYTES)},
            )
            greeting = _read_line(proc, time.monotonic() + STARTUP_S)
            if greeting != "ready":
                try:
                    why = greeting or f"it exited with status {proc.wait(1.0)}"
                except subprocess.TimeoutExpired:
                    why = f"it was not ready within {STARTUP_S:g} s"
                self._proc = proc
                self.close(wait=0.0)
                raise FbgymError(
                    f"the math-verify worker did not start ({why}); MATH-format answers "
                    "need `pip install math-verify`"
                )
            self._proc = proc
        return self._proc

    def close(self, wait: float = 1.0) -> None:
        """End the worker: let it finish on end of input for ``wait`` seconds, then kill it."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        try:
            proc.stdin.close()  # type: ignore[union-attr]
            proc.wait(wait)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait()
        proc.stdout.close()  # type: ignore[union-attr]

    def forget(self) -> None:
        """In a forked child: the parent's worker and lock are not this process's to use."""
        self._lock = threading.Lock()
        self._proc = None


def _read_line(proc: subprocess.Popen[bytes], deadline: float) -> str | None:
    """One line from the worker, or ``None`` if none comes before ``deadline``."""
    fd = proc.stdout.fileno()  # type: ignore[union-attr]
    data = b""
    while not data.endswith(b"\n"):
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
            return None
        chunk = os.read(fd, 65536)
        if not chunk:
            return None
        data += chunk
    return data.decode().strip()


_WORKER = _Worker()
atexit.register(_WORKER.close)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_WORKER.forget)
