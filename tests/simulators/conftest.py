"""Shared fixtures: math problems, wrong answers graded, and a user over the math critic."""

from __future__ import annotations

from fractions import Fraction

import pytest

from fbgym.core.types import Feedback, Outcome, Problem, Turn
from fbgym.envs.math.critic import MathCritic
from fbgym.envs.math.program import format_number
from fbgym.envs.math.task import MathTask
from fbgym.simulators.base import SimulatedUser

TASK = MathTask()


def wrong_attempt(index: int, offset: int = 0) -> tuple[Problem, Outcome]:
    """Problem ``index`` and the grade of an answer off by a few (never right)."""
    problem = TASK.problem("test", index, 0)
    gold = Fraction(problem.data["gold_value"])
    delta = (1 + (index + offset) % 7) * (1 if (index + offset) % 2 else -1)
    outcome = TASK.grade(problem, f"The answer is {format_number(gold + delta)}", ())
    assert not outcome.success
    return problem, outcome


def turn(index: int, action: str, outcome: Outcome, feedback: Feedback) -> Turn:
    return Turn(index, action, outcome, feedback)


@pytest.fixture
def math_user():
    def make(channel: str = "verbal", pairwise: bool = False) -> SimulatedUser:
        return SimulatedUser(MathCritic(), channel, pairwise=pairwise)

    return make
