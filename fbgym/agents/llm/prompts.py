"""Which prompt template an LLM agent uses for a family, and which episode a step belongs to."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fbgym.core.prompt import DEFAULT_TEMPLATE, Message, PromptTemplate
from fbgym.errors import ConfigError
from fbgym.registration import registry

__all__ = ["Message", "PromptTemplate", "conversation_key", "prompt_for"]


def prompt_for(
    family: str, overrides: Mapping[str, PromptTemplate] | None = None
) -> PromptTemplate:
    """The template of ``family``: from ``overrides``, else its declaration's, else the default.

    >>> prompt_for("search").feedback_label
    'The user'
    >>> prompt_for("a family nobody declared") is DEFAULT_TEMPLATE
    True
    """
    if overrides and family in overrides:
        return overrides[family]
    template = registry.declared(family, "prompt")
    return DEFAULT_TEMPLATE if template is None else template


def conversation_key(info: Mapping[str, Any]) -> tuple[str, ...]:
    """Which episode ``info`` belongs to.

    ``info["episode"]`` if the runner set one, else the problem id and the channel
    (distinct across the envs × channels × seeds of a run).
    """
    if info.get("episode") is not None:
        return (str(info["episode"]),)
    if "problem_id" not in info:
        raise ConfigError(
            "LLM agents need the env's info with 'problem_id' (or 'episode'); got keys "
            f"{sorted(info)}"
        )
    return (str(info["problem_id"]), str(info.get("channel", "")))
