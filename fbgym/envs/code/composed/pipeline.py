"""A composition of steps: drawn as a walk over the value types, rendered as code and as text."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fbgym.envs.code.composed import integers, lists, tables, text, words  # noqa: F401 (primitives)
from fbgym.envs.code.composed.run import canonical, function
from fbgym.envs.code.composed.steps import DESCRIBED, INT, PRIMITIVES, VARIABLE, Step

TRIES = 10
"""Draws of one step before the walk gives up."""
VARIETY = 4
"""Fewest different values a step may leave on the probe (a verdict step: two)."""
TERMINAL = ("int.label", "int.parity")
"""Steps that turn a number into a verdict; a pipeline ends with them or not at all."""
NAMES = (
    "solve",
    "transform",
    "process",
    "compute",
    "evaluate",
    "convert",
    "digest",
    "summarize",
    "tally",
    "reduce_input",
    "apply_rules",
    "pipeline",
)
"""Entry-point names: neutral, so the name says nothing about the function."""


@dataclass(frozen=True)
class Pipeline:
    """Steps from an input type, with the entry point's name."""

    entry: str
    source: str
    steps: tuple[Step, ...]

    @property
    def target(self) -> str:
        """The type of the returned value."""
        return self.steps[-1].target

    @property
    def skeleton(self) -> str:
        """What the pipeline does, without its constants: equal skeletons differ only in those."""
        return " | ".join((self.source, *(s.key for s in self.steps)))

    @property
    def signature(self) -> str:
        """``solve(nums: list[int]) -> int``."""
        return f"{self.entry}({VARIABLE[self.source]}: {self.source}) -> {self.target}"

    def program(self, codes: Sequence[str] | None = None) -> str:
        """The function's source, with ``codes`` (default: each step's own code) as its steps."""
        codes = codes if codes is not None else [s.code for s in self.steps]
        lines = [f"def {self.entry}({VARIABLE[self.source]}):"]
        lines += [f"    {s.line(c)}" for s, c in zip(self.steps, codes) if s.line(c)]
        lines.append(f"    return {VARIABLE[self.target]}")
        return "\n".join(lines) + "\n"

    def describe(self, rng: random.Random) -> str:
        """The specification in words: an opening, one numbered sentence per step, the return."""
        var, what = VARIABLE[self.source], DESCRIBED[self.source]
        if self.source == INT:
            opening = f"Let the result start as {var}, {what}, and apply these steps in order:"
        else:
            opening = rng.choice(
                (
                    f"{var} is {what}. Apply these steps to it, in order:",
                    f"Given {what} {var}, carry out the following steps one after another:",
                    f"Start from {var}, {what}, and transform it step by step:",
                )
            )
        lines = [opening]
        lines += [f"{n}. {rng.choice(s.clauses)}" for n, s in enumerate(self.steps, 1)]
        lines.append(rng.choice(("Return the final result.", "Return what the last step gives.")))
        return "\n".join(lines)


def walk(rng: random.Random, source: str, length: int, probe: Sequence[Any]) -> Pipeline | None:
    """``length`` random steps from ``source``, or ``None`` when the walk gets stuck.

    Each step is tried on ``probe`` (inputs of type ``source``) as it is drawn and redrawn
    if it raises, changes nothing, or leaves fewer than :data:`VARIETY` different values.
    """
    steps: list[Step] = []
    values, current, previous = list(probe), source, ""
    for position in range(length):
        options = sorted(
            (p for p in PRIMITIVES if p.source == current and p.name != previous),
            key=lambda p: p.name,  # registration order must not change the problems
        )
        weights = [p.weight for p in options]
        for _ in range(TRIES):
            choice = rng.choices(options, weights)[0]
            step = choice.draw(rng)
            terminal = step.key.startswith(TERMINAL)
            if terminal and position < length - 1:
                continue
            after = _apply(step, values)
            if after is not None and _fits(step, values, after, 2 if terminal else VARIETY):
                break
        else:
            return None
        steps.append(step)
        values, current, previous = after, step.target, choice.name
    if not any(s.constants for s in steps):
        return None  # a function with nothing drawn recurs too often
    return Pipeline(rng.choice(NAMES), source, tuple(steps))


def _apply(step: Step, values: Sequence[Any]) -> list[Any] | None:
    """``step`` applied to each value, or ``None`` if it raises on any."""
    variable = VARIABLE[step.source]
    fn = function(
        f"def step({variable}):\n    {step.line(step.code)}\n    return {VARIABLE[step.target]}\n",
        "step",
    )
    try:
        return [fn(v) for v in values]
    except Exception:  # the reference must be total on its inputs: draw another step
        return None


def _fits(step: Step, before: Sequence[Any], after: Sequence[Any], variety: int) -> bool:
    """Whether ``step`` does something on the probe and keeps its values varied."""
    seen = [canonical(v) for v in after]
    if step.source == step.target and seen == [canonical(v) for v in before]:
        return False
    return len(set(seen)) >= variety
