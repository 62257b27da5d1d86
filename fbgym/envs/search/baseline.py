"""The search baseline: search, answer the top three, and refine by the user's feedback.

Each round is a ``search:`` and an ``answer:``; the episode opens with an open clarifying
question. With feedback the policy adds the user's words (its answers and what it says it
wants) to the query, keeps the documents the user accepted at the top, and leaves out the
ones it rejected: named in verbal feedback, ranked below the others (or all tied on a failed
answer) in ranked feedback, and under unary or scalar feedback, which do not say which
document failed, the lowest-ranked one of the failed answer (the others are likelier to be
relevant, so each round tries one new document). Without feedback it asks the same
question, runs the request as its query, and answers the same top three every round.
"""

from __future__ import annotations

import random
import re
from typing import Any

from fbgym.core.env import Observation
from fbgym.core.types import Feedback, FeedbackKind
from fbgym.envs.search.retrieval import content_words

QUESTION = "ask: What exactly would you like to know about this?"
_RESULT = re.compile(r"^\d+\.\s+(\S+?):\s", re.M)
_POSITIVE = (FeedbackKind.FUTURE_POSITIVE, FeedbackKind.HINDSIGHT_POSITIVE)


class SearchPolicy:
    """One episode of the search baseline (see the module docstring)."""

    def __init__(
        self, request: str, *, use_feedback: bool, cutoff: int = 3, ask_first: bool = True
    ):
        self.use_feedback = use_feedback
        self.cutoff = cutoff
        self.query: list[str] = list(dict.fromkeys(content_words(request)))
        self.accepted: list[str] = []
        self.partial: list[str] = []
        self.rejected: set[str] = set()
        self.last_answer: list[str] = []
        self._next = "ask" if ask_first else "search"
        self._answered = False

    def act(self, observation: Observation, info: dict[str, Any]) -> str:
        """The next command: a question, a search, or an answer."""
        feedback = info.get("feedback")
        if self.use_feedback and isinstance(feedback, Feedback):
            self._learn(feedback, missed=self._answered and not info.get("success"))
        self._answered = False
        if self._next == "ask":
            self._next = "search"
            return QUESTION
        if self._next == "search":
            self._next = "answer"
            excluded = " ".join(f"-{d}" for d in sorted(self.rejected))
            return f"search: {' '.join(self.query)} {excluded}".rstrip()
        self._next = "search"
        results = _RESULT.findall(observation.get("observation", ""))
        picked = [d for d in self.accepted if d not in self.rejected]
        fresh = [d for d in results if d not in picked and d not in self.rejected]
        partial = [d for d in self.partial if d not in picked]
        picked += [d for d in fresh if d not in partial]
        cut = max(self.cutoff, 1)
        if partial and len(self.accepted) < cut:  # a partly relevant one ranks below the rest
            picked = picked[: cut - 1] + partial[:1]
        self.last_answer = picked[:cut] or results[:1]
        if not self.last_answer:  # nothing found: answer with the query's first words fails
            self._next = "search"
            return f"search: {' '.join(self.query)}"
        self._answered = True
        return "answer: " + ", ".join(self.last_answer)

    def _learn(self, feedback: Feedback, *, missed: bool) -> None:
        """Take words from one piece of feedback and, after a missed answer, its verdicts."""
        for part in feedback.parts:
            if part.kind in _POSITIVE:
                words = [w for w in content_words(part.text) if not _looks_like_id(w)]
                self.query.extend(w for w in words if w not in self.query)
        if not missed:
            return
        meta = feedback.meta
        if "rejected" in meta:  # verbal
            self.rejected.update(meta["rejected"])
            self.accepted += [d for d in meta.get("accepted", ()) if d not in self.accepted]
            self.partial += [d for d in meta.get("partial", ()) if d not in self.partial]
        elif "doc_ranking" in meta:  # ranked
            groups = meta["doc_ranking"]
            below = groups[1:] if len(groups) > 1 else groups
            self.rejected.update(d for g in below for d in g)
            if len(groups) > 1:
                self.accepted += [d for d in groups[0] if d not in self.accepted]
        elif self.last_answer:  # unary, scalar: the answer failed, not saying which document
            self.rejected.add(self.last_answer[-1])  # drop the weakest, keep the rest


def _looks_like_id(word: str) -> bool:
    return any(ch.isdigit() for ch in word)


def search_policy(
    problem: dict[str, Any], *, use_feedback: bool, rng: random.Random, memory: dict[str, Any]
) -> SearchPolicy:
    """The search family's baseline for one episode."""
    return SearchPolicy(
        str(problem.get("request", "")),
        use_feedback=use_feedback,
        cutoff=int(problem.get("cutoff", 3)),
    )
