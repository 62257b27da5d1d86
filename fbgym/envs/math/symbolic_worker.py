r"""The math-verify worker: one JSON request per stdin line, one JSON verdict per stdout line.

Started by :mod:`fbgym.envs.math.symbolic`; it says ``ready`` once math-verify is imported.
Each request is ``{"answer", "gold", "budget"}`` (LaTeX as inside ``\boxed{}``, seconds) and
each reply ``{"equal": bool, "status": str}``. It dies with its parent.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from functools import lru_cache
from typing import Any


class _Overrun(BaseException):
    """The budget of one request ran out (a BaseException: math-verify catches Exception)."""


def _confine() -> None:
    """Limit memory, and end this process when the parent ends (Linux)."""
    limit = int(os.environ.get("FBGYM_MEMORY_BYTES", "0"))
    try:
        import resource

        if limit > 0:
            _, hard = resource.getrlimit(resource.RLIMIT_AS)
            cap = limit if hard == resource.RLIM_INFINITY else min(limit, hard)
            resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    except (ImportError, ValueError, OSError):
        pass  # no rlimits on this platform: the parent's timeout still bounds a check
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() == 1:
        sys.exit(0)


def _overrun(signum: int, frame: Any) -> None:
    raise _Overrun


def serve() -> None:
    """Answer requests until stdin closes."""
    out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    sys.stdout = sys.stderr  # nothing a library prints can corrupt the replies
    _confine()
    try:
        import logging

        from math_verify import LatexExtractionConfig, parse, verify

        logging.getLogger("math_verify").setLevel(logging.CRITICAL)
    except Exception as exc:  # reported to the parent, which names the missing package
        out.write(f"cannot import math-verify ({type(exc).__name__}: {exc})\n")
        out.flush()
        return
    config = [LatexExtractionConfig(boxed_match_priority=0)]

    def read(latex: str) -> list:
        # first_match: a box that does not parse must not fall back to pieces found inside it
        boxed = "\\boxed{" + latex + "}"
        return parse(boxed, config, extraction_mode="first_match", parsing_timeout=None)

    read_gold = lru_cache(maxsize=1024)(read)
    signal.signal(signal.SIGALRM, _overrun)
    out.write("ready\n")
    out.flush()
    for line in sys.stdin:
        request = json.loads(line)
        signal.setitimer(signal.ITIMER_REAL, max(float(request["budget"]), 0.01))
        try:
            answer = read(request["answer"])
            if not answer:
                reply = {"equal": False, "status": "unreadable"}
            else:
                equal = verify(read_gold(request["gold"]), answer, timeout_seconds=None)
                reply = {"equal": bool(equal), "status": "equal" if equal else "different"}
        except _Overrun:
            reply = {"equal": False, "status": "timeout"}
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        out.write(json.dumps(reply) + "\n")
        out.flush()


if __name__ == "__main__":
    serve()
