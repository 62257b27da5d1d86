"""The search critic: a user who knows their facet, answers questions and judges answers."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from fbgym.core.types import FeedbackKind as K
from fbgym.core.types import FeedbackPart, Outcome, Problem, Turn
from fbgym.envs.search.collection import Facet
from fbgym.envs.search.retrieval import content_words
from fbgym.simulators.base import Critic, Critique
from fbgym.simulators.paraphrase import Paraphrases

BANK = Paraphrases(
    {
        "success": [
            "That's what I was looking for, thanks.",
            "Yes, these are exactly what I need.",
            "Perfect, that answers it.",
        ],
        "good": ["{docs} {is} what I'm after.", "{docs} {is} right on.", "{docs} {is} useful."],
        "partial": ["{docs} only partly {covers} it.", "{docs} {is} close, but not quite it."],
        "bad": [
            "{docs} {is} not what I'm after.",
            "{docs} {is} not what I need.",
            "{docs} {does} not help me.",
        ],
        "off_topic": [
            "{docs} {is} not even about {topic}.",
            "{docs} {has} nothing to do with {topic}.",
        ],
        "want": [
            "I want {terms}.",
            "What I need is {terms}.",
            "I'm interested in {terms}.",
            "It's about {terms}, really.",
        ],
        "specific": [
            "More specific, please.",
            "Could you be more specific?",
            "Narrow it down, please.",
        ],
        "more_like": ["More like {docs}, please.", "Give me more like {docs}."],
        "vague": ["I just want to know more about {topic}.", "Something about {topic}, I think."],
        "yes": ["Yes.", "Yes, that's right.", "Exactly."],
        "no": ["No, not {terms}.", "No, I don't mean {terms}.", "Not {terms}, no."],
        "format": [
            "Give me document ids from the results, best first.",
            "Answer with the ids of the documents, best first.",
        ],
        "usage": [
            "Search, ask me something, or give me document ids.",
            "Either search, ask me a question, or answer with document ids.",
        ],
    }
)


def join_words(words: Sequence[str]) -> str:
    """``["a", "b", "c"]`` as ``"a, b and c"``."""
    words = list(words)
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _docs(rng: random.Random, key: str, docs: Sequence[str], **fields: str) -> str:
    one = len(docs) == 1
    verbs = {
        "is": "is" if one else "are",
        "covers": "covers" if one else "cover",
        "does": "does" if one else "do",
        "has": "has" if one else "have",
    }
    return BANK.say(key, rng, docs=join_words(docs), **verbs, **fields)


class SearchCritic(Critic):
    """A user with a hidden facet.

    It answers clarifying questions (yes/no, then a restatement of its need, as in Qulac) and
    judges an answer's first three documents (ConvSim-style: which are what it is after,
    which only partly, which not, then what it wants). ``cooperativeness`` in [0, 1] sets how
    many new words of its need it reveals each time: ``round(4 * cooperativeness)``.
    """

    def __init__(self, cooperativeness: float = 0.5):
        self.cooperativeness = cooperativeness

    def told(self, history: Sequence[Turn]) -> set[str]:
        """The words of its need the user has said so far (kept in the judge's notes)."""
        return {w for t in history for w in t.feedback.notes.get("revealed", ())}

    def record(
        self, parts: Sequence[FeedbackPart], stated: dict[str, Any], judged: dict[str, Any]
    ) -> Critique:
        """The critique of ``parts``: what the text states in meta, the rest in notes."""
        return Critique(tuple(parts), stated, judged)

    def _restate(
        self, problem: Problem, history: Sequence[Turn], rng: random.Random
    ) -> tuple[FeedbackPart | None, list[str]]:
        """A sentence with the next unrevealed words of the need, and those words."""
        facet: Facet = problem.data["facet"]
        said = self.told(history)
        fresh = [w for w in facet.terms if w not in said][: round(4 * self.cooperativeness)]
        if not fresh:
            return None, []
        text = BANK.say("want", rng, terms=join_words(fresh))
        return FeedbackPart(K.FUTURE_POSITIVE, text), fresh

    def _nothing_new(self, problem: Problem, rng: random.Random) -> FeedbackPart:
        """What the user says to an open question when it has told all it will."""
        return FeedbackPart(
            K.FUTURE_POSITIVE, BANK.say("vague", rng, topic=problem.data["topic"].name)
        )

    def _own_words(self, facet: Facet) -> set[str]:
        """Words the user takes as naming its own facet."""
        return set(facet.terms)

    def _too_many(self, named: set[str], rng: random.Random) -> FeedbackPart | None:
        """The reply to a question naming ``named`` (facet words) at once, if it will not answer.

        ``None``: it answers yes or no, whatever the question names.
        """
        return None

    def answer_question(
        self, problem: Problem, history: Sequence[Turn], question: str, rng: random.Random
    ) -> Critique:
        """Yes or no when the question names a facet, then a restatement of the need."""
        facet: Facet = problem.data["facet"]
        topic = problem.data["topic"]
        words = set(content_words(question))
        for recorded, answer in facet.questions:
            theirs = set(content_words(recorded))
            if theirs and len(words & theirs) / len(words | theirs) >= 0.5:
                revealed = [w for w in content_words(answer) if w in facet.terms]
                return self.record(
                    (FeedbackPart(K.FUTURE_POSITIVE, answer),),
                    {},
                    {"answer": "recorded", "revealed": revealed},
                )
        own = self._own_words(facet)
        siblings = {w for f in topic.facets if f.id != facet.id for w in self._own_words(f)} - own
        too_many = self._too_many(words & (own | siblings), rng)
        if too_many is not None:
            return self.record((too_many,), {}, {"answer": "many", "revealed": []})
        parts: list[FeedbackPart] = []
        if words & own:
            parts.append(FeedbackPart(K.HINDSIGHT_POSITIVE, BANK.say("yes", rng)))
            kind = "yes"
        elif words & siblings:
            other = list(dict.fromkeys(w for w in content_words(question) if w in siblings))
            parts.append(
                FeedbackPart(K.HINDSIGHT_NEGATIVE, BANK.say("no", rng, terms=join_words(other)))
            )
            kind = "no"
        else:
            kind = "open"
        part, revealed = self._restate(problem, history, rng)
        if part is not None:
            parts.append(part)
        elif kind == "open":
            parts.append(self._nothing_new(problem, rng))
        return self.record(parts, {}, {"answer": kind, "revealed": revealed})

    def reply(
        self, problem: Problem, history: Sequence[Turn], outcome: Outcome, rng: random.Random
    ) -> str:
        """The answer to a clarifying question, as text."""
        question = str(outcome.diagnosis.get("question", ""))
        critique = self.answer_question(problem, history, question, rng)
        return " ".join(p.text for p in critique.parts)

    def critique(
        self, problem: Problem, history: Sequence[Turn], outcome: Outcome, rng: random.Random
    ) -> Critique:
        """The user's verdict on an answer's first three documents, and what it wants."""
        if not outcome.valid:
            key = "format" if outcome.diagnosis.get("action") == "answer" else "usage"
            return Critique((FeedbackPart(K.FUTURE_POSITIVE, BANK.say(key, rng)),))
        qrels: dict[str, int] = problem.data["qrels"]
        shown = list(outcome.diagnosis.get("docs", ()))[:3]
        if outcome.success:
            return self.record(
                (FeedbackPart(K.HINDSIGHT_POSITIVE, BANK.say("success", rng)),),
                {},
                {"accepted": [d for d in shown if qrels.get(d, 0) > 0]},
            )
        top = max(qrels.values(), default=1)
        good_grade = min(top, 2)
        good = [d for d in shown if qrels.get(d, 0) >= good_grade]
        partial = [d for d in shown if 0 < qrels.get(d, 0) < good_grade]
        bad = [d for d in shown if qrels.get(d, 0) <= 0]
        topic = problem.data["topic"]
        topic_words = set(content_words(topic.name))
        parts: list[FeedbackPart] = []
        if good:
            parts.append(FeedbackPart(K.HINDSIGHT_POSITIVE, _docs(rng, "good", good)))
        if partial:
            parts.append(FeedbackPart(K.HINDSIGHT_NEGATIVE, _docs(rng, "partial", partial)))
        if bad:
            texts = problem.data["texts"]
            off = [d for d in bad if not topic_words & set(content_words(texts.get(d, "")))]
            on = [d for d in bad if d not in off]
            if on:
                parts.append(FeedbackPart(K.HINDSIGHT_NEGATIVE, _docs(rng, "bad", on)))
            if off:
                parts.append(
                    FeedbackPart(
                        K.HINDSIGHT_NEGATIVE, _docs(rng, "off_topic", off, topic=topic.name)
                    )
                )
        part, revealed = self._restate(problem, history, rng)
        if part is not None:
            parts.append(part)
        elif good:
            parts.append(FeedbackPart(K.FUTURE_POSITIVE, _docs(rng, "more_like", good)))
        else:
            parts.append(FeedbackPart(K.FUTURE_POSITIVE, BANK.say("specific", rng)))
        stated = {"accepted": good, "partial": partial, "rejected": bad}
        return self.record(parts, stated, {"revealed": revealed})
