"""Prompt templates: how an episode is put to a chat model, and how its reply becomes an action."""

from __future__ import annotations

import keyword
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
PLACEHOLDER = re.compile(r"<[A-Za-z][^<>\n]*>")
"""A ``<slot>`` copied from an instruction (``pick <object>``): not something to do."""

_NUMBER = re.compile(r"-?\d+(?:,\d{3})*(?:\.\d+)?(?:/\d+)?")
_ANSWER_LINE = re.compile(r"answer is|answer\s*:|\\boxed\{|####", re.IGNORECASE)
_COMPLETE_BLOCK = re.compile(r"```[\w+-]*[ \t]*\n(.*?)\n?[ \t]*```", re.DOTALL)
_OPEN_BLOCK = re.compile(r"```[\w+-]*[ \t]*\n(.*)\Z", re.DOTALL)
_DEFINITION = re.compile(r"^(?:async\s+def|def|class)\s+\w", re.MULTILINE)
_CODE_START = re.compile(r"^(?:from\s+\w|import\s+\w|@\w|async\s+def\s|def\s|class\s)", re.M)
_PROSE = re.compile(
    rf"^(?!(?:{'|'.join(keyword.kwlist + keyword.softkwlist)})\b)[A-Za-z_]\w*\s+[A-Za-z]"
)


def extract_text(reply: str) -> str:
    """The reply without surrounding whitespace (the family's grader finds the answer)."""
    return reply.strip()


def extract_final_answer(reply: str) -> str:
    r"""The reply's final answer: its last answer line that bears one, else its last number.

    A preamble, a restated problem or a reply cut off mid-sentence still yields an attempt
    the grader can judge; a line copied from the instruction (``e.g.``, ``<number>``) is none.

    >>> extract_final_answer("Add them: 3 + 4 = 7.\nThe answer is 7.\nHope this helps!")
    'The answer is 7.'
    >>> extract_final_answer("Day 1: 603 seats were freed, so 47682 - 603 = 47079 are")
    'The answer is 47079'
    """
    if _NUMBER.fullmatch(reply.strip()):
        return reply.strip()
    lines = [line.strip() for line in reply.strip().splitlines() if line.strip()]
    for line in reversed(lines):
        copied = "e.g." in line or PLACEHOLDER.search(line)
        if _ANSWER_LINE.search(line) and re.search(r"[\d\\$]", line) and not copied:
            return line
    numbers = _NUMBER.findall(reply)
    return f"The answer is {numbers[-1]}" if numbers else reply.strip()


def extract_code(reply: str) -> str:
    r"""The program in a reply, whatever the model wrapped around it.

    Its first complete fenced block (the first that defines a function, if any does), else
    an unclosed block cut off by the length limit (submitted as it is), else the reply from
    its first definition or import up to any prose after the code.

    >>> extract_code("Here it is:\n```python\ndef f(x):\n    return x\n```\nDone.")
    'def f(x):\n    return x'
    >>> extract_code("Sure!\ndef f(x):\n    return x\n\nThis returns x.")
    'def f(x):\n    return x'
    """
    blocks = _COMPLETE_BLOCK.findall(reply)
    if blocks:
        return next((b for b in blocks if _DEFINITION.search(b)), blocks[0]).strip("\n")
    unclosed = _OPEN_BLOCK.search(reply)
    if unclosed:
        return unclosed[1].rstrip()
    start = _CODE_START.search(reply)
    if start is None:
        return reply.strip()
    code = []
    for line in reply[start.start() :].splitlines():
        if line and not line[0].isspace() and _PROSE.match(line):
            break
        code.append(line)
    return "\n".join(code).strip("\n")


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
