"""Fractions and percentages: what is left after a run of changes, and sums of fractions."""

from __future__ import annotations

import math
import random
from dataclasses import replace
from fractions import Fraction

from fbgym.envs.math.generators import MathItem
from fbgym.envs.math.multistep import OPERATIONS, generator, operation_budget, redraw
from fbgym.envs.math.multistep.draft import Draft
from fbgym.envs.math.multistep.expression import Node, apply, left_deep, operations, write
from fbgym.envs.math.multistep.story import NAMES

STORES = (
    # unit, opening, the running amount, using some of it, adding some to it
    ("litres", "A tank holds {q} litres of water.", "the water", "is used",
     "{k} litres are poured in"),
    ("dollars", "{name} has ${q}.", "the money", "is spent", "{name} earns ${k}"),
    ("grams", "A bakery has {q} grams of flour.", "the flour", "is used",
     "{k} grams are delivered"),
    ("seats", "A stadium has {q} empty seats.", "the empty seats", "is filled",
     "{k} seats are freed up"),
    ("books", "A library has {q} books on its shelves.", "the books on the shelves",
     "is lent out", "{k} books are returned"),
)  # fmt: skip
CUTS = (
    (1, 2), (1, 3), (2, 5), (1, 4), (3, 8), (1, 5), (1, 6), (1, 8), (3, 10), (2, 7),
    (1, 10), (1, 12), (3, 5), (4, 9), (5, 12),
    *((p, 100) for p in (5, 10, 12, 15, 20, 25, 30, 35, 40, 45, 50, 60)),
)  # fmt: skip
"""Shares ``a/b`` of what is left that can be used up; ``b = 100`` is said as a percentage."""
LIMIT = 10**5


def _stages(rng: random.Random, level: int) -> list[tuple[str, int, int]] | None:
    """Changes worked backwards from what is left: ``("cut", a, b)`` or ``("add", k, 0)``.

    A share ``a/b`` of what is left is used up (three operations), or ``k`` is added (one).
    Returns them first to last after the amount at the start, ``("start", q, 0)``, or
    ``None`` if the amounts would grow too large.
    """
    budget = operation_budget(rng, level)
    amount = rng.randint(12, 40_000 // level**2)  # longer runs of cuts start from more
    stages: list[tuple[str, int, int]] = []
    added = False  # at least one amount is added, so short runs differ in more than cuts
    while budget > 0:
        fits = [(a, b) for a, b in CUTS if (amount * b) % (b - a) == 0]
        if budget >= 3 + (not added) and rng.random() < 0.85:
            a, b = rng.choice(fits)
            amount = amount * b // (b - a)
            stages.append(("cut", a, b))
            budget -= 3
            continue
        k = rng.randint(2, 999)
        stages.append(("add", k, 0))
        added = True
        amount -= k
        budget -= 1
        if amount <= 0:
            return None
    if amount > LIMIT:
        return None
    return [("start", amount, 0), *reversed(stages)]


def remaining(rng: random.Random, level: int) -> MathItem | None:
    """What is left of a store after shares and percentages are used and some is added."""
    stages = _stages(rng, level)
    if stages is None:
        return None
    unit, opening, running, verb, more = rng.choice(STORES)
    name = rng.choice(NAMES)
    draft = Draft()
    sentences = [opening.format(q=stages[0][1], name=name)]
    ref = str(stages[0][1])
    for n, (kind, x, y) in enumerate(stages[1:], start=1):
        day = f"On day {n}"
        if kind == "cut":
            share = f"{x}%" if y == 100 else f"{x}/{y}"
            sentences.append(f"{day}, {share} of what is left {verb}.")
            ref = draft.step(f"{ref} * ({y} - {x}) / {y}", f"{running} after {day.lower()}")
        else:
            sentences.append(f"{day}, {more.format(k=x, name=name)}.")
            ref = draft.step(f"{ref} + {x}", f"{running} after {day.lower()}")
    if not draft.steps:
        return None
    sentences.append(f"How many {unit} are left?")
    return draft.item(" ".join(sentences), level, unit)


BASES = (12, 24, 30, 36, 60)
"""A problem's denominators divide one of these, so its sums stay readable."""


def _leaf(rng: random.Random, base: int) -> Node:
    """A fraction in lowest terms that is not a whole number, its denominator dividing ``base``."""
    b = rng.choice([d for d in range(2, 13) if base % d == 0])
    a = rng.choice([a for a in range(1, 4 * b) if math.gcd(a, b) == 1])
    return Node(Fraction(a, b), fraction=(a, b))


def fraction_sum(rng: random.Random, level: int) -> MathItem | None:
    """Compute an expression of fractions and whole numbers, in lowest terms.

    Each fraction ``p/q`` is a division of the worked solution, so a budget of ``n``
    operations takes ``k`` numbers of which ``n - k + 1`` are fractions (and the rest, one
    at least, whole numbers).
    """
    budget = operation_budget(rng, level)
    base = rng.choice(BASES)
    count = rng.randint((budget + 3) // 2, budget)  # at least one whole number
    nodes = [_leaf(rng, base) for _ in range(budget - count + 1)]
    nodes += [Node(Fraction(rng.randint(2, 60))) for _ in range(len(nodes), count)]
    rng.shuffle(nodes)
    while len(nodes) > 1:
        i = rng.randrange(len(nodes) - 1)
        a, b = nodes[i], nodes[i + 1]
        op = rng.choice("+-+-*/" if level >= 3 else "+-+-*")
        if op == "-" and a.value <= b.value:
            op = "+"
        nodes[i : i + 2] = [Node(apply(op, a.value, b.value), op, a, b)]
    root = left_deep(nodes[0])
    if not OPERATIONS[level][0] <= operations(root) <= OPERATIONS[level][1]:
        return None
    if root.value.denominator > 5000 or root.value.numerator > 10**5:
        return None
    draft = Draft()
    _, text = write(root, draft)
    draft.steps[-1] = replace(draft.steps[-1], text="the whole expression")
    question = f"Compute {text}. Give the answer as a fraction in lowest terms."
    return draft.item(question, level)


@generator("fractions")
def fractions_and_percentages(rng: random.Random, level: int) -> MathItem:
    """A store used up by fractions and percentages, or a long sum of fractions."""
    return redraw(remaining if rng.random() < 0.6 else fraction_sum, rng, level)
