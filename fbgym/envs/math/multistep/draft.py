"""Draft: a worked solution written quantity by quantity, then set in lines of a level's length."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from fractions import Fraction

from fbgym.envs.math.generators import MathItem
from fbgym.envs.math.multistep import LINE
from fbgym.envs.math.program import Step, evaluate, operations

_REF = re.compile(r"\bs(\d+)\b")


class Draft:
    """The quantities of a worked solution so far, each a step, with its exact value.

    Generators choose later numbers from earlier values (a discount that divides the total,
    a payment above the cost), so each step is evaluated as it is added; :meth:`item` then
    writes the solution in lines of at most the level's length (see :func:`set_in_lines`).
    """

    def __init__(self) -> None:
        self.steps: list[Step] = []
        self.values: list[Fraction] = []

    def step(self, expr: str, text: str) -> str:
        """Add a step computing ``expr`` (described by ``text``); returns its reference ``sN``."""
        values = evaluate((*self.steps, Step(expr, text)), prefix=self.values)
        if values is None:
            raise ValueError(f"step {expr!r} divides by zero")
        self.steps.append(Step(expr, text))
        self.values.append(values[-1])
        return f"s{len(self.steps)}"

    def value(self, ref: str) -> Fraction:
        """The value of step ``ref`` (``"s2"``)."""
        return self.values[int(ref[1:]) - 1]

    @property
    def operations(self) -> int:
        """Operations written so far."""
        return operations(self.steps)

    def item(self, question: str, level: int, unit: str = "") -> MathItem:
        """The finished problem, its solution set in the level's lines (``LINE``)."""
        return MathItem(question, set_in_lines(self.steps, LINE[level]), unit)


def set_in_lines(steps: Sequence[Step], line: int | None) -> tuple[Step, ...]:
    """The same computation in fewer, longer steps.

    A step used once, by one later step, is written into it, in brackets, while that step
    stays within ``line`` operations (``None``: any number); the last step and steps used
    twice stay steps.

    >>> set_in_lines((Step("3 * 4", "pens"), Step("s1 + 5", "bill"), Step("20 - s2", "change")), 2)
    (Step(expr='(3 * 4) + 5', text='bill'), Step(expr='20 - s1', text='change'))
    """
    uses = Counter(int(r) for s in steps for r in _REF.findall(s.expr))
    written: dict[int, tuple[str, int]] = {}
    kept = {len(steps)}
    for i, step in enumerate(steps, start=1):
        expr, ops = step.expr, operations((step,))
        for j in sorted({int(r) for r in _REF.findall(step.expr)}):
            child, child_ops = written[j]
            if uses[j] == 1 and (line is None or ops + child_ops <= line):
                expr = re.sub(rf"\bs{j}\b", f"({child})", expr)
                ops += child_ops
            else:
                kept.add(j)
        written[i] = (expr, ops)
    number = {old: new for new, old in enumerate(sorted(kept), start=1)}
    return tuple(
        Step(_REF.sub(lambda m: f"s{number[int(m[1])]}", written[old][0]), steps[old - 1].text)
        for old in sorted(kept)
    )
