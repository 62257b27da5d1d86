"""Values across the sandbox boundary: a flat token encoding whose decoding work is bounded.

A value travels as one line of tab-separated tokens in postfix order: a scalar token pushes
a value, and a container token takes the last ``n`` values (``2n`` for a mapping) off the
stack. Decoding is therefore a loop over an explicit stack, never recursive and linear in
the line, and it is bounded in nesting depth, item count and time; a set or mapping whose
keys share one hash too often is refused, so building it never turns quadratic.

What crosses: ``None``, ``bool``, ``int`` (any size: sent in hex, which has no digit limit),
``float``, ``complex``, ``str``, ``bytes``, ``list``, ``tuple``, ``dict``, ``set``,
``frozenset`` and ``collections``' ``Counter``, ``OrderedDict``, ``defaultdict`` and
``deque``. A subclass of one of these crosses as its base type's data, read with the base
type's own methods, so nothing the sending side defined runs on the receiving side (an
``int`` whose ``__eq__`` always returns True arrives as a plain ``int``). Other objects cross
only where a caller allows them: as an opaque reference, or as a class name with attributes.

This module uses the standard library only: its source also runs inside the sandbox.
"""

from __future__ import annotations

import json
import time
from collections import Counter, OrderedDict, defaultdict, deque
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

MAX_DEPTH = 64
MAX_ITEMS = 100_000
MAX_COLLISIONS = 32
"""Most keys of one set or mapping that may share a hash value."""
DECODE_SECONDS = 2.0
_FACTORIES = {int: "int", float: "float", str: "str", list: "list", dict: "dict", set: "set"}
_FACTORIES.update({tuple: "tuple", frozenset: "frozenset", bool: "bool", bytes: "bytes"})
_FACTORY_OF = {name: kind for kind, name in _FACTORIES.items()}
_BASES = (bool, int, float, complex, str, bytes, Counter, OrderedDict, defaultdict, deque)
_BASES += (dict, list, tuple, frozenset, set)
_EXACT = {base: base for base in _BASES}


class UnencodableValue(ValueError):
    """A value is not plain data, or its encoding is malformed, too deep, too large or slow."""


class Opaque:
    """An object that crossed by reference: only its number and its type's name travel."""

    __slots__ = ("number", "type_name")

    def __init__(self, number: int, type_name: str = "object"):
        self.number, self.type_name = number, type_name

    def __repr__(self) -> str:
        return f"<{self.type_name} object>"


class ObjectValue:
    """An instance of a class of the sending side, as its class name and attributes."""

    __slots__ = ("type_name", "attributes")

    def __init__(self, type_name: str, attributes: dict[str, Any]):
        self.type_name, self.attributes = type_name, attributes

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in self.attributes.items())
        return f"{self.type_name}({inner})"


def encode_value(value: Any, *, other: Callable[[Any], tuple[Any, ...]] | None = None) -> str:
    """``value`` as one line of tokens (no tab or newline inside a token).

    ``other`` handles values that are not plain data: it returns ``("ref", number,
    type_name)`` or ``("obj", class_name, attributes)``, or raises. Without it they are
    refused with :class:`UnencodableValue`.

    >>> encode_value((1, "a")).split(chr(9))
    ['i1', 's"a"', 'U2']
    """
    out: list[str] = []
    _encode(value, out, 0, [MAX_ITEMS], other)
    return "\t".join(out)


def _base_of(kind: type) -> type | None:
    for base in _BASES:
        if issubclass(kind, base):
            return base
    return None


def _encode(value: Any, out: list[str], depth: int, budget: list[int], other: Any) -> None:
    if depth > MAX_DEPTH:
        raise UnencodableValue(f"the value is nested more than {MAX_DEPTH} levels deep")
    budget[0] -= 1
    if budget[0] < 0:
        raise UnencodableValue(f"the value holds more than {MAX_ITEMS:,} items")
    if value is None:
        out.append("N")
        return
    base = _EXACT.get(type(value)) or _base_of(type(value))
    if base is bool:
        out.append("T" if value else "F")
    elif base is int:
        out.append("i" + format(int.__add__(value, 0), "x"))
    elif base is float:
        out.append("d" + float.__repr__(float.__float__(value)))
    elif base is complex:
        real, imag = complex.real.__get__(value), complex.imag.__get__(value)
        out.append(f"j{float.__repr__(real)},{float.__repr__(imag)}")
    elif base is str:
        out.append("s" + json.dumps(str.__str__(value)))
    elif base is bytes:
        out.append("b" + bytes.hex(value))
    elif base in (list, tuple, deque):
        items = list(base.__iter__(value))
        for item in items:
            _encode(item, out, depth + 1, budget, other)
        if base is deque:
            maxlen = deque.maxlen.__get__(value)
            out.append(f"Q{len(items)},{'' if maxlen is None else maxlen}")
        else:
            out.append(("L" if base is list else "U") + str(len(items)))
    elif base in (set, frozenset):
        parts = []
        for item in base.__iter__(value):
            part: list[str] = []
            _encode(item, part, depth + 1, budget, other)
            parts.append("\t".join(part))
        parts.sort()  # the order of the line must not depend on either side's hash seed
        out.extend(parts)
        out.append(("S" if base is set else "Z") + str(len(parts)))
    elif base is not None:  # dict and its collections subclasses
        pairs = list(dict.items(value))
        for key, item in pairs:
            _encode(key, out, depth + 1, budget, other)
            _encode(item, out, depth + 1, budget, other)
        if base is defaultdict:
            out.append(f"Y{len(pairs)},{_FACTORIES.get(value.default_factory, '')}")
        else:
            out.append({Counter: "C", OrderedDict: "O", dict: "D"}[base] + str(len(pairs)))
    elif other is not None:
        _encode_other(other(value), out, depth, budget, other)
    else:
        raise UnencodableValue(f"an object of type {type(value).__name__} is not plain data")


def _encode_other(form: tuple[Any, ...], out: list[str], depth: int, budget: list[int], other):
    if form[0] == "ref":
        out.append(f"r{int(form[1]):x},{json.dumps(str(form[2]))}")
        return
    _, name, attributes = form
    for key, item in attributes.items():
        _encode(str(key), out, depth + 1, budget, other)
        _encode(item, out, depth + 1, budget, other)
    out.append(f"o{len(attributes)},{json.dumps(str(name))}")


def _string(payload: str) -> str:
    if not payload.startswith('"'):  # json.loads would parse (and recurse into) anything else
        raise ValueError("a string token must hold a JSON string")
    text = json.loads(payload)
    if type(text) is not str:
        raise ValueError("a string token must hold a JSON string")
    return text


def _float(payload: str) -> float:
    if len(payload) > 40:
        raise ValueError("a float token is too long")
    return float(payload)


def _flag(expected: bool) -> Callable[[str], bool]:
    def read(payload: str) -> bool:
        if payload:
            raise ValueError("a bool token has no payload")
        return expected

    return read


def _none(payload: str) -> None:
    if payload:
        raise ValueError("a None token has no payload")


def _complex(payload: str) -> complex:
    real, imag = payload.split(",")
    return complex(_float(real), _float(imag))


_SCALARS: dict[str, Callable[[str], Any]] = {
    "N": _none,
    "T": _flag(True),
    "F": _flag(False),
    "i": lambda p: int(p, 16),
    "d": _float,
    "j": _complex,
    "s": _string,
    "b": bytes.fromhex,
}
_SEQUENCES = {"L": list, "U": tuple, "S": set, "Z": frozenset}
_MAPPINGS = {"D": dict, "C": Counter, "O": OrderedDict}


def _count(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or len(text) > 9:
        raise ValueError(f"bad item count {text[:20]!r}")
    return int(text)


def _distinct_hashes(keys: Any) -> None:
    counts: dict[int, int] = {}
    for key in keys:
        h = hash(key)
        counts[h] = seen = counts.get(h, 0) + 1
        if seen > MAX_COLLISIONS:
            raise UnencodableValue(f"more than {MAX_COLLISIONS} keys share one hash value")


def decode_value(
    text: Any,
    *,
    ref: Callable[[int, str], Any] | None = None,
    obj: Callable[[str, dict[str, Any]], Any] | None = None,
    max_items: int = MAX_ITEMS + 16,
    max_depth: int = MAX_DEPTH,
    seconds: float = DECODE_SECONDS,
) -> Any:
    """The value :func:`encode_value` encoded; raises :class:`UnencodableValue` on bad input.

    ``ref(number, type_name)`` and ``obj(class_name, attributes)`` turn references and
    objects into values; by default they become :class:`Opaque` and :class:`ObjectValue`.
    """
    if type(text) is not str:
        raise UnencodableValue(f"an encoded value must be a str, got {type(text).__name__}")
    tokens = text.split("\t")
    if len(tokens) > max_items:
        raise UnencodableValue(f"the value holds more than {max_items:,} items")
    try:
        return _decode(tokens, ref, obj, max_depth, time.monotonic() + seconds)
    except (ValueError, TypeError, IndexError, KeyError, OverflowError) as exc:
        if isinstance(exc, UnencodableValue):
            raise
        raise UnencodableValue(f"malformed encoded value ({type(exc).__name__}: {exc})") from None


def _decode(tokens: list[str], ref: Any, obj: Any, max_depth: int, deadline: float) -> Any:
    stack: list[Any] = []
    depths: list[int] = []
    for number, token in enumerate(tokens):
        if not number & 1023 and number and time.monotonic() > deadline:
            raise UnencodableValue("decoding the value took too long")
        tag, payload = token[:1], token[1:]
        reader = _SCALARS.get(tag)
        if reader is not None:
            stack.append(reader(payload))
            depths.append(0)
            continue
        if tag == "r":
            number_text, name = payload.split(",", 1)
            value = (ref or Opaque)(int(number_text, 16), _string(name))
            stack.append(value)
            depths.append(0)
            continue
        head, _, extra = payload.partition(",")
        count = _count(head)
        width = 2 * count if tag in _MAPPINGS or tag in "Yo" else count
        if width > len(stack):
            raise ValueError(f"{tag}{count} needs {width} values, {len(stack)} are there")
        items = stack[len(stack) - width :]
        depth = 1 + max(depths[len(depths) - width :], default=0)
        del stack[len(stack) - width :], depths[len(depths) - width :]
        if depth > max_depth:
            raise UnencodableValue(f"the value is nested more than {max_depth} levels deep")
        stack.append(_container(tag, items, extra, obj))
        depths.append(depth)
    if len(stack) != 1:
        raise ValueError(f"the tokens hold {len(stack)} values, not one")
    return stack[0]


def _container(tag: str, items: list[Any], extra: str, obj: Any) -> Any:
    if tag in _SEQUENCES:
        if tag in "SZ":
            _distinct_hashes(items)
        return _SEQUENCES[tag](items)
    if tag == "Q":
        return deque(items, None if extra == "" else _count(extra))
    keys, values = items[0::2], items[1::2]
    _distinct_hashes(keys)
    if tag in _MAPPINGS:
        return _MAPPINGS[tag](dict(zip(keys, values)))
    if tag == "Y":
        if extra and extra not in _FACTORY_OF:
            raise ValueError(f"unknown defaultdict factory {extra[:20]!r}")
        return defaultdict(_FACTORY_OF.get(extra), zip(keys, values))
    if tag == "o":
        if not all(type(k) is str for k in keys):
            raise ValueError("attribute names must be strings")
        return (obj or ObjectValue)(_string(extra), dict(zip(keys, values)))
    raise ValueError(f"unknown token {tag!r}")


def rebuild_object(namespace: dict[str, Any]) -> Callable[[str, dict[str, Any]], Any]:
    """An ``obj`` hook that makes instances of ``namespace``'s class of that name.

    Without such a class (or when it will not take the attributes) the object becomes a
    ``SimpleNamespace`` with them, so attribute access still works.
    """

    def build(name: str, attributes: dict[str, Any]) -> Any:
        cls = namespace.get(name)
        if isinstance(cls, type):
            try:
                instance = cls.__new__(cls)
                instance.__dict__.update(attributes)
                return instance
            except Exception:
                pass
        return SimpleNamespace(**attributes)

    return build
