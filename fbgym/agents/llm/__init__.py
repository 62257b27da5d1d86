"""LLM agents (transformers, OpenAI-compatible servers) and methods that learn from feedback.

``HFAgent`` needs the ``llm`` extra (torch, transformers) and is imported only when used;
the others need nothing beyond fbgym.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from fbgym.agents.llm.base import Episode, LLMAgent
from fbgym.agents.llm.prompts import PromptTemplate, prompt_for

if TYPE_CHECKING:
    from fbgym.agents.llm.hf import HFAgent
    from fbgym.agents.llm.openai import OpenAIAgent
    from fbgym.agents.llm.reflexion import ReflexionAgent

_LAZY = {
    "HFAgent": "fbgym.agents.llm.hf",
    "OpenAIAgent": "fbgym.agents.llm.openai",
    "ReflexionAgent": "fbgym.agents.llm.reflexion",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Episode",
    "HFAgent",
    "LLMAgent",
    "OpenAIAgent",
    "PromptTemplate",
    "ReflexionAgent",
    "prompt_for",
]
