"""Plain data across the sandbox boundary: a tagged JSON encoding, and equality made outside it.

Only values of exactly the built-in types ``None``, ``bool``, ``int``, ``float``, ``complex``,
``str``, ``bytes``, ``list``, ``tuple``, ``dict``, ``set`` and ``frozenset`` cross. A subclass
(say an ``int`` whose ``__eq__`` always returns True) or any other object is refused, so the
trusted side compares values it built itself, never objects the untrusted side made.

This module uses the standard library only: its source also runs inside the sandbox.
"""

from __future__ import annotations

import math
from typing import Any

MAX_DEPTH = 64
MAX_ITEMS = 100_000


class UnencodableValue(ValueError):
    """A value is not plain data, or is too deep or too large to cross the sandbox boundary."""


def encode_value(value: Any) -> Any:
    """``value`` as a JSON-ready tagged tree; raises :class:`UnencodableValue`.

    >>> encode_value((1, "a"))
    ['tuple', [['int', '1'], ['str', 'a']]]
    """
    budget = [MAX_ITEMS]
    return _encode(value, 0, budget)


def _encode(value: Any, depth: int, budget: list[int]) -> Any:
    if depth > MAX_DEPTH:
        raise UnencodableValue(f"the value is nested more than {MAX_DEPTH} levels deep")
    budget[0] -= 1
    if budget[0] < 0:
        raise UnencodableValue(f"the value holds more than {MAX_ITEMS:,} items")
    kind = type(value)
    if value is None:
        return ["none"]
    if kind is bool:
        return ["bool", value]
    if kind is int:
        return ["int", str(value)]
    if kind is float:
        return ["float", repr(value)]
    if kind is complex:
        return ["complex", repr(value.real), repr(value.imag)]
    if kind is str:
        return ["str", value]
    if kind is bytes:
        return ["bytes", value.hex()]
    if kind is list or kind is tuple or kind is set or kind is frozenset:
        items = [_encode(item, depth + 1, budget) for item in value]
        if kind is set or kind is frozenset:
            items.sort(key=repr)
        return [kind.__name__, items]
    if kind is dict:
        return [
            "dict",
            [
                [_encode(k, depth + 1, budget), _encode(v, depth + 1, budget)]
                for k, v in value.items()
            ],
        ]
    raise UnencodableValue(f"an object of type {kind.__name__} is not plain data")


def decode_value(tree: Any) -> Any:
    """The value :func:`encode_value` encoded; raises :class:`UnencodableValue` on bad input."""
    try:
        return _decode(tree, 0)
    except (TypeError, ValueError, IndexError, KeyError, RecursionError) as exc:
        raise UnencodableValue(f"malformed encoded value ({type(exc).__name__}: {exc})") from None


_SCALARS = {
    "bool": lambda t: bool(t[1]) if type(t[1]) is bool else _bad(t),
    "int": lambda t: int(t[1]),
    "float": lambda t: float(t[1]),
    "complex": lambda t: complex(float(t[1]), float(t[2])),
    "str": lambda t: t[1] if type(t[1]) is str else _bad(t),
    "bytes": lambda t: bytes.fromhex(t[1]),
}
_SEQUENCES = {"list": list, "tuple": tuple, "set": set, "frozenset": frozenset}


def _bad(tree: Any) -> Any:
    raise ValueError(f"bad node {str(tree)[:80]}")


def _decode(tree: Any, depth: int) -> Any:
    if depth > MAX_DEPTH or type(tree) is not list or not tree:
        _bad(tree)
    tag = tree[0]
    if tag == "none":
        return None
    if tag in _SCALARS:
        return _SCALARS[tag](tree)
    if tag in _SEQUENCES:
        return _SEQUENCES[tag](_decode(item, depth + 1) for item in tree[1])
    if tag == "dict":
        return {_decode(k, depth + 1): _decode(v, depth + 1) for k, v in tree[1]}
    return _bad(tree)


def values_equal(got: Any, expected: Any, *, rel_tol: float = 1e-6, abs_tol: float = 1e-9) -> bool:
    """Python's ``==`` on plain data, but floats compare within a tolerance.

    >>> values_equal([0.1 + 0.2], [0.3]), values_equal((1, 2), [1, 2])
    (True, False)
    """
    if isinstance(got, float) or isinstance(expected, float):
        if isinstance(got, (int, float)) and isinstance(expected, (int, float)):
            if math.isnan(got) or math.isnan(expected):
                return math.isnan(got) and math.isnan(expected)
            return math.isclose(got, expected, rel_tol=rel_tol, abs_tol=abs_tol)
        return False
    if type(got) in (list, tuple) and type(expected) is type(got):
        return len(got) == len(expected) and all(
            values_equal(g, e, rel_tol=rel_tol, abs_tol=abs_tol) for g, e in zip(got, expected)
        )
    if type(got) is dict and type(expected) is dict:
        return got.keys() == expected.keys() and all(
            values_equal(got[k], expected[k], rel_tol=rel_tol, abs_tol=abs_tol) for k in got
        )
    return bool(got == expected)
