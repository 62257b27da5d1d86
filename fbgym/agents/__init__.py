"""Agents: the protocol, the baselines, and lookup by name or ``module:Class``."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from fbgym.agents.base import Agent, BaseAgent
from fbgym.agents.baselines import BlindAgent, FeedbackAgent
from fbgym.errors import UnknownIdError

AGENTS: dict[str, Callable[[], Agent]] = {
    FeedbackAgent.name: FeedbackAgent,
    BlindAgent.name: BlindAgent,
}
"""Agents the CLI knows by name."""


def load_agent(spec: str) -> Agent:
    """An agent from a registered name or from ``package.module:ClassOrFactory``."""
    if spec in AGENTS:
        return AGENTS[spec]()
    if ":" in spec:
        module, _, attr = spec.partition(":")
        try:
            return getattr(importlib.import_module(module), attr)()
        except (ImportError, AttributeError) as exc:
            raise UnknownIdError(f"cannot load agent {spec!r}: {exc}") from exc
    raise UnknownIdError(
        f"no agent {spec!r}; use one of {', '.join(sorted(AGENTS))} or 'package.module:Class'"
    )


__all__ = ["AGENTS", "Agent", "BaseAgent", "BlindAgent", "FeedbackAgent", "load_agent"]
