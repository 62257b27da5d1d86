"""Judging and showing values that came back from the sandbox, on the trusted side."""

from __future__ import annotations

import cmath
import math
import reprlib
from collections import Counter, OrderedDict, defaultdict, deque
from typing import Any

REL_TOL = 1e-6
"""Two floats are equal when within this relative difference (``math.isclose``) ..."""
ABS_TOL = 1e-9
"""... or within this absolute difference."""
_NUMBERS = (int, float, complex)
_MAPPINGS = (dict, Counter, OrderedDict, defaultdict)
_SEQUENCES = (list, tuple, deque)


def values_equal(
    got: Any, expected: Any, *, rel_tol: float = REL_TOL, abs_tol: float = ABS_TOL
) -> bool:
    """Python's ``==`` on plain data, with floats compared within a tolerance.

    Two floats (or complex numbers) are equal within ``rel_tol``/``abs_tol`` (NaN equals
    NaN); every other pair of numbers compares exactly, as Python compares it, so an ``int``
    of any size is never rounded through a float (``1e20 != 10**20 + 12345``). ``True`` and
    ``1`` differ: a bool equals only a bool. Lists, tuples and deques equal only their own
    type; mappings and sets compare as Python compares them (a ``Counter`` or
    ``defaultdict`` equals the ``dict`` of its items, two ``OrderedDict`` compare in order).

    >>> values_equal([0.1 + 0.2], [0.3]), values_equal((1, 2), [1, 2]), values_equal(1, True)
    (True, False, False)
    """
    kinds = type(got), type(expected)
    if bool in kinds:
        return kinds[0] is kinds[1] and got == expected
    if kinds[0] in _NUMBERS and kinds[1] in _NUMBERS:
        return _numbers_equal(got, expected, rel_tol, abs_tol)
    if kinds[0] in _SEQUENCES or kinds[1] in _SEQUENCES:
        return (
            kinds[0] is kinds[1]
            and len(got) == len(expected)
            and all(
                values_equal(g, e, rel_tol=rel_tol, abs_tol=abs_tol) for g, e in zip(got, expected)
            )
        )
    if kinds[0] in _MAPPINGS and kinds[1] in _MAPPINGS:
        return _mappings_equal(got, expected, rel_tol, abs_tol)
    if (
        kinds[0] in _NUMBERS
        or kinds[1] in _NUMBERS
        or kinds[0] in _MAPPINGS
        or kinds[1] in _MAPPINGS
    ):
        return False
    return kinds[0] in (str, bytes, set, frozenset, type(None)) and bool(got == expected)


def _numbers_equal(got: Any, expected: Any, rel_tol: float, abs_tol: float) -> bool:
    if type(got) is float and type(expected) is float:
        if math.isnan(got) or math.isnan(expected):
            return math.isnan(got) and math.isnan(expected)
        return math.isclose(got, expected, rel_tol=rel_tol, abs_tol=abs_tol)
    if type(got) is complex and type(expected) is complex:
        if cmath.isnan(got) or cmath.isnan(expected):
            return False
        return cmath.isclose(got, expected, rel_tol=rel_tol, abs_tol=abs_tol)
    return bool(got == expected)


def _mappings_equal(got: Any, expected: Any, rel_tol: float, abs_tol: float) -> bool:
    def same(a: Any, b: Any) -> bool:
        return values_equal(a, b, rel_tol=rel_tol, abs_tol=abs_tol)

    if type(got) is Counter and type(expected) is Counter:  # a missing count is a zero
        return all(same(got[k], expected[k]) for k in {**got, **expected})
    if type(got) is OrderedDict and type(expected) is OrderedDict and list(got) != list(expected):
        return False
    return got.keys() == expected.keys() and all(same(got[k], expected[k]) for k in got)


class _Shower(reprlib.Repr):
    def __init__(self) -> None:
        super().__init__()
        self.maxlevel, self.maxstring, self.maxother, self.maxlong = 8, 120, 120, 60
        self.maxlist = self.maxtuple = self.maxset = self.maxfrozenset = self.maxdeque = 30
        self.maxdict = 20

    def repr_int(self, x: int, level: int) -> str:
        if x.bit_length() > 3000:  # repr() would be slow, or refuse beyond 4,300 digits
            return f"<an int of {round(x.bit_length() * math.log10(2)):,} digits>"
        return super().repr_int(x, level)

    def _mapping(self, name: str, x: Any, level: int) -> str:
        return f"{name}({self.repr_dict(dict(x), level)})"

    def repr_Counter(self, x: Any, level: int) -> str:  # noqa: N802 (reprlib's naming)
        return self._mapping("Counter", x, level)

    def repr_OrderedDict(self, x: Any, level: int) -> str:  # noqa: N802
        return self._mapping("OrderedDict", x, level)

    def repr_ObjectValue(self, x: Any, level: int) -> str:  # noqa: N802
        shown = [f"{k}={self.repr1(v, level - 1)}" for k, v in list(x.attributes.items())[:20]]
        return f"{x.type_name}({', '.join(shown)})"

    def repr_defaultdict(self, x: Any, level: int) -> str:
        factory = getattr(x.default_factory, "__name__", None)
        return f"defaultdict({factory}, {self.repr_dict(dict(x), level)})"


_SHOWER = _Shower()


def show_value(value: Any, limit: int = 300) -> str:
    """A bounded, deterministic ``repr`` of a returned value (sets sorted, huge ints named).

    >>> show_value({3, 1, 2}), show_value(10**5000)
    ('{1, 2, 3}', '<an int of 5,000 digits>')
    """
    text = _SHOWER.repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
