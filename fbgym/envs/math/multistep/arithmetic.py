"""Long arithmetic expressions: + − × ÷ and brackets, a whole number at every operation."""

from __future__ import annotations

import random
from dataclasses import replace
from fractions import Fraction

from fbgym.envs.math.generators import MathItem
from fbgym.envs.math.multistep import generator, operation_budget
from fbgym.envs.math.multistep.draft import Draft
from fbgym.envs.math.multistep.expression import Node, left_deep, write

LIMIT = 10**5
"""No number in the expression, written or computed, exceeds this."""


def _split(rng: random.Random, value: int, op: str) -> tuple[int, int] | None:
    """Two whole operands that ``op`` combines into ``value``, if there are any."""
    if op == "+" and value >= 2:
        a = rng.randint(1, value - 1)
        return a, value - a
    if op == "-":
        b = rng.randint(2, 99)
        return (value + b, b) if value + b <= LIMIT else None
    if op == "*":
        divisors = [d for d in range(2, 26) if value % d == 0 and value // d >= 2]
        return (value // (d := rng.choice(divisors)), d) if divisors else None
    if op == "/":
        d = rng.randint(2, 12)
        return (value * d, d) if value * d <= LIMIT else None
    return None


def _grow(rng: random.Random, value: int, operations: int) -> Node:
    """A tree of ``operations`` operations worth ``value``, grown from its value down."""
    if operations == 0:
        return Node(Fraction(value))
    ops = rng.sample("+-*/", 4)
    if value < 20:  # small numbers grow by − and ÷ rather than shrink to ones and twos
        ops.sort(key=lambda op: op not in "-/")
    for op in ops:
        operands = _split(rng, value, op)
        if operands is not None:
            break
    else:
        op, operands = "-", (value + 1, 1)
    left = rng.randint(0, operations - 1)
    return Node(
        Fraction(value),
        op,
        _grow(rng, operands[0], left),
        _grow(rng, operands[1], operations - 1 - left),
    )


@generator("arithmetic")
def arithmetic(rng: random.Random, level: int) -> MathItem:
    """Compute a bracketed expression, worked innermost operations first."""
    draft = Draft()
    root = _grow(rng, rng.randint(100, 5000 * level), operation_budget(rng, level))
    _, text = write(left_deep(root), draft)
    draft.steps[-1] = replace(draft.steps[-1], text="the whole expression")
    return draft.item(f"Compute {text}.", level)
