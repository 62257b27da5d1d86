"""The math baseline: a slip-prone solver's candidate answers, pruned by the feedback."""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from fbgym.core.types import Feedback
from fbgym.envs.math.program import Step, evaluate, format_number, mistakes, steps_from_json

SLIP_WEIGHTS = {"swap_op": 0.35, "reverse": 0.25, "skip": 0.2, "plus_one": 0.15, "minus_one": 0.15}
"""How likely the simulated solver makes each kind of slip, relative to solving correctly (1.0)."""


@dataclass
class Candidate:
    """A possible answer and the step values of the solution path that gives it."""

    value: Fraction
    path: tuple[Fraction, ...]
    weight: float


def candidates(steps: tuple[Step, ...], rng: random.Random) -> list[Candidate]:
    """The correct path and every single-slip path, one candidate per distinct answer.

    Weights are the slip priors jittered per episode (log-normal), so which wrong answer the
    solver favours differs from problem to problem.
    """
    correct = evaluate(steps) if steps else None
    if not correct:
        return []
    found: dict[Fraction, Candidate] = {correct[-1]: Candidate(correct[-1], correct, 1.0)}
    for mistake in mistakes(steps):
        path = evaluate(steps, mistake)
        if path is None:
            continue
        weight = SLIP_WEIGHTS[mistake.kind] * math.exp(rng.gauss(0.0, 0.8))
        best = found.get(path[-1])
        if best is None:
            found[path[-1]] = Candidate(path[-1], path, weight)
        elif path[-1] != correct[-1]:
            best.weight += weight
    return list(found.values())


def numbers_in(text: str) -> list[Fraction]:
    """Every number written in ``text``, for problems without a step program."""
    return [Fraction(n.replace(",", "")) for n in re.findall(r"-?\d[\d,]*(?:\.\d+)?", text)]


class MathPolicy:
    """Propose candidate answers; with feedback, keep only those consistent with it.

    - verbal: drop answers on the wrong side of "too high/low"; when a step is named, keep
      paths that agree with the failed one before that step and differ at it;
    - ranked: keep answers closer to every better-ranked attempt than to worse ones;
    - unary: drop the answers already tried;
    - blind (``use_feedback=False``): sample afresh every turn.
    """

    def __init__(
        self, problem: dict[str, Any], *, use_feedback: bool, rng: random.Random, memory: dict
    ):
        self.use_feedback = use_feedback
        self.rng = rng
        self.pool = candidates(steps_from_json(problem.get("steps", ())), rng)
        self.attempts: dict[int, Candidate] = {}
        self.alive = list(self.pool)

    def act(self, observation: dict[str, str], info: dict[str, Any]) -> str:
        """State the next candidate answer."""
        if not self.pool:
            found = numbers_in(observation["observation"])
            self.pool = [Candidate(v, (v,), 1.0) for v in dict.fromkeys(found)] or [
                Candidate(Fraction(0), (Fraction(0),), 1.0)
            ]
            self.alive = list(self.pool)
        feedback: Feedback | None = info.get("feedback")
        if self.use_feedback and feedback is not None and self.attempts:
            self._prune(feedback, info["turn"])
        pool = self.alive if self.use_feedback else self.pool
        if not pool:
            pool = self.pool
        choice = self.rng.choices(pool, weights=[c.weight for c in pool])[0]
        self.attempts[info.get("turn", 0) + 1] = choice
        return f"The answer is {format_number(choice.value)}."

    def _prune(self, feedback: Feedback, turn: int) -> None:
        last = self.attempts[turn]
        alive = [c for c in self.alive if c.value not in {a.value for a in self.attempts.values()}]
        direction = feedback.meta.get("direction")
        if direction == "high":
            alive = [c for c in alive if c.value < last.value]
        elif direction == "low":
            alive = [c for c in alive if c.value > last.value]
        step = feedback.meta.get("step")
        if step:
            k = step - 1
            alive = [
                c
                for c in alive
                if len(c.path) == len(last.path)
                and c.path[:k] == last.path[:k]
                and c.path[k] != last.path[k]
            ] or alive
        edit = feedback.meta.get("edit")  # the user rewrote the faulty step
        if edit:
            k, value = edit["step"] - 1, Fraction(edit["value"])
            alive = [c for c in alive if len(c.path) > k and c.path[k] == value] or alive
        for step_number, value in (feedback.meta.get("step_values") or {}).items():
            k = int(step_number) - 1
            alive = [c for c in alive if len(c.path) > k and c.path[k] == Fraction(value)] or alive
        if feedback.ranking:
            alive = [c for c in alive if self._consistent(c.value, feedback.ranking)]
        self.alive = alive

    def _consistent(self, value: Fraction, ranking: tuple[tuple[int, ...], ...]) -> bool:
        """Whether ``value`` as the answer explains the ranking of the attempts."""
        dist = [
            [abs(value - self.attempts[t].value) for t in group if t in self.attempts]
            for group in ranking
        ]
        for better, worse in zip(dist, dist[1:]):
            if better and worse and max(better) >= min(worse):
                return False
        return all(len(set(group)) <= 1 for group in dist)
