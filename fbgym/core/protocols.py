"""The interfaces a family plugs into fbgym: a Task, a Simulator, and a baseline Policy."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

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


@runtime_checkable
class Policy(Protocol):
    """One episode's decision-maker of a family's baseline (see ``Family.baseline``).

    Made per episode as ``factory(problem, use_feedback=..., rng=..., memory=...)``, where
    ``problem`` is ``info["problem"]`` from reset and ``memory`` a dict the family keeps
    across the episodes of a stream.
    """

    def act(self, observation: dict[str, str], info: dict[str, Any]) -> str:
        """The next action."""
        ...
