"""Prompt templates: how an episode is put to a chat model, and how its reply becomes an action."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from fbgym.errors import ConfigError

Message = dict[str, str]
"""One chat message: ``{"role": "system" | "user" | "assistant", "content": ...}``."""

CHANNEL_NOTES: Mapping[str, str] = {
    "verbal": "After each attempt the user tells you in words what was right or wrong.",
    "unary": "After a failed attempt the user only says that it is not right yet.",
    "ranked": "After each attempt the user ranks all your attempts so far, best first.",
    "scalar": "After each attempt you are told its score, from 0 to 1.",
}
"""What each feedback channel looks like, told to the model up front."""

FENCE = re.compile(r"^\s*```[\w+-]*[ \t]*\n(.*?)(?:\n```|\Z)", re.DOTALL)


def extract_text(reply: str) -> str:
    """The reply without surrounding whitespace (the family's grader finds the answer)."""
    return reply.strip()


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
