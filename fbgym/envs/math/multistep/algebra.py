"""Linear equations with brackets on both sides, and numbers to find from a chain of operations."""

from __future__ import annotations

import random

from fbgym.envs.math.generators import MathItem
from fbgym.envs.math.multistep import OPERATIONS, generator, operation_budget, redraw
from fbgym.envs.math.multistep.draft import Draft
from fbgym.envs.math.multistep.story import NAMES

Term = tuple[int, int, int]
"""c(ax + b): (c, a, b) with c, a > 0 and b != 0."""


def _terms(rng: random.Random, n: int) -> list[Term]:
    return [
        (
            rng.randint(2, 9),
            rng.choice((1, 1, 2, 3, 4, 5)),
            rng.choice((-1, 1)) * rng.randint(1, 15),
        )
        for _ in range(n)
    ]


def _side(terms: list[Term], constant: int) -> str:
    """A side of the equation as printed: 3(2x − 5) + 4(x + 7) − 6."""
    out = []
    for c, a, b in terms:
        ax = "x" if a == 1 else f"{a}x"
        out.append(f"{c}({ax} {'+' if b > 0 else '−'} {abs(b)})")
    text = " + ".join(out)
    if not text:
        return str(constant).replace("-", "−")
    if constant:
        text += f" {'+' if constant > 0 else '−'} {abs(constant)}"
    return text


def _coefficient(terms: list[Term]) -> str:
    """The x coefficient of the terms once the brackets are multiplied out."""
    return " + ".join(str(c) if a == 1 else f"{c} * {a}" for c, a, _ in terms)


def _numbers(terms: list[Term], constant: int = 0) -> str:
    """The numbers of the terms (and ``constant``) once the brackets are multiplied out."""
    parts = [(b > 0, f"{c} * {abs(b)}") for c, _, b in terms]
    if constant:
        parts.append((constant > 0, str(abs(constant))))
    text = "" if parts[0][0] else "-"
    text += parts[0][1]
    for positive, part in parts[1:]:
        text += f" {'+' if positive else '-'} {part}"
    return text


def equation(rng: random.Random, level: int) -> MathItem | None:
    """Solve for x: brackets on the left, maybe on the right, numbers on both sides."""
    budget = operation_budget(rng, level)
    total = max(1, round((budget - 3) / 3.3))
    right_n = rng.randint(0, total // 2)
    left, right = _terms(rng, total - right_n), _terms(rng, right_n)
    d = rng.choice((-1, 1)) * rng.randint(1, 60)
    lx = sum(c * a for c, a, _ in left)
    rx = sum(c * a for c, a, _ in right)
    if lx == rx:
        return None
    x = rng.choice((-1, 1, 1, 1)) * rng.randint(2, 200 + 100 * level)
    ln = sum(c * b for c, _, b in left) + d
    rn = sum(c * b for c, _, b in right)
    g = (lx - rx) * x + ln - rn  # the number on the right that makes x the solution
    if g == 0:
        return None
    draft = Draft()
    coef = draft.step(_coefficient(left), "the x terms on the left")
    numbers = draft.step(_numbers(left, d), "the numbers on the left")
    if right:
        right_x = draft.step(_coefficient(right), "the x terms on the right")
        right_numbers = draft.step(_numbers(right), "the numbers on the right")
        coef = draft.step(f"{coef} - {right_x}", "the x terms collected on the left")
        numbers = draft.step(
            f"{right_numbers} + {g} - {numbers}", "the numbers collected on the right"
        )
    else:
        numbers = draft.step(f"{g} - {numbers}", "the numbers collected on the right")
    draft.step(f"{numbers} / {coef}", "dividing to find x")
    if not OPERATIONS[level][0] <= draft.operations <= OPERATIONS[level][1]:
        return None
    question = f"Solve for x: {_side(left, d)} = {_side(right, g)}."
    return draft.item(question, level)


VERBS = {
    "+": ("adds {k}", "taking away {k}"),
    "-": ("subtracts {k}", "adding {k} back"),
    "*": ("multiplies by {k}", "dividing by {k}"),
    "/": ("divides by {k}", "multiplying by {k}"),
}
_UNDO = {"+": "-", "-": "+", "*": "/", "/": "*"}


def think_of_a_number(rng: random.Random, level: int) -> MathItem | None:
    """A number put through a chain of operations; find it from the result."""
    budget = operation_budget(rng, level)
    x = rng.randint(2, 200 + 100 * level)
    value, chain = x, []
    for _ in range(budget):
        ops = ["+", "-", "*"] + (["/"] * 2 if value % 2 == 0 or value % 3 == 0 else [])
        op = rng.choice(ops)
        if op == "+":
            k = rng.randint(2, 99)
        elif op == "-":
            k = rng.randint(2, min(99, value - 1)) if value > 3 else None
        elif op == "*":
            k = rng.randint(2, 9) if value < 5000 else None
        else:
            k = rng.choice([d for d in range(2, 10) if value % d == 0])
        if k is None:
            op, k = "+", rng.randint(2, 99)
        value = {"+": value + k, "-": value - k, "*": value * k, "/": value // k}[op]
        chain.append((op, k))
    name = rng.choice(NAMES)
    said = ", ".join(VERBS[op][0].format(k=k) for op, k in chain)
    question = (
        f"{name} thinks of a number, {said}, and ends with {value}. "
        f"What number did {name} think of?"
    )
    draft = Draft()
    ref = str(value)
    for op, k in reversed(chain):
        ref = draft.step(f"{ref} {_UNDO[op]} {k}", VERBS[op][1].format(k=k))
    return draft.item(question, level)


@generator("algebra")
def linear(rng: random.Random, level: int) -> MathItem:
    """A linear equation with brackets, or a number to find from what was done to it."""
    return redraw(equation if rng.random() < 0.6 else think_of_a_number, rng, level)
