"""The Agent protocol: ``reset`` at the start of an episode, ``act`` once per turn."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

Observation = dict[str, str]


@runtime_checkable
class Agent(Protocol):
    """Anything that plays fbgym episodes.

    The runner calls ``reset(instruction, seed=...)`` at the start of each episode (``seed``
    is the episode's, for agents that sample) and ``act(observation, info)`` once per turn,
    where ``info`` is the env's info (``info["feedback"]`` holds the typed feedback). An agent
    may keep memory across episodes; the runner plays a stream of episodes on one instance.
    """

    name: str

    def reset(self, instruction: str, *, seed: int | None = None) -> None:
        """Start an episode."""
        ...

    def act(self, observation: Observation, info: dict[str, Any]) -> str:
        """The next action."""
        ...


class BaseAgent:
    """Convenience base: a name, a JSON config (hashed into run records), batched ``act``.

    Subclasses implement :meth:`act` and may override :meth:`reset`. ``privileged`` marks
    agents that read structure an env exposes for programmatic baselines (e.g. a math
    problem's step program); results record it.
    """

    name = "agent"
    privileged = False

    def config(self) -> dict[str, Any]:
        """The settings that define this agent's behaviour (JSON-serialisable)."""
        return {}

    def config_hash(self) -> str:
        """A short stable hash of :meth:`config` and the agent's class."""
        payload = json.dumps(
            {"class": f"{type(self).__module__}.{type(self).__qualname__}", **self.config()},
            sort_keys=True,
            default=str,
        )
        return hashlib.sha256(payload.encode()).hexdigest()[:16]

    def new_stream(self) -> None:
        """Start a stream of episodes afresh, forgetting earlier streams (no-op by default)."""

    def reset(self, instruction: str, *, seed: int | None = None) -> None:
        """Start an episode (no-op by default)."""

    def act(self, observation: Observation, info: dict[str, Any]) -> str:
        """The next action."""
        raise NotImplementedError

    def act_batch(
        self, observations: Sequence[Observation], infos: Sequence[dict[str, Any]]
    ) -> list[str]:
        """One action per observation; LLM agents override this to batch generation."""
        return [self.act(o, i) for o, i in zip(observations, infos)]
