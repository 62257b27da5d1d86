"""Fractions and percentages: what is left after a run of changes, and sums of fractions."""

from __future__ import annotations

import math
import random
from dataclasses import replace
from fractions import Fraction

from fbgym.envs.math.generators import MathItem
from fbgym.envs.math.multistep import OPERATIONS, generator, operation_budget
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
SHARES = ((1, 2), (1, 3), (2, 5), (1, 4), (3, 8), (1, 5), (1, 6), (1, 8), (3, 10), (2, 7))
PERCENTS = (5, 10, 15, 20, 25, 30, 40, 50)
LIMIT = 10**5


def _stages(rng: random.Random, budget: int) -> list[tuple[str, int, int]] | None:
    """Changes worked backwards from what is left: ("share", a, b), ("pct", p, 0), ("add", k, 0).

    Returns them first to last with the amount at the start as ``("start", q, 0)``, or
    ``None`` if the amounts would grow too large.
    """
    amount = rng.randint(12, 600)
    stages: list[tuple[str, int, int]] = []
    while budget > 0:
        if budget >= 3 and rng.random() < 0.85:
            shares = [(a, b) for a, b in SHARES if amount % (b - a) == 0]
            pcts = [p for p in PERCENTS if (amount * 100) % (100 - p) == 0]
            if shares and (not pcts or rng.random() < 0.5):
                a, b = rng.choice(shares)
                amount = amount // (b - a) * b
                stages.append(("share", a, b))
                budget -= 3
                continue
            if pcts:
                p = rng.choice(pcts)
                amount = amount * 100 // (100 - p)
                stages.append(("pct", p, 0))
                budget -= 3
                continue
        k = rng.randint(2, 60)
        stages.append(("add", k, 0))
        amount -= k
        budget -= 1
        if amount <= 0:
            return None
    if amount > LIMIT:
        return None
    return [("start", amount, 0), *reversed(stages)]


def remaining(rng: random.Random, level: int) -> MathItem | None:
    """What is left of a store after shares and percentages are used and some is added."""
    stages = _stages(rng, operation_budget(rng, level))
    if stages is None:
        return None
    unit, opening, running, verb, more = rng.choice(STORES)
    name = rng.choice(NAMES)
    draft = Draft()
    sentences = [opening.format(q=stages[0][1], name=name)]
    ref = str(stages[0][1])
    for n, (kind, x, y) in enumerate(stages[1:], start=1):
        day = f"On day {n}"
        if kind == "share":
            sentences.append(f"{day}, {x}/{y} of what is left {verb}.")
            ref = draft.step(f"{ref} * ({y} - {x}) / {y}", f"{running} after {day.lower()}")
        elif kind == "pct":
            sentences.append(f"{day}, {x}% of what is left {verb}.")
            ref = draft.step(f"{ref} * (100 - {x}) / 100", f"{running} after {day.lower()}")
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
    a = rng.choice([a for a in range(1, 2 * b) if math.gcd(a, b) == 1])
    return Node(Fraction(a, b), fraction=(a, b))


def fraction_sum(rng: random.Random, level: int) -> MathItem | None:
    """Compute an expression of fractions, in lowest terms."""
    budget = operation_budget(rng, level)
    base = rng.choice(BASES)
    leaves = [_leaf(rng, base) for _ in range((budget + 2) // 2)]
    nodes = list(leaves)
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
    make = remaining if rng.random() < 0.6 else fraction_sum
    for _ in range(500):
        item = make(rng, level)
        if item is not None:
            return item
    raise RuntimeError(f"no {make.__name__} problem at level {level} after 500 drafts")
