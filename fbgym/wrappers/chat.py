"""ChatEnv: an episode as OpenAI-format chat messages, rendered as the LLM agents render it.

The family's :class:`~fbgym.agents.llm.prompts.PromptTemplate` (the one LLM agents use)
writes the system message, the opening user message and each turn's feedback, so a model
trained on these conversations sees at play time exactly what it saw in training.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import gymnasium as gym

from fbgym.agents.llm.prompts import PromptTemplate, prompt_for
from fbgym.errors import ConfigError
from fbgym.wrappers.tools import ToolSet, tools_for

Message = dict[str, Any]
ROLES = frozenset({"system", "user", "assistant", "tool"})


class ChatMessages(gym.Space[list]):
    """A list of OpenAI-format chat messages: each a dict with a ``role`` and a ``content``.

    An assistant message may carry ``tool_calls``, and a ``tool`` message a ``tool_call_id``.
    """

    def __init__(self) -> None:
        super().__init__(None, None)

    def contains(self, x: Any) -> bool:
        """Whether ``x`` is such a list."""
        return isinstance(x, list) and all(_is_message(m) for m in x)

    def sample(self, mask: Any = None, probability: Any = None) -> list:
        """Conversations are not sampled; an empty one."""
        return []

    @property
    def is_np_flattenable(self) -> bool:
        """Text is not flattened into arrays."""
        return False


def _is_message(message: Any) -> bool:
    return (
        isinstance(message, dict)
        and message.get("role") in ROLES
        and isinstance(message.get("content"), (str, type(None)))
    )


class ChatEnv(gym.Wrapper):
    """An fbgym env whose observation is the conversation so far, in the OpenAI format.

    **Observation** — ``[system, user, assistant, user, ...]``: the system prompt (the
    family's, with the channel's note), the instruction and problem, then each action and
    the feedback it drew, as the user's turn (with the observation when it changed).

    **Action** — the model's reply: a string, or an assistant message (``content`` and, with
    ``tools=True``, ``tool_calls``). The family template's ``extract`` turns a reply into the
    action, as in :class:`~fbgym.agents.llm.LLMAgent`; tool calls become the family's text
    command (:mod:`fbgym.wrappers.tools`), and their feedback comes back as ``tool``
    messages, one per call (the last one holds it). Anything else goes to the env as it is,
    which refuses it as a failed attempt.

    ``tools=True`` adds ``info["tools"]`` at reset: the family's tool schemas, to pass to a
    chat-completions request or a chat template (``None`` for families without commands).
    ``prompts`` overrides templates per family, as for the LLM agents. Reward, termination
    and the rest of ``info`` are the env's.
    """

    def __init__(
        self,
        env: gym.Env,
        *,
        tools: bool = False,
        prompts: Mapping[str, PromptTemplate] | None = None,
    ):
        super().__init__(env)
        self.observation_space = ChatMessages()
        self.use_tools = bool(tools)
        self.prompts = dict(prompts or {})
        self.messages: list[Message] = []
        self.template: PromptTemplate | None = None
        self.toolset: ToolSet | None = None
        self._shown = ""

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[list[Message], dict[str, Any]]:
        """Start an episode: the system prompt and the opening user message."""
        observation, info = self.env.reset(seed=seed, options=options)
        family = str((info.get("problem") or {}).get("family") or info["problem_id"].split("/")[0])
        self.template = prompt_for(family, self.prompts)
        self.toolset = tools_for(family) if self.use_tools else None
        self.messages = [
            {"role": "system", "content": self.template.system_message(info["channel"])},
            {"role": "user", "content": self.template.first_message(observation)},
        ]
        self._shown = observation["observation"]
        if self.use_tools:
            info = {**info, "tools": None if self.toolset is None else self.toolset.schemas()}
        return self._copy(), info

    def step(self, action: Any) -> tuple[list[Message], float, bool, bool, dict[str, Any]]:
        """Play the reply ``action``; the conversation grows by its turn and the feedback."""
        if self.template is None:
            raise ConfigError("call reset() before step()")
        command, message, calls = self._command(self.template, action)
        observation, reward, terminated, truncated, info = self.env.step(command)
        feedback = self.template.feedback_message(observation, self._shown)
        self._shown = observation["observation"]
        self.messages.append(message)
        if calls:
            for n, call_id in enumerate(calls, 1):
                content = feedback if n == len(calls) else f"Run as command {n} of {len(calls)}."
                self.messages.append({"role": "tool", "tool_call_id": call_id, "content": content})
        else:
            self.messages.append({"role": "user", "content": feedback})
        return self._copy(), reward, terminated, truncated, {**info, "action": command}

    def _command(self, template: PromptTemplate, action: Any) -> tuple[Any, Message, list[str]]:
        """The env's action, the assistant message that says it, and the tool call ids."""
        if isinstance(action, Mapping) and action.get("tool_calls"):
            return self._tool_command(action)
        if isinstance(action, Mapping):
            action = action.get("content")
        if not isinstance(action, str):
            return action, {"role": "assistant", "content": ""}, []
        command = template.extract(action)
        return command, {"role": "assistant", "content": command}, []

    def _tool_command(self, message: Mapping[str, Any]) -> tuple[str, Message, list[str]]:
        raw = message["tool_calls"]
        calls = list(raw) if isinstance(raw, (list, tuple)) else [raw]
        if self.toolset is None:
            command = "invalid tool call: this env takes text, not tool calls"
        else:
            command = self.toolset.action(calls)
        turn = sum(m["role"] == "assistant" for m in self.messages) + 1
        ids, shown = [], []
        for n, call in enumerate(calls, 1):
            call = call if isinstance(call, Mapping) else {}
            call_id = str(call.get("id") or f"call_{turn}_{n}")
            ids.append(call_id)
            shown.append({"id": call_id, "type": "function", "function": _function(call)})
        content = message.get("content") if isinstance(message.get("content"), str) else None
        return command, {"role": "assistant", "content": content, "tool_calls": shown}, ids

    def _copy(self) -> list[Message]:
        return [dict(m) for m in self.messages]


def _function(call: Mapping[str, Any]) -> dict[str, str]:
    """A call's function as OpenAI writes it: the name, and the arguments as a JSON string."""
    function = call.get("function", call)
    function = function if isinstance(function, Mapping) else {}
    arguments = function.get("arguments", {})
    if not isinstance(arguments, str):
        arguments = json.dumps(arguments, ensure_ascii=False, default=str)
    return {"name": str(function.get("name", "")), "arguments": arguments}
