"""Test inputs for composed problems: random values of each type, and edge cases with notes.

Inputs lean on what the steps look at: integers near the steps' bounds, the letters they
search for, repeated items, ties, upper case and runs of spaces.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from fbgym.envs.code.composed.steps import COUNTS, INT, INTS, LETTERS, TEXT, WORDS


def _number(rng: random.Random, bounds: Sequence[int]) -> int:
    if bounds and rng.random() < 0.35:
        return rng.choice(bounds) + rng.randint(-1, 1)
    return rng.randint(-9, 12)


def _word(rng: random.Random, chars: Sequence[str], lo: int = 1, hi: int = 5) -> str:
    pool = LETTERS + "".join(chars) * 2
    out = []
    for _ in range(rng.randint(lo, hi)):
        ch = out[-1] if out and rng.random() < 0.25 else rng.choice(pool)
        out.append(ch.upper() if ch.isalpha() and rng.random() < 0.12 else ch)
    return "".join(out)


def _repeat(rng: random.Random, items: list[Any]) -> list[Any]:
    """Some items replaced by earlier ones, so repeats and ties occur."""
    for j in range(1, len(items)):
        if rng.random() < 0.2:
            items[j] = items[rng.randrange(j)]
    return items


def random_input(rng: random.Random, kind: str, bounds: Sequence[int], chars: Sequence[str]) -> Any:
    """One random value of type ``kind``."""
    if kind == INTS:
        return _repeat(rng, [_number(rng, bounds) for _ in range(rng.randint(1, 9))])
    if kind == INT:
        scale = rng.choice((12, 99, 9999, 99999))
        return _number(rng, bounds) if rng.random() < 0.3 else rng.randint(-scale // 3, scale)
    if kind == TEXT:
        words = _repeat(rng, [_word(rng, chars) for _ in range(rng.randint(1, 6))])
        text = "".join(w + (" " if rng.random() < 0.85 else "  ") for w in words)
        return (" " if rng.random() < 0.2 else "") + text[: -1 if rng.random() < 0.8 else None]
    if kind == WORDS:
        words = [
            _word(rng, chars, 0 if rng.random() < 0.1 else 1) for _ in range(rng.randint(1, 7))
        ]
        return _repeat(rng, words)
    if kind == COUNTS:
        keys = [_word(rng, chars, 1, 3).lower() for _ in range(rng.randint(1, 6))]
        return {k: _number(rng, bounds) % 13 - 3 for k in keys}
    raise ValueError(f"no inputs of type {kind!r}")


def edge_inputs(kind: str, bounds: Sequence[int], chars: Sequence[str]) -> list[tuple[Any, str]]:
    """Edge cases of type ``kind``, each with a note naming it."""
    a = chars[0] if chars else "a"
    b = bounds[0] if bounds else 4
    if kind == INTS:
        around = [([c - 1, c, c + 1, c], f"numbers around {c}") for c in bounds]
        return [
            ([], "the empty list"),
            ([b], "a single number"),
            ([-7, -2, -5, -2], "only negative numbers"),
        ] + around
    if kind == INT:
        return [(0, "zero"), (-37, "a negative number"), (7, "a single digit")] + [
            (c, f"exactly {c}") for c in bounds
        ]
    if kind == TEXT:
        return [
            ("", "the empty text"),
            ("   ", "a text of spaces only"),
            (f" {a}{a}b  {a.upper()}b{a} ", "extra spaces and upper case"),
        ]
    if kind == WORDS:
        return [
            ([], "no words"),
            (["", f"b{a}"], "an empty word"),
            ([f"{a}b", "cd", f"{a}b", "B"], "a repeated word"),
        ]
    if kind == COUNTS:
        return [
            ({}, "the empty dictionary"),
            ({f"{a}b": b, "b": b - 1}, f"a value of exactly {b}"),
            ({"b": 2, f"{a}": 2, "c": 1}, "tied values"),
        ]
    raise ValueError(f"no inputs of type {kind!r}")
