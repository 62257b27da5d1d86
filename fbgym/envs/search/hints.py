"""The search family's rungs of ground truth: what to search for, then what to answer."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from fbgym.core.types import FeedbackKind, FeedbackPart, Outcome, Problem, Turn
from fbgym.simulators.hints import HintModel
from fbgym.simulators.paraphrase import Paraphrases

BANK = Paraphrases(
    {
        "terms": [
            "The passages I need use words like {terms}.",
            "Look for passages with words like {terms}.",
        ],
        "edit": ["Answer with {docs}.", "Give me {docs}, in that order."],
    }
)


class SearchHints(HintModel):
    """Corrections for a generated v1 need (one the user tells in its own words).

    ``ground_truth`` says the words its relevant passages use (the need in the collection's
    vocabulary: what to search for); ``edit`` names the documents to answer with, best
    first. Other needs (v0, loaded files) get the generic corrections.
    """

    def correction(
        self,
        problem: Problem,
        history: Sequence[Turn],
        outcome: Outcome,
        level: str,
        rng: random.Random,
    ) -> tuple[FeedbackPart, dict[str, Any]] | None:
        """The passages' words (``ground_truth``) or the answer to give (``edit``)."""
        facet = problem.data.get("facet")
        if facet is None or not facet.said:
            return super().correction(problem, history, outcome, level, rng)
        if level == "ground_truth":
            terms = list(facet.terms)
            text = BANK.say("terms", rng, terms=", ".join(terms))
            return FeedbackPart(FeedbackKind.CORRECTION, text), {"terms": terms}
        docs = list(problem.data["ideal"][: problem.public["cutoff"]])
        text = BANK.say("edit", rng, docs=", ".join(docs))
        return FeedbackPart(FeedbackKind.CORRECTION, text), {"answer": docs}
