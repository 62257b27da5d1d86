"""Tool calls: a family's commands as JSON tool schemas, and each call as its text command.

A family whose actions are commands declares a :class:`ToolSet` — one :class:`Tool` per
command, with the JSON schema of its arguments and how valid arguments read as text — and
names it in its declaration (``Family.tools``). Envs keep
taking text: :meth:`ToolSet.action` turns an OpenAI-format tool call (or several, where a
turn may hold several commands) into the command the env parses, and a malformed call into
a text the env refuses as a failed attempt, with the reason in its feedback.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from fbgym.errors import ConfigError, FbgymError

INVALID = "invalid tool call"
"""How the text of a malformed tool call starts: no family parses it as a command."""


class ToolCallError(FbgymError, ValueError):
    """A tool call that names no tool, or whose arguments do not fit the tool's schema."""


@dataclass(frozen=True)
class Tool:
    """One command as a function a model may call.

    ``parameters`` is the JSON schema of the arguments (an object); ``render`` turns
    arguments that fit it into the family's text command.
    """

    name: str
    description: str
    parameters: Mapping[str, Any]
    render: Callable[[Mapping[str, Any]], str]

    def __post_init__(self) -> None:
        from jsonschema import Draft202012Validator
        from jsonschema.exceptions import SchemaError

        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]{0,63}", self.name):
            raise ConfigError(
                f"a tool name must be 1-64 letters, digits, _ or -, got {self.name!r}"
            )
        if self.parameters.get("type") != "object":
            raise ConfigError(f"tool {self.name!r}: parameters must be an object schema")
        try:
            Draft202012Validator.check_schema(dict(self.parameters))
        except SchemaError as exc:
            raise ConfigError(
                f"tool {self.name!r}: invalid parameters schema: {exc.message}"
            ) from None

    @cached_property
    def _validator(self) -> Any:
        from jsonschema import Draft202012Validator

        return Draft202012Validator(dict(self.parameters))

    def schema(self) -> dict[str, Any]:
        """The tool in the OpenAI ``tools`` format."""
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": dict(self.parameters),
            },
        }

    def command(self, arguments: Mapping[str, Any]) -> str:
        """The text command for ``arguments``, or :class:`ToolCallError` saying what is wrong."""
        errors = sorted(self._validator.iter_errors(dict(arguments)), key=lambda e: list(e.path))
        if errors:
            where = "/".join(map(str, errors[0].absolute_path))
            raise ToolCallError(f"{self.name}: {where + ': ' if where else ''}{errors[0].message}")
        return self.render(arguments)


@dataclass(frozen=True)
class ToolSet:
    """A family's tools; a turn holds at most ``max_calls`` calls, joined by ``separator``."""

    family: str
    tools: tuple[Tool, ...]
    max_calls: int = 1
    separator: str = "; "

    def __post_init__(self) -> None:
        names = [t.name for t in self.tools]
        if not self.tools or len(set(names)) != len(names):
            raise ConfigError(f"tool set {self.family!r} needs tools with distinct names: {names}")
        if self.max_calls < 1:
            raise ConfigError(f"max_calls must be at least 1, got {self.max_calls}")

    def schemas(self) -> list[dict[str, Any]]:
        """Every tool in the OpenAI ``tools`` format (for a request, or a chat template)."""
        return [tool.schema() for tool in self.tools]

    def command(self, calls: Mapping[str, Any] | Sequence[Mapping[str, Any]]) -> str:
        """The text command for one tool call or a turn's calls; :class:`ToolCallError` if bad.

        A call is OpenAI's ``{"function": {"name", "arguments"}}`` (arguments a JSON string
        or an object) or a bare ``{"name", "arguments"}``.
        """
        calls = [calls] if isinstance(calls, Mapping) else list(calls)
        if not calls:
            raise ToolCallError("the turn holds no tool call")
        if len(calls) > self.max_calls:
            raise ToolCallError(
                f"{len(calls)} tool calls in one turn; {self.family} takes at most {self.max_calls}"
            )
        tools = {tool.name: tool for tool in self.tools}
        texts = []
        for call in calls:
            name, arguments = parse_call(call)
            if name not in tools:
                raise ToolCallError(
                    f"no tool {name[:40]!r}; the tools are {', '.join(sorted(tools))}"
                )
            texts.append(tools[name].command(arguments))
        return self.separator.join(texts)

    def action(self, calls: Mapping[str, Any] | Sequence[Mapping[str, Any]]) -> str:
        """:meth:`command`, or for a bad call a text the env refuses, saying what was wrong."""
        try:
            return self.command(calls)
        except ToolCallError as exc:
            reason = " ".join(re.sub(r"[;\n]", ",", str(exc)).split())
            return f"{INVALID}: {reason}"


def parse_call(call: Any) -> tuple[str, dict[str, Any]]:
    """The name and arguments of one tool call, or :class:`ToolCallError`."""
    if not isinstance(call, Mapping):
        raise ToolCallError(f"a tool call must be an object, got {type(call).__name__}")
    function = call.get("function", call)
    name = function.get("name") if isinstance(function, Mapping) else None
    if not isinstance(name, str):
        raise ToolCallError("a tool call needs a function name")
    arguments = function.get("arguments") or {}
    if isinstance(arguments, str):
        try:
            arguments = json.loads(arguments)
        except json.JSONDecodeError as exc:
            raise ToolCallError(f"{name[:40]}: the arguments are not JSON ({exc.msg})") from None
    if not isinstance(arguments, dict):
        raise ToolCallError(f"{name[:40]}: the arguments must be an object")
    return name, arguments


def words(text: str) -> str:
    """``text`` on one line, its whitespace collapsed (a command never spans lines)."""
    return " ".join(str(text).split())
