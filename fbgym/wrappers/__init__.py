"""Gymnasium wrappers: an episode as chat messages, and tool calls for command families."""

from fbgym.wrappers.chat import ChatEnv, ChatMessages
from fbgym.wrappers.tools import Tool, ToolCallError, ToolSet, tools_for

__all__ = [
    "ChatEnv",
    "ChatMessages",
    "Tool",
    "ToolCallError",
    "ToolSet",
    "tools_for",
]
