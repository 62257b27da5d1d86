"""Running composed programs here, in this process: they are fbgym's own generated code.

Every step is a comprehension, a slice, a built-in call or arithmetic over a bounded input,
so each call ends quickly; an exception is a behaviour like any value. No step changes its
input in place (each builds a new value), so inputs are shared between calls, uncopied.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

Behaviour = tuple[str, Any]


@functools.lru_cache(maxsize=4096)
def function(source: str, entry: str) -> Callable[..., Any]:
    """The function ``entry`` that ``source`` defines (compiled once per source)."""
    namespace: dict[str, Any] = {}
    exec(compile(source, f"<composed {entry}>", "exec"), namespace)  # noqa: S102 (fbgym's own code)
    return namespace[entry]


def canonical(value: Any) -> Any:
    """``value`` as a hashable that equal plain values share (dicts in any order)."""
    if isinstance(value, dict):
        return ("dict", tuple(sorted((repr(k), canonical(v)) for k, v in value.items())))
    if isinstance(value, list):
        return ("list", tuple(canonical(v) for v in value))
    return (type(value).__name__, value)


def behaviour(fn: Callable[..., Any], arg: Any) -> Behaviour:
    """What ``fn`` does on ``arg``: its value (canonical) or the error it raises."""
    try:
        return ("value", canonical(fn(arg)))
    except Exception as exc:  # a misreading may fail on an edge case; that is its behaviour
        return ("error", type(exc).__name__)
