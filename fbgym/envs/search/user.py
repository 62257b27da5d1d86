"""The simulated searcher: the search critic seen through a channel, with patience."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace

from fbgym.core.types import Channel, Feedback, Outcome, Problem, Turn
from fbgym.envs.search.aspect_critic import AspectCritic
from fbgym.envs.search.critic import SearchCritic
from fbgym.errors import ConfigError
from fbgym.simulators.base import SimulatedUser
from fbgym.simulators.paraphrase import Paraphrases

BANK = Paraphrases(
    {
        "bye": ["All right, goodbye.", "Okay, thanks anyway.", "Fine, I'll stop here."],
        "impatient": [
            "I've spent enough time on this; I'll look elsewhere.",
            "This is taking too long. Goodbye.",
            "I give up on this search.",
        ],
        "doc_ranking": ["Of the documents you gave, best first: {order}."],
    }
)


@dataclass(frozen=True)
class UserTraits:
    """How the simulated searcher behaves."""

    patience: int | None = 6
    """Questions and missed answers it puts up with before it leaves; ``None``: it never
    leaves. Malformed commands never reach it, so they do not count."""
    cooperativeness: float = 0.5
    """How much of its need it reveals at a time, in [0, 1]: ``round(4 * c)`` words (v0) or
    ``round(2 * c)`` aspects in its own words (v1)."""

    def __post_init__(self) -> None:
        if self.patience is not None and self.patience < 1:
            raise ConfigError(f"patience must be at least 1 or None, got {self.patience}")
        if not 0.0 <= self.cooperativeness <= 1.0:
            raise ConfigError(f"cooperativeness must be in [0, 1], got {self.cooperativeness}")


def _action(outcome: Outcome) -> str:
    return str(outcome.diagnosis.get("action", "invalid" if not outcome.valid else ""))


def _uses_patience(outcome: Outcome) -> bool:
    """Questions and answers take the user's time; searches and rejected commands do not."""
    return outcome.valid and _action(outcome) in ("ask", "answer")


def doc_ranking(docs: Sequence[str], qrels: dict[str, int]) -> tuple[tuple[str, ...], ...]:
    """``docs`` grouped by grade, best first; a group is a tie, in the order given."""
    groups: dict[int, list[str]] = {}
    for d in docs:
        groups.setdefault(qrels.get(d, 0), []).append(d)
    return tuple(tuple(groups[g]) for g in sorted(groups, reverse=True))


class SearchUser:
    """A searcher with a hidden facet, answering in one feedback channel.

    Searches are the agent's own business: the user says nothing. Clarifying questions are
    part of the conversation and are answered in every channel. Answers get feedback in the
    channel: ``verbal`` — which of the first three documents are what it is after and what it
    wants instead; ``unary`` — "Let's try again."; ``ranked`` — the answers so far ordered by
    quality (``pairwise``: the last two) and the documents it was shown ordered by relevance;
    ``scalar`` — the answer's nDCG@3. After ``patience`` questions and missed answers it
    ends the conversation (malformed commands never reach it, so they do not count);
    ``stop`` ends it at once.

    ``version`` 0 is the user of ``fbgym/ConvSearch-v0`` (:class:`SearchCritic`: it restates
    its need in the passages' words); 1 that of v1 (:class:`AspectCritic`: one aspect at a
    time, in its own words, with the judge's state in notes).
    """

    def __init__(
        self,
        channel: Channel | str,
        traits: UserTraits | None = None,
        *,
        pairwise: bool = False,
        version: int = 0,
    ):
        self.traits = traits or UserTraits()
        critic = AspectCritic if version >= 1 else SearchCritic
        self.critic = critic(self.traits.cooperativeness)
        self._channel_user = SimulatedUser(self.critic, channel, pairwise=pairwise)
        self.channel = self._channel_user.channel

    def respond(
        self, problem: Problem, history: Sequence[Turn], outcome: Outcome, rng: random.Random
    ) -> Feedback:
        """What the user says to one action."""
        action = _action(outcome)
        if action == "stop":
            return Feedback(self.channel, BANK.say("bye", rng), end=True, notes={"ended": "stop"})
        if action == "search":
            return Feedback(self.channel, "")
        if action == "ask":
            question = str(outcome.diagnosis.get("question", ""))
            critique = self.critic.answer_question(problem, history, question, rng)
            feedback = Feedback(
                self.channel,
                " ".join(p.text for p in critique.parts),
                parts=critique.parts,
                meta=dict(critique.meta),
                notes=dict(critique.notes),
            )
        else:
            feedback = self._channel_user.respond(problem, history, outcome, rng)
            if self.channel is Channel.RANKED and outcome.valid and not outcome.success:
                feedback = self._with_doc_ranking(problem, outcome, feedback)
        if _uses_patience(outcome) and not outcome.success and self._out_of_patience(history):
            text = f"{feedback.text} {BANK.say('impatient', rng)}".strip()
            feedback = replace(
                feedback, text=text, end=True, notes={**feedback.notes, "ended": "patience"}
            )
        return feedback

    def _out_of_patience(self, history: Sequence[Turn]) -> bool:
        if self.traits.patience is None:
            return False
        spent = 1 + sum(1 for t in history if _uses_patience(t.outcome))
        return spent >= self.traits.patience

    def _with_doc_ranking(self, problem: Problem, outcome: Outcome, feedback: Feedback) -> Feedback:
        shown = list(outcome.diagnosis.get("docs", ()))[:3]
        groups = doc_ranking(shown, problem.data["qrels"])
        order = " > ".join(" = ".join(g) for g in groups)
        text = f"{feedback.text} {BANK.first('doc_ranking', order=order)}"
        return replace(
            feedback, text=text, meta={**feedback.meta, "doc_ranking": [list(g) for g in groups]}
        )
