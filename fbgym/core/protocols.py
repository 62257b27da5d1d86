"""The two interfaces a family plugs into FeedbackEnv: a Task and a Simulator."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from fbgym.core.types import Channel, Feedback, Outcome, Problem, Turn


@runtime_checkable
class Task(Protocol):
    """A task family's problems and its grader.

    Both methods are pure: the same arguments always give the same result.
    """

    family: str

    def problem(self, split: str, index: int, seed: int) -> Problem:
        """Problem ``index`` of ``split``; depends only on (split, index, seed)."""
        ...

    def grade(self, problem: Problem, action: str, history: Sequence[Turn]) -> Outcome:
        """Judge ``action`` (a well-formed string) given the turns before it."""
        ...

    def reference_action(self, problem: Problem) -> str:
        """An action that solves ``problem`` on the first turn (the scripted oracle's)."""
        ...


@runtime_checkable
class Simulator(Protocol):
    """A simulated user or critic that reacts to each action in one channel."""

    channel: Channel

    def respond(
        self, problem: Problem, history: Sequence[Turn], outcome: Outcome, rng: random.Random
    ) -> Feedback:
        """Feedback on the action graded as ``outcome``; every random choice draws on ``rng``.

        A simulator that also declares an ``action`` keyword is given the action's text
        (e.g. to prefer longer answers, as a verbosity-biased annotator does).
        """
        ...
