"""The ConvSearch-v1 user: tells its need one aspect at a time, in its own words."""

from __future__ import annotations

import random
from collections.abc import Sequence

from fbgym.core.types import FeedbackKind as K
from fbgym.core.types import FeedbackPart, Problem, Turn
from fbgym.envs.search.collection import Facet
from fbgym.envs.search.critic import SearchCritic, join_words
from fbgym.simulators.paraphrase import Paraphrases

BANK = Paraphrases(
    {
        "first": [
            "Mostly the {words} side of it.",
            "It's the {words} part I'm after.",
            "I care most about {words}.",
            "Mainly something to do with {words}.",
        ],
        "more": [
            "Also, {words} matters to me.",
            "It should touch on {words} as well.",
            "And {words}, too.",
        ],
        "many": [
            "That's a lot of things at once; ask me about one or two.",
            "I can't say yes or no to all of that; one thing at a time, please.",
        ],
        "told": [
            "That's all I can tell you; I'll know it when I see it.",
            "I don't know how else to put it.",
            "I've said what I know; show me something.",
        ],
    }
)


MOST_NAMED = 2
"""The most words of its topic's facets a yes/no question may name for the user to answer it."""


def aspect_words(facet: Facet) -> tuple[str, ...]:
    """The user's word for each aspect of its need, in the order it tells them."""
    return facet.said or facet.terms


class AspectCritic(SearchCritic):
    """A user who knows its need in its own words and tells it one aspect at a time.

    As :class:`SearchCritic` in what it judges, with three differences. A question or a
    missed answer gets the user's own word for the next aspect of its need (``round(2 *
    cooperativeness)`` aspects at a time, one at the default), never a list of the words
    the relevant passages use; once all is told it says so. Yes/no questions are answered
    "yes" for the words of its need, its own or the passages', about one or two things at a
    time (:data:`MOST_NAMED`), not a list to search by halves. And the judge's state (which
    words were told, what kind of answer a question got, the accepted documents of a
    success) goes into ``notes``; ``meta`` holds only the document ids the text names.
    """

    def _own_words(self, facet: Facet) -> set[str]:
        return set(facet.terms) | set(facet.said)

    def _restate(
        self, problem: Problem, history: Sequence[Turn], rng: random.Random
    ) -> tuple[FeedbackPart | None, list[str]]:
        """The user's word(s) for the next aspect(s) it has not told, and those words."""
        said = self.told(history)
        words = aspect_words(problem.data["facet"])
        fresh = [w for w in words if w not in said][: round(2 * self.cooperativeness)]
        if not fresh:
            return None, []
        key = "more" if said & set(words) else "first"
        return FeedbackPart(K.FUTURE_POSITIVE, BANK.say(key, rng, words=join_words(fresh))), fresh

    def _too_many(self, named: set[str], rng: random.Random) -> FeedbackPart | None:
        if len(named) <= MOST_NAMED:
            return None
        return FeedbackPart(K.FUTURE_POSITIVE, BANK.say("many", rng))

    def _nothing_new(self, problem: Problem, rng: random.Random) -> FeedbackPart:
        return FeedbackPart(K.FUTURE_POSITIVE, BANK.say("told", rng))
