"""A simulated user: a family's ground-truth critic seen through one feedback channel."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fbgym.core.types import Channel, Feedback, FeedbackPart, Outcome, Problem, Turn
from fbgym.simulators.paraphrase import Paraphrases

_GENERIC = Paraphrases(
    {
        "unary": ["Let's try again."],
        "correct": ["Correct.", "That's right.", "Yes, that's it."],
        "ranking": ["Your attempts so far, best first: {order}."],
        "ranking_one": ["That was attempt {turn}; there is nothing to compare it with yet."],
        "scalar": ["Score: {value:.3f}"],
    }
)


@dataclass(frozen=True)
class Critique:
    """A critic's verbal feedback: its sentences, and what they say in structured form."""

    parts: tuple[FeedbackPart, ...]
    meta: Mapping[str, Any] = field(default_factory=dict)
    """The content of the sentences as data (e.g. ``direction``, ``step``); never more."""
    notes: Mapping[str, Any] = field(default_factory=dict)
    """What the judge should remember and the agent must not see (see ``Feedback.notes``)."""


class Critic:
    """A family's ground-truth critic: it sees the solution and says what is wrong.

    Subclasses implement :meth:`critique`; :meth:`reply` answers actions that are not
    attempts (a clarifying question, say) and says nothing by default.
    """

    def critique(
        self, problem: Problem, history: Sequence[Turn], outcome: Outcome, rng: random.Random
    ) -> Critique:
        """Verbal feedback on a graded attempt, sentence by sentence."""
        raise NotImplementedError

    def reply(
        self, problem: Problem, history: Sequence[Turn], outcome: Outcome, rng: random.Random
    ) -> str:
        """What the user says to an action that is not an attempt."""
        return ""


def rank_attempts(utilities: Sequence[tuple[int, float]]) -> tuple[tuple[int, ...], ...]:
    """Group (turn, utility) pairs into tied groups, best first; turns ascend within a group.

    >>> rank_attempts([(1, 0.5), (2, 0.9), (3, 0.5)])
    ((2,), (1, 3))
    """
    groups: dict[float, list[int]] = {}
    for turn, utility in utilities:
        groups.setdefault(round(utility, 9), []).append(turn)
    return tuple(tuple(sorted(groups[u])) for u in sorted(groups, reverse=True))


def format_ranking(ranking: tuple[tuple[int, ...], ...]) -> str:
    """``((2,), (1, 3))`` as ``"attempt 2 > attempt 1 = attempt 3"``."""
    return " > ".join(" = ".join(f"attempt {t}" for t in group) for group in ranking)


class SimulatedUser:
    """Feedback in one channel, built on a family's :class:`Critic`.

    - ``verbal``: the critic's critique.
    - ``unary``: "Let's try again." after a failed attempt, and nothing more.
    - ``ranked``: the attempts so far ordered by closeness to the solution (the outcome's
      ``utility``), best first, ties grouped; ``pairwise=True`` ranks only the last two.
    - ``scalar``: the attempt's score.
    """

    def __init__(self, critic: Critic, channel: Channel | str, *, pairwise: bool = False):
        self.critic = critic
        self.channel = Channel.parse(channel)
        self.pairwise = pairwise

    def respond(
        self, problem: Problem, history: Sequence[Turn], outcome: Outcome, rng: random.Random
    ) -> Feedback:
        """Feedback on the action graded as ``outcome``."""
        if not outcome.graded:
            return Feedback(self.channel, self.critic.reply(problem, history, outcome, rng))
        if self.channel is Channel.VERBAL:
            critique = self.critic.critique(problem, history, outcome, rng)
            text = " ".join(p.text for p in critique.parts)
            return Feedback(
                self.channel,
                text,
                parts=critique.parts,
                meta=dict(critique.meta),
                notes=dict(critique.notes),
            )
        if self.channel is Channel.SCALAR:
            value = float(outcome.score)
            return Feedback(self.channel, _GENERIC.first("scalar", value=value), value=value)
        if self.channel is Channel.UNARY:
            text = _GENERIC.say("correct", rng) if outcome.success else _GENERIC.first("unary")
            return Feedback(self.channel, text)
        return self._ranked(history, outcome, rng)

    def _ranked(self, history: Sequence[Turn], outcome: Outcome, rng: random.Random) -> Feedback:
        attempts = [(t.index, t.outcome.utility) for t in history if t.outcome.graded]
        attempts.append((len(history) + 1, outcome.utility))
        if self.pairwise:
            attempts = attempts[-2:]
        ranking = rank_attempts(attempts)
        if len(attempts) == 1:
            text = _GENERIC.first("ranking_one", turn=attempts[0][0])
        else:
            text = _GENERIC.first("ranking", order=format_ranking(ranking))
        if outcome.success:
            text = f"{_GENERIC.say('correct', rng)} {text}"
        return Feedback(self.channel, text, ranking=ranking)
