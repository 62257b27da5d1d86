"""Control agents: searchers that try to do without the feedback, to bound what that is worth.

They read only what an agent may: the observation texts, ``info["problem"]`` and the
feedback's text. Each plays one answer and stops, so its success rate is its SR@1.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from fbgym.agents.base import BaseAgent
from fbgym.envs.search.retrieval import content_words

RESULT = re.compile(r"^\d+\.\s+(\S+?):\s(.*)$", re.M)
OPEN_QUESTION = "ask: What exactly are you looking for?"


def shown(observation: dict[str, str]) -> list[tuple[str, str]]:
    """(doc id, snippet) of the search results in an observation, best first."""
    return RESULT.findall(observation.get("observation", ""))


class AskOnlySearcher(BaseAgent):
    """Asks what the user is looking for until a reply adds no new word, then searches the
    request and every word of the replies, answers the top three, and stops."""

    name = "ask-only"

    def __init__(self, max_questions: int = 20):
        self.max_questions = max_questions

    def reset(self, instruction: str, *, seed: int | None = None) -> None:
        self.words: list[str] | None = None
        self.questions = 0
        self.step = "ask"

    def act(self, observation: dict[str, str], info: dict[str, Any]) -> str:
        if self.words is None:
            self.words = list(dict.fromkeys(content_words(info["problem"]["request"])))
        feedback = info.get("feedback")
        if self.step == "ask" and self.questions and feedback is not None:
            new = [w for w in content_words(feedback.text) if w not in self.words]
            self.words += new
            if not new:
                self.step = "search"
        if self.step == "ask" and self.questions < self.max_questions:
            self.questions += 1
            return OPEN_QUESTION
        if self.step in ("ask", "search"):
            self.step = "answer"
            return "search: " + " ".join(self.words)
        if self.step == "answer":
            self.step = "done"
            return "answer: " + ", ".join(d for d, _ in shown(observation)[:3])
        return "stop"


class YesNoProber(AskOnlySearcher):
    """Searches the request, then asks yes/no about the words most common in the results,
    two at a time, keeps the ones the user says yes to, and answers the top three of a
    search for them with the request."""

    name = "yes-no-prober"

    def __init__(self, max_questions: int = 5, per_question: int = 2):
        super().__init__(max_questions)
        self.per_question = per_question

    def reset(self, instruction: str, *, seed: int | None = None) -> None:
        super().reset(instruction, seed=seed)
        self.step = "look"
        self.candidates: list[str] = []
        self.asked: list[str] = []
        self.kept: list[str] = []

    def act(self, observation: dict[str, str], info: dict[str, Any]) -> str:
        if self.words is None:
            self.words = list(dict.fromkeys(content_words(info["problem"]["request"])))
        if self.step == "look":
            self.step = "probe"
            return "search: " + " ".join(self.words)
        feedback = info.get("feedback")
        if self.step == "probe":
            if not self.candidates and not self.asked:
                counts = Counter(w for _, text in shown(observation) for w in content_words(text))
                self.candidates = [w for w, _ in counts.most_common() if w not in self.words]
            if self.asked and feedback is not None and feedback.text.startswith(("Yes", "Exactly")):
                self.kept += self.asked
            if self.questions < self.max_questions and self.candidates:
                self.asked = self.candidates[: self.per_question]
                del self.candidates[: self.per_question]
                self.questions += 1
                return f"ask: Do you mean {' or '.join(self.asked)}?"
            self.step = "search"
        if self.step == "search":
            self.step = "answer"
            return "search: " + " ".join(self.words + self.kept)
        return super().act(observation, info)
