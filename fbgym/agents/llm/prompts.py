"""Prompt templates per family: what a chat model is told, and how its reply becomes an action."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fbgym.errors import ConfigError, RegistrationError

Message = dict[str, str]
"""One chat message: ``{"role": "system" | "user" | "assistant", "content": ...}``."""

CHANNEL_NOTES: Mapping[str, str] = {
    "verbal": "After each attempt the user tells you in words what was right or wrong.",
    "unary": "After a failed attempt the user only says that it is not right yet.",
    "ranked": "After each attempt the user ranks all your attempts so far, best first.",
    "scalar": "After each attempt you are told its score, from 0 to 1.",
}
"""What each feedback channel looks like, told to the model up front."""

_FENCE = re.compile(r"^\s*```[\w+-]*[ \t]*\n(.*?)(?:\n```|\Z)", re.DOTALL)
_SEARCH_COMMAND = re.compile(r"^\W*(search|ask|answer|stop)\b\s*:?\s*(.*)$", re.IGNORECASE)
_ROBOT_VERBS = ("pick", "place", "move", "grasp", "release", "open", "close")


def extract_text(reply: str) -> str:
    """The reply without surrounding whitespace (the family's grader finds the answer)."""
    return reply.strip()


def extract_search_command(reply: str) -> str:
    r"""The first line that is a search command, normalised to ``'verb: argument'``.

    >>> extract_search_command("Let me look.\nSearch: golshu bagou rivers")
    'search: golshu bagou rivers'
    >>> extract_search_command("stop")
    'stop'
    """
    lines = [line.strip() for line in reply.strip().splitlines() if line.strip()]
    for line in lines:
        match = _SEARCH_COMMAND.match(line)
        if match:
            verb, rest = match[1].lower(), match[2].strip().strip("`\"'").strip()
            return verb if verb == "stop" or not rest else f"{verb}: {rest}"
    return lines[0] if lines else ""


def extract_robot_commands(reply: str) -> str:
    r"""The lines of the reply that are robot commands, joined by ``'; '``; else the reply.

    >>> extract_robot_commands("Plan:\n1. pick red_block\n2. place green_bowl")
    'pick red_block; place green_bowl'
    """
    fenced = _FENCE.match(reply)
    body = fenced[1] if fenced else reply
    commands = []
    for raw in re.split(r"[\n;]", body):
        line = re.sub(r"^\s*(?:[-*]|\d+[.)])\s*", "", raw).strip().strip("`").strip()
        if line.lower().startswith(_ROBOT_VERBS):
            commands.append(line.rstrip("."))
    return "; ".join(commands) if commands else reply.strip()


@dataclass(frozen=True)
class PromptTemplate:
    """How one family's episode is put to a chat model, and how replies become actions.

    ``system`` opens every conversation (followed by the channel's note); the first user
    message carries the instruction and the observation; each later one the feedback and,
    when it changed, the new observation. ``extract`` turns the model's reply into the action.
    """

    family: str
    system: str
    extract: Callable[[str], str] = extract_text
    feedback_label: str = "Feedback"
    observation_label: str = "Now"
    notes: Mapping[str, str] = field(default_factory=lambda: dict(CHANNEL_NOTES))

    def __post_init__(self) -> None:
        if not self.family or not isinstance(self.family, str):
            raise ConfigError(
                f"PromptTemplate.family must be a non-empty string, got {self.family!r}"
            )
        if not callable(self.extract):
            raise ConfigError(f"PromptTemplate.extract must be callable, got {self.extract!r}")

    def system_message(self, channel: str, extra: str = "") -> str:
        """The system prompt for an episode in ``channel``, with ``extra`` text appended."""
        parts = [self.system, self.notes.get(channel, ""), extra]
        return "\n\n".join(p.strip() for p in parts if p and p.strip())

    def first_message(self, observation: Mapping[str, str]) -> str:
        """The opening user message: the instruction, then the problem as it stands."""
        parts = [observation.get("instruction", ""), observation.get("observation", "")]
        return "\n\n".join(p.strip() for p in parts if p and p.strip())

    def feedback_message(
        self, observation: Mapping[str, str], previous_observation: str | None
    ) -> str:
        """The user message after an action: its feedback, then the observation if it changed."""
        parts = []
        feedback = observation.get("feedback", "").strip()
        if feedback:
            parts.append(f"{self.feedback_label}: {feedback}")
        current = observation.get("observation", "").strip()
        if current and current != (previous_observation or "").strip():
            parts.append(f"{self.observation_label}:\n{current}")
        return "\n\n".join(parts) or f"{self.feedback_label}: (none)"


DEFAULT_TEMPLATE = PromptTemplate(
    family="*",
    system="Follow the instruction. Reply with your action only, without commentary.",
)
"""Used for families without a template of their own."""

_TEMPLATES: dict[str, PromptTemplate] = {}


def register_prompt(template: PromptTemplate, *, replace: bool = False) -> PromptTemplate:
    """Make ``template`` the prompt of its family; a second one for a family is an error."""
    if template.family in _TEMPLATES and not replace:
        raise RegistrationError(
            f"a prompt template for family {template.family!r} is already registered; "
            "pass replace=True to override it"
        )
    _TEMPLATES[template.family] = template
    return template


def prompt_for(
    family: str, overrides: Mapping[str, PromptTemplate] | None = None
) -> PromptTemplate:
    """The template of ``family``: from ``overrides``, else registered, else the default."""
    if overrides and family in overrides:
        return overrides[family]
    return _TEMPLATES.get(family, DEFAULT_TEMPLATE)


def registered_prompts() -> dict[str, PromptTemplate]:
    """Every registered template, by family."""
    return dict(_TEMPLATES)


register_prompt(
    PromptTemplate(
        family="math",
        system=(
            "You solve math problems. Work briefly, then end with one final answer on its "
            "own line: 'The answer is <number>'."
        ),
        feedback_label="Feedback on your answer",
    )
)
register_prompt(
    PromptTemplate(
        family="code",
        system=(
            "You write Python. Reply with the complete function definition in one "
            "```python fenced block, and nothing else."
        ),
        feedback_label="Test feedback",
    )
)
register_prompt(
    PromptTemplate(
        family="search",
        system=(
            "You help a user find documents. Reply with exactly one command: "
            "'search: <query>', 'ask: <question>', 'answer: <doc ids, best first>' or 'stop'."
        ),
        extract=extract_search_command,
        feedback_label="The user",
        observation_label="What you see now",
    )
)
register_prompt(
    PromptTemplate(
        family="robot",
        system=(
            "You control a tabletop robot. Reply only with robot commands, one per line "
            "or separated by ';'."
        ),
        extract=extract_robot_commands,
        feedback_label="The person",
        observation_label="The scene now",
    )
)


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
