"""Baseline agents: one candidate-generating policy per family, with or without feedback.

``FeedbackAgent`` and ``BlindAgent`` share each family's candidate generator; only the first
uses the feedback (verbal: prune by what it says; ranked: by the order; unary: drop what
was tried). A family names its policy in its declaration (``Family.baseline``, see
:class:`~fbgym.core.family.Family`), loaded on first use; a family without one cannot be
played by these agents, and says so.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from typing import Any

from fbgym.agents.base import BaseAgent
from fbgym.core.env import Observation
from fbgym.core.protocols import Policy
from fbgym.core.seeding import make_random
from fbgym.errors import ConfigError, FbgymError
from fbgym.registration import registry


def get_policy(family: str) -> Any:
    """The baseline policy factory ``family`` declares; a clear error if it has none."""
    factory = registry.family(family).load("baseline")
    if factory is None:
        raise FbgymError(
            f"family {family!r} declares no baseline policy (Family.baseline), so the "
            "feedback and blind baselines cannot play it; evaluate your own agent on it"
        )
    return factory


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

    def check_envs(self, env_ids: Iterable[str]) -> None:
        """Refuse, before anything is played, envs whose family declares no baseline policy."""
        families = {f.name: f for f in map(registry.family_of, env_ids)}
        missing = sorted(name for name, f in families.items() if f.baseline is None)
        if missing:
            raise ConfigError(
                f"the {self.name} plays each family by the policy the family declares "
                f"(Family.baseline); {', '.join(map(repr, missing))} declare(s) none, so "
                "evaluate your own agent on it"
            )

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
