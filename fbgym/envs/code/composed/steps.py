"""The vocabulary of composed problems: value types, steps, and the table of typed primitives.

A *step* turns the current value of one type into a value of another (or the same) type: one
line of Python, its sentence in the description (several paraphrases), and its plausible
misreadings (wrong code a careless reader would write). A *primitive* draws a step with its
constants from a generator; primitives register themselves by the types they map.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

INTS, INT, TEXT, WORDS, COUNTS = "list[int]", "int", "str", "list[str]", "dict[str, int]"
VARIABLE = {INTS: "nums", INT: "value", TEXT: "text", WORDS: "words", COUNTS: "counts"}
"""The name the current value has in the reference program, by type."""
DESCRIBED = {
    INTS: "a list of integers",
    INT: "an integer",
    TEXT: "a string",
    WORDS: "a list of strings",
    COUNTS: "a dictionary from strings to integers",
}
LETTERS = "abcde"
"""The lower-case letters inputs are made of; steps look for these."""
SKIP = ""
"""The misreading that leaves a step out (offered for every step that keeps the type)."""


@dataclass(frozen=True)
class Step:
    """One drawn step: code with ``{i}`` (input) and ``{o}`` (output) variables, and its text."""

    key: str
    """What the step does without its constants (``ints.keep.gt``): its part of the skeleton."""
    source: str
    target: str
    code: str
    clauses: tuple[str, ...]
    """Paraphrases of the step's sentence, each precise on its own."""
    misreadings: tuple[str, ...] = ()
    """Wrong code for the step, most plausible first; :data:`SKIP` leaves the step out."""
    bounds: tuple[int, ...] = ()
    """Integer constants whose neighbourhood the tests should probe."""
    chars: tuple[str, ...] = ()
    """Characters the step looks for, which the inputs should contain."""
    constants: tuple[object, ...] = ()
    """The values drawn for this step (its bounds and characters among them)."""

    def line(self, code: str) -> str:
        """``code`` with the step's variables filled in (an empty string for a skipped step)."""
        if code == SKIP:
            return ""
        return code.format(i=VARIABLE[self.source], o=VARIABLE[self.target])


@dataclass(frozen=True)
class Primitive:
    """A kind of step between two types; ``draw`` picks its form and constants."""

    name: str
    source: str
    target: str
    draw: Callable[[random.Random], Step] = field(repr=False)
    weight: float = 1.0
    """How often a walk picks it, relative to the other primitives from its type."""


PRIMITIVES: list[Primitive] = []


def primitive(
    source: str, target: str, weight: float = 1.0
) -> Callable[[Callable[[random.Random], Step]], Primitive]:
    """Register a step-drawing function as the primitive from ``source`` to ``target``."""

    def add(draw: Callable[[random.Random], Step]) -> Primitive:
        name = draw.__name__
        if any(p.name == name and p.source == source for p in PRIMITIVES):
            raise ValueError(f"primitive {name!r} on {source} is already registered")
        made = Primitive(name, source, target, draw, weight)
        PRIMITIVES.append(made)
        return made

    return add


def step(
    key: str,
    types: tuple[str, str],
    code: str,
    clauses: str | tuple[str, ...],
    misreadings: tuple[str, ...] = (),
    *,
    bounds: tuple[int, ...] = (),
    chars: tuple[str, ...] = (),
    constants: tuple[object, ...] = (),
) -> Step:
    """A :class:`Step`; a step that keeps its type may also be misread by leaving it out."""
    source, target = types
    wrong = tuple(misreadings) + ((SKIP,) if source == target else ())
    return Step(
        key,
        source,
        target,
        code,
        (clauses,) if isinstance(clauses, str) else tuple(clauses),
        wrong,
        bounds,
        chars,
        (*constants, *bounds, *chars),
    )


CMP = {
    "gt": (">", ("greater than {c}", "above {c}"), ("{c} or less", "at most {c}")),
    "ge": (">=", ("at least {c}", "{c} or more"), ("less than {c}", "below {c}")),
    "lt": ("<", ("less than {c}", "below {c}"), ("{c} or more", "at least {c}")),
    "le": ("<=", ("at most {c}", "{c} or less"), ("greater than {c}", "above {c}")),
    "ne": ("!=", ("different from {c}",), ("equal to {c}",)),
}
"""Comparisons: operator, phrases of the kept side, phrases of the removed side."""
CMP_MISREAD = {
    "gt": (">=", "<="),
    "ge": (">", "<"),
    "lt": ("<=", ">="),
    "le": ("<", ">"),
    "ne": ("==",),
}
"""Misread comparisons: the boundary case wrong, then the side wrong."""
SIZE = {
    "gt": ("more than {c}", "at most {c}"),
    "ge": ("at least {c}", "fewer than {c}"),
    "lt": ("fewer than {c}", "at least {c}"),
    "le": ("at most {c}", "more than {c}"),
}
"""Comparisons of a count of characters: phrase of the kept side, of the removed side."""


def comparison(rng: random.Random, forms: tuple[str, ...] = tuple(CMP)) -> tuple[str, str]:
    """A comparison's name and operator."""
    name = forms[rng.randrange(len(forms))]
    return name, CMP[name][0]


def signed(c: int) -> str:
    """``+ 3`` or ``- 3``: adding ``c`` in code."""
    return f"+ {c}" if c >= 0 else f"- {-c}"


def add_phrase(c: int, what: str) -> str:
    """The sentence that adds ``c`` to ``what`` ("Add 3 to ..." or "Subtract 3 from ...")."""
    return f"Add {c} to {what}." if c >= 0 else f"Subtract {-c} from {what}."


def nonzero(rng: random.Random, lo: int, hi: int) -> int:
    """An integer in [lo, hi] other than 0."""
    return rng.choice([c for c in range(lo, hi + 1) if c != 0])


def letter(rng: random.Random, *avoid: str) -> str:
    """A letter of :data:`LETTERS` not in ``avoid``."""
    return rng.choice([ch for ch in LETTERS if ch not in avoid])


def exact(a: str) -> str:
    """The note that a letter is matched in lower case only (inputs hold upper case too)."""
    return f"(an upper-case {a.upper()!r} does not count)"
