"""Procedural coding problems: string, list, number and dict tasks at three difficulty levels.

Each template is a reference implementation with drawn parameters, a description, and an
input sampler that always includes the edge cases (empty, single, negative, ties). Expected
outputs come from running the reference, which is fbgym's own code, in this process.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

KINDS = ("string", "list", "number", "dict")
LEVELS = (1, 2, 3)
Sampler = Callable[[random.Random, dict[str, Any]], list[tuple[tuple[Any, ...], str]]]


@dataclass(frozen=True)
class Template:
    """One family of problems; ``params`` draws the constants baked into each instance."""

    kind: str
    level: int
    entry: str
    signature: str
    description: str
    reference: str
    params: Callable[[random.Random], dict[str, Any]]
    inputs: Sampler


@dataclass(frozen=True)
class GeneratedItem:
    """A drawn problem: its text, reference source and test inputs (with edge-case notes)."""

    kind: str
    level: int
    entry: str
    signature: str
    description: str
    reference: str
    inputs: tuple[tuple[tuple[Any, ...], str], ...]


def _word(rng: random.Random, lo: int = 1, hi: int = 6) -> str:
    return "".join(rng.choice("abcde") for _ in range(rng.randint(lo, hi)))


def _text(rng: random.Random, n: int) -> str:
    return " ".join(_word(rng) for _ in range(n))


def _ints(rng: random.Random, n: int, lo: int = -9, hi: int = 9) -> list[int]:
    return [rng.randint(lo, hi) for _ in range(n)]


def _rand(rng: random.Random, make: Callable[[], tuple[Any, ...]], k: int = 6):
    return [(make(), "") for _ in range(k)]


TEMPLATES: tuple[Template, ...] = (
    Template(
        "string",
        1,
        "count_char",
        "count_char(s: str) -> int",
        "Return how many times the character {c!r} occurs in the string s.",
        "def count_char(s):\n    count = 0\n    for ch in s:\n        if ch == {c!r}:\n"
        "            count += 1\n    return count\n",
        lambda r: {"c": r.choice("abcde")},
        lambda r, p: (
            [(("",), "the empty string"), ((p["c"] * 3,), "a string of only that character")]
            + _rand(r, lambda: (_word(r, 0, 12),))
        ),
    ),
    Template(
        "string",
        2,
        "run_lengths",
        "run_lengths(s: str) -> str",
        "Compress runs of equal characters: each run becomes the character followed by its "
        "length, but runs shorter than {m} are kept as they are. E.g. with {m}: "
        "{example!r}.",
        "def run_lengths(s):\n    out = []\n    i = 0\n    while i < len(s):\n        j = i\n"
        "        while j < len(s) and s[j] == s[i]:\n            j += 1\n        if j - i >= {m}:\n"
        "            out.append(s[i] + str(j - i))\n        else:\n            out.append(s[i:j])\n"
        "        i = j\n    return ''.join(out)\n",
        lambda r: (lambda m: {"m": m, "example": "aaaab -> a4b" if m <= 4 else "aaaaab -> a5b"})(
            r.randint(2, 4)
        ),
        lambda r, p: (
            [
                (("",), "the empty string"),
                (("a",), "a single character"),
                (("b" * p["m"],), "a run exactly as long as the threshold"),
            ]
            + _rand(r, lambda: ("".join(r.choice("ab") * r.randint(1, 5) for _ in range(4)),))
        ),
    ),
    Template(
        "string",
        3,
        "top_word",
        "top_word(text: str) -> str",
        "Return the most frequent word of at least {n} letters in text (words are separated "
        "by spaces); break ties by the alphabetically first word; return '' if there is none.",
        "def top_word(text):\n    counts = {{}}\n    for w in text.split():\n"
        "        if len(w) >= {n}:\n            counts[w] = counts.get(w, 0) + 1\n"
        "    if not counts:\n        return ''\n    best = max(counts.values())\n"
        "    return min(w for w in counts if counts[w] == best)\n",
        lambda r: {"n": r.randint(2, 3)},
        lambda r, p: (
            [
                (("",), "the empty text"),
                (("a b",), "only short words"),
                (("dd cc dd cc",), "a tie between words"),
            ]
            + _rand(r, lambda: (_text(r, r.randint(3, 10)),))
        ),
    ),
    Template(
        "list",
        1,
        "sum_above",
        "sum_above(xs: list[int]) -> int",
        "Return the sum of the elements of xs that are greater than {t}.",
        "def sum_above(xs):\n    total = 0\n    for x in xs:\n        if x > {t}:\n"
        "            total += x\n    return total\n",
        lambda r: {"t": r.randint(-3, 4)},
        lambda r, p: (
            [(([],), "the empty list"), (([p["t"]],), "an element equal to the bound")]
            + _rand(r, lambda: (_ints(r, r.randint(1, 8)),))
        ),
    ),
    Template(
        "list",
        2,
        "rotate",
        "rotate(xs: list[int]) -> list[int]",
        "Return xs rotated left by {k} places (the first {k} elements move to the end, "
        "wrapping around for short lists).",
        "def rotate(xs):\n    if not xs:\n        return []\n    k = {k} % len(xs)\n"
        "    return xs[k:] + xs[:k]\n",
        lambda r: {"k": r.randint(1, 4)},
        lambda r, p: (
            [
                (([],), "the empty list"),
                (([7],), "a single element"),
                ((list(range(p["k"])),), "a list as long as the shift"),
            ]
            + _rand(r, lambda: (_ints(r, r.randint(2, 9)),))
        ),
    ),
    Template(
        "list",
        3,
        "longest_rise",
        "longest_rise(xs: list[int]) -> int",
        "Return the length of the longest run of consecutive elements of xs in which each "
        "element is at least {d} more than the one before (a single element is a run of 1; "
        "the empty list has 0).",
        "def longest_rise(xs):\n    if not xs:\n        return 0\n    best = run = 1\n"
        "    for i in range(1, len(xs)):\n        if xs[i] - xs[i - 1] >= {d}:\n"
        "            run += 1\n        else:\n            run = 1\n        best = max(best, run)\n"
        "    return best\n",
        lambda r: {"d": r.randint(1, 2)},
        lambda r, p: (
            [
                (([],), "the empty list"),
                (([5],), "a single element"),
                (([3, 2, 1],), "a falling list"),
            ]
            + _rand(r, lambda: (sorted(_ints(r, 3)) + _ints(r, r.randint(1, 6)),))
        ),
    ),
    Template(
        "number",
        1,
        "digit_sum",
        "digit_sum(n: int) -> int",
        "Return the sum of the decimal digits of n that are at least {d} (ignore the sign).",
        "def digit_sum(n):\n    total = 0\n    for ch in str(abs(n)):\n        if int(ch) >= {d}:\n"
        "            total += int(ch)\n    return total\n",
        lambda r: {"d": r.randint(1, 5)},
        lambda r, p: (
            [((0,), "zero"), ((-95,), "a negative number")]
            + _rand(r, lambda: (r.randint(0, 10**6),))
        ),
    ),
    Template(
        "number",
        2,
        "collatz_steps",
        "collatz_steps(n: int) -> int",
        "Count the steps to reach 1 from n (n >= 1) where each step maps an even x to x // 2 "
        "and an odd x to {a} * x + 1.",
        "def collatz_steps(n):\n    steps = 0\n    while n != 1:\n        if n % 2 == 0:\n"
        "            n = n // 2\n        else:\n            n = {a} * n + 1\n        steps += 1\n"
        "    return steps\n",
        lambda r: {"a": 3},
        lambda r, p: (
            [((1,), "n = 1"), ((2,), "n = 2"), ((27,), "a long chain")]
            + _rand(r, lambda: (r.randint(3, 500),))
        ),
    ),
    Template(
        "number",
        3,
        "to_base",
        "to_base(n: int) -> str",
        "Return n written in base {b} with digits 0-9, and a leading '-' for negative n.",
        "def to_base(n):\n    if n == 0:\n        return '0'\n    sign = '-' if n < 0 else ''\n"
        "    n = abs(n)\n    digits = []\n    while n > 0:\n        digits.append(str(n % {b}))\n"
        "        n = n // {b}\n    return sign + ''.join(reversed(digits))\n",
        lambda r: {"b": r.randint(2, 9)},
        lambda r, p: (
            [((0,), "zero"), ((-p["b"],), "minus the base"), ((p["b"],), "the base")]
            + _rand(r, lambda: (r.randint(-1000, 10**5),))
        ),
    ),
    Template(
        "dict",
        1,
        "count_above",
        "count_above(d: dict[str, int]) -> int",
        "Return how many keys of d map to a value of at least {t}.",
        "def count_above(d):\n    n = 0\n    for key in d:\n        if d[key] >= {t}:\n"
        "            n += 1\n    return n\n",
        lambda r: {"t": r.randint(0, 5)},
        lambda r, p: (
            [(({},), "the empty dict"), (({"a": p["t"]},), "a value equal to the bound")]
            + _rand(r, lambda: ({_word(r): r.randint(-3, 9) for _ in range(r.randint(1, 6))},))
        ),
    ),
    Template(
        "dict",
        2,
        "group_by_length",
        "group_by_length(words: list[str]) -> dict[int, list[str]]",
        "Group the words by length: return a dict from each length to the words of that "
        "length in their original order, leaving out words shorter than {n}.",
        "def group_by_length(words):\n    groups = {{}}\n    for w in words:\n"
        "        if len(w) >= {n}:\n            groups.setdefault(len(w), []).append(w)\n"
        "    return groups\n",
        lambda r: {"n": r.randint(1, 3)},
        lambda r, p: (
            [(([],), "no words"), ((["x" * p["n"]],), "a word exactly at the bound")]
            + _rand(r, lambda: ([_word(r) for _ in range(r.randint(1, 7))],))
        ),
    ),
    Template(
        "dict",
        3,
        "merge_counts",
        "merge_counts(a: dict[str, int], b: dict[str, int]) -> dict[str, int]",
        "Merge two dicts of counts: each key maps to the sum of its counts in a and b, and "
        "keys whose sum is below {t} are dropped.",
        "def merge_counts(a, b):\n    out = dict(a)\n    for key, value in b.items():\n"
        "        out[key] = out.get(key, 0) + value\n"
        "    return {{k: v for k, v in out.items() if v >= {t}}}\n",
        lambda r: {"t": r.randint(1, 4)},
        lambda r, p: (
            [(({}, {}), "two empty dicts"), (({"a": 1}, {"a": p["t"] - 1}), "a sum at the bound")]
            + _rand(
                r,
                lambda: (
                    {_word(r, 1, 2): r.randint(-2, 5) for _ in range(4)},
                    {_word(r, 1, 2): r.randint(-2, 5) for _ in range(4)},
                ),
            )
        ),
    ),
)


def templates(kind: str, level: int) -> list[Template]:
    """The templates of ``kind`` at ``level``."""
    return [t for t in TEMPLATES if t.kind == kind and t.level == level]


def generate(rng: random.Random, kind: str, level: int) -> GeneratedItem:
    """Draw one problem of ``kind`` and ``level``."""
    options = templates(kind, level)
    template = options[rng.randrange(len(options))]
    params = template.params(rng)
    inputs = tuple(template.inputs(rng, params))
    unique: dict[str, tuple[tuple[Any, ...], str]] = {}
    for args, note in inputs:
        unique.setdefault(repr(args), (args, note))
    return GeneratedItem(
        kind=kind,
        level=level,
        entry=template.entry,
        signature=template.signature,
        description=template.description.format(**params),
        reference=template.reference.format(**params),
        inputs=tuple(unique.values()),
    )
