"""The vocabulary every part of fbgym speaks: Feedback, Outcome, Problem and Turn."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class Channel(str, Enum):
    """The form in which a simulated user gives feedback."""

    VERBAL = "verbal"
    """Natural-language critique (see :class:`FeedbackKind`)."""
    UNARY = "unary"
    """A content-free signal after a failed attempt: it says only *not yet*."""
    RANKED = "ranked"
    """An ordering of the attempts so far, best first, ties allowed."""
    SCALAR = "scalar"
    """The plain numeric score of the attempt."""

    @classmethod
    def parse(cls, value: str | Channel) -> Channel:
        """The channel named ``value``, with an error that lists the valid names."""
        try:
            return cls(value)
        except ValueError:
            names = ", ".join(c.value for c in cls)
            raise ValueError(
                f"unknown feedback channel {value!r}; expected one of {names}"
            ) from None


class FeedbackKind(str, Enum):
    """What a piece of verbal feedback does (LLF-Bench's taxonomy, plus step-level kinds)."""

    HINDSIGHT_POSITIVE = "hindsight_positive"
    """What was right about the attempt."""
    HINDSIGHT_NEGATIVE = "hindsight_negative"
    """What was wrong about the attempt."""
    FUTURE_POSITIVE = "future_positive"
    """What to do next."""
    FUTURE_NEGATIVE = "future_negative"
    """What to avoid next."""
    CORRECTION = "correction"
    """A (near-)complete correction: the right value or an edit of the faulty part."""
    STEP = "step"
    """A critique of one step of the attempt."""


@dataclass(frozen=True)
class FeedbackPart:
    """One sentence of verbal feedback and what kind of feedback it is."""

    kind: FeedbackKind
    text: str


@dataclass(frozen=True)
class Feedback:
    """What a simulated user says after one action, in one channel.

    ``text`` is what a text agent reads (it is rendered into the observation); the other
    fields carry the same feedback typed, for structured learners.
    """

    channel: Channel
    text: str
    parts: tuple[FeedbackPart, ...] = ()
    """Verbal feedback, sentence by sentence, each with its kind."""
    ranking: tuple[tuple[int, ...], ...] | None = None
    """Ranked feedback: groups of 1-based turn numbers, best group first; a group is a tie."""
    value: float | None = None
    """Scalar feedback: the score."""
    end: bool = False
    """Whether the simulated user ends the conversation with this feedback."""
    meta: Mapping[str, Any] = field(default_factory=dict)
    """What the text says, as data (e.g. ``direction="high"`` for "too high"): never more
    than the text states, so agents may read it."""
    notes: Mapping[str, Any] = field(default_factory=dict)
    """The judge's annotations (a deliberately wrong hint, a flipped label, feedback held
    back by a delay): recorded for evaluation, never shown to the agent."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "channel", Channel.parse(self.channel))  # "verbal" works too

    @property
    def kinds(self) -> tuple[FeedbackKind, ...]:
        """The kinds of the verbal parts, in order."""
        return tuple(p.kind for p in self.parts)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict; :meth:`from_dict` inverts it."""
        return {
            "channel": self.channel.value,
            "text": self.text,
            "parts": [{"kind": p.kind.value, "text": p.text} for p in self.parts],
            "ranking": None if self.ranking is None else [list(g) for g in self.ranking],
            "value": self.value,
            "end": self.end,
            "meta": dict(self.meta),
            "notes": dict(self.notes),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Feedback:
        """Rebuild a feedback from :meth:`to_dict`'s output."""
        ranking = data.get("ranking")
        return cls(
            channel=Channel(data["channel"]),
            text=data["text"],
            parts=tuple(
                FeedbackPart(FeedbackKind(p["kind"]), p["text"]) for p in data.get("parts", ())
            ),
            ranking=None if ranking is None else tuple(tuple(g) for g in ranking),
            value=data.get("value"),
            end=bool(data.get("end", False)),
            meta=dict(data.get("meta", {})),
            notes=dict(data.get("notes", {})),
        )

    def to_json(self) -> str:
        """The feedback as a JSON string."""
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Feedback:
        """Rebuild a feedback from :meth:`to_json`'s output."""
        return cls.from_dict(json.loads(text))


@dataclass(frozen=True)
class Outcome:
    """The ground-truth verdict on one action, made by the task's grader."""

    success: bool
    score: float
    """Quality of the attempt in [0, 1]; 1.0 on success."""
    utility: float | None = None
    """Latent quality used to rank attempts (closeness to the solution); defaults to ``score``."""
    valid: bool = True
    """Whether the action was well-formed; an invalid action is a failed attempt."""
    graded: bool = True
    """Whether the action was an attempt at the task (not, e.g., a search or a question)."""
    message: str = ""
    """For an invalid action, what was wrong, in plain words."""
    observation: str | None = None
    """New observation text the action produced (e.g. search results); ``None``: unchanged."""
    diagnosis: Mapping[str, Any] = field(default_factory=dict)
    """Family-specific, JSON-serialisable details (parsed answer, failing test, ...)."""

    def __post_init__(self) -> None:
        if not (isinstance(self.score, (int, float)) and 0.0 <= self.score <= 1.0):
            raise ValueError(f"Outcome.score must be a number in [0, 1], got {self.score!r}")
        if self.utility is None:
            object.__setattr__(self, "utility", float(self.score))
        elif not math.isfinite(self.utility):
            raise ValueError(f"Outcome.utility must be finite, got {self.utility!r}")

    @classmethod
    def invalid(cls, message: str, **diagnosis: Any) -> Outcome:
        """A failed attempt because the action could not be used; ``message`` says why."""
        return cls(False, 0.0, utility=0.0, valid=False, message=message, diagnosis=diagnosis)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict."""
        return {
            "success": self.success,
            "score": self.score,
            "utility": self.utility,
            "valid": self.valid,
            "graded": self.graded,
            "message": self.message,
            "observation": self.observation,
            "diagnosis": dict(self.diagnosis),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Outcome:
        """Rebuild an outcome from :meth:`to_dict`'s output."""
        return cls(**{**data, "diagnosis": dict(data.get("diagnosis", {}))})


@dataclass(frozen=True)
class Problem:
    """One task instance: what the agent is told, and the ground truth it is graded against."""

    id: str
    """Stable id, unique within the task (e.g. ``math/arithmetic/L2/test/17``)."""
    family: str
    instruction: str
    """What the agent is asked to do."""
    observation: str
    """The problem statement the agent sees first."""
    answer: Any
    """The reference answer (JSON-serialisable)."""
    solution: tuple[str, ...] = ()
    """Worked solution steps, in words, for critics that point at a step."""
    public: Mapping[str, Any] = field(default_factory=dict)
    """Machine-readable statement an agent may use (never the answer)."""
    privileged: Mapping[str, Any] = field(default_factory=dict)
    """Structure for programmatic baselines (a math problem's step program, candidate
    programs): given only by envs made with ``privileged=True``, and runs that use it are
    labelled privileged."""
    data: Mapping[str, Any] = field(default_factory=dict)
    """Private, task-specific ground truth (step values, hidden tests, ...)."""
    difficulty: int | None = None


@dataclass(frozen=True)
class Turn:
    """One step of an episode as the task and simulator see it afterwards."""

    index: int
    """1-based turn number."""
    action: str
    outcome: Outcome
    feedback: Feedback
