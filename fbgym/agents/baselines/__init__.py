"""Baseline agents: one candidate-generating policy per family, with or without feedback.

``FeedbackAgent`` and ``BlindAgent`` share each family's candidate generator; only the first
uses the feedback (verbal: prune by what it says; ranked: by the order; unary: drop what
was tried). Family policies live in ``fbgym.agents.baselines.<family>`` and register with
:func:`policy`; they are imported on first use.
"""

from __future__ import annotations

import importlib
import random
from collections.abc import Callable
from typing import Any, Protocol

from fbgym.agents.base import BaseAgent, Observation
from fbgym.core.seeding import make_random
from fbgym.errors import FbgymError


class Policy(Protocol):
    """One episode's decision-maker for one family."""

    def act(self, observation: Observation, info: dict[str, Any]) -> str:
        """The next action."""
        ...


PolicyFactory = Callable[..., Policy]
"""Called as ``factory(problem, use_feedback=..., rng=..., memory=...)`` where ``problem`` is
``info["problem"]`` from reset and ``memory`` a dict the family keeps across episodes."""

_POLICIES: dict[str, PolicyFactory] = {}


def policy(family: str) -> Callable[[PolicyFactory], PolicyFactory]:
    """Register the baseline policy of ``family``."""

    def add(factory: PolicyFactory) -> PolicyFactory:
        if family in _POLICIES:
            raise FbgymError(f"a baseline policy for family {family!r} is already registered")
        _POLICIES[family] = factory
        return factory

    return add


def get_policy(family: str) -> PolicyFactory:
    """The baseline policy of ``family``, importing ``fbgym.agents.baselines.<family>``."""
    if family not in _POLICIES:
        try:
            importlib.import_module(f"fbgym.agents.baselines.{family}")
        except ModuleNotFoundError:
            pass
    if family not in _POLICIES:
        raise FbgymError(f"no baseline policy for family {family!r}")
    return _POLICIES[family]


class FeedbackAgent(BaseAgent):
    """The feedback-using baseline: proposes candidates and prunes them by the feedback."""

    name = "feedback-baseline"
    privileged = True
    use_feedback = True

    def __init__(self, seed: int = 0):
        self.seed = seed
        self.memory: dict[str, dict[str, Any]] = {}
        self._policy: Policy | None = None
        self._rng = random.Random(0)

    def config(self) -> dict[str, Any]:
        """The seed and whether feedback is used."""
        return {"seed": self.seed, "use_feedback": self.use_feedback}

    def new_stream(self) -> None:
        """Forget what the family policies remembered across episodes."""
        self.memory = {}

    def reset(self, instruction: str, *, seed: int | None = None) -> None:
        """Start an episode; the policy is chosen on the first ``act`` from the problem's family."""
        self._policy = None
        self._rng = make_random("baseline", self.seed, seed)

    def act(self, observation: Observation, info: dict[str, Any]) -> str:
        """Delegate to the family's policy."""
        if self._policy is None:
            problem = info.get("problem")
            if problem is None:
                raise FbgymError("the first act() of an episode needs the reset info")
            family = problem["family"]
            self._policy = get_policy(family)(
                problem,
                use_feedback=self.use_feedback,
                rng=self._rng,
                memory=self.memory.setdefault(family, {}),
            )
        return self._policy.act(observation, info)


class BlindAgent(FeedbackAgent):
    """The same candidate generator, ignoring feedback: it resamples every turn."""

    name = "blind-baseline"
    use_feedback = False
