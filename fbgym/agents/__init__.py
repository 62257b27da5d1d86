"""Agents: the protocol, the baselines, and lookup by name or ``module:Class``."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from fbgym.agents.base import Agent, BaseAgent
from fbgym.agents.baselines import BlindAgent, FeedbackAgent
from fbgym.errors import UnknownIdError

AGENTS: dict[str, Callable[[], Agent]] = {
    FeedbackAgent.name: FeedbackAgent,
    BlindAgent.name: BlindAgent,
}
"""Agents the CLI knows by name."""


def load_agent(spec: str, **kwargs: Any) -> Agent:
    """An agent from a registered name or ``package.module:ClassOrFactory``.

    ``kwargs`` go to the constructor (e.g. ``model_name_or_path=`` for
    ``fbgym.agents.llm:HFAgent``).
    """
    if spec in AGENTS:
        return AGENTS[spec](**kwargs)
    if ":" in spec:
        module, _, attr = spec.partition(":")
        try:
            factory = getattr(importlib.import_module(module), attr)
        except (ImportError, AttributeError) as exc:
            raise UnknownIdError(f"cannot load agent {spec!r}: {exc}") from exc
        return factory(**kwargs)
    raise UnknownIdError(
        f"no agent {spec!r}; use one of {', '.join(sorted(AGENTS))} or 'package.module:Class'"
    )


__all__ = ["AGENTS", "Agent", "BaseAgent", "BlindAgent", "FeedbackAgent", "load_agent"]
