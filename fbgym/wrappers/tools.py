"""Which tools a family's commands are, for agents and trainers that speak tool calls."""

from __future__ import annotations

from fbgym.core.tools import INVALID, Tool, ToolCallError, ToolSet, parse_call, words
from fbgym.registration import registry

__all__ = ["INVALID", "Tool", "ToolCallError", "ToolSet", "parse_call", "tools_for", "words"]


def tools_for(family: str) -> ToolSet | None:
    """The tool set ``family`` declares (``Family.tools``); ``None`` if it declares none.

    >>> [tool.name for tool in tools_for("search").tools]
    ['search', 'ask', 'answer', 'stop']
    >>> tools_for("math") is None
    True
    """
    return registry.declared(family, "tools")
