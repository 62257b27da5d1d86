"""SearchTask: find passages for a user's hidden facet; answers graded by nDCG@3."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from fbgym.core.seeding import make_random
from fbgym.core.types import Outcome, Problem, Turn
from fbgym.envs.search.actions import USAGE, CommandError, Verb, parse_command
from fbgym.envs.search.collection import Collection, Facet
from fbgym.envs.search.generator import CorpusConfig, generate_collection
from fbgym.envs.search.levels import LEVELS, generate_level, level_config, split_facets
from fbgym.envs.search.loaders import DataFiles, load_collection
from fbgym.envs.search.metrics import ndcg_at_k, recall_at_k
from fbgym.envs.search.retrieval import Hit, SearchIndex
from fbgym.errors import ConfigError

CUTOFF = 3
"""Answers are graded by nDCG at this depth."""
SNIPPET_CHARS = 300

INSTRUCTION = (
    "A user wants passages that meet an information need, but their first request is "
    "ambiguous. Use one command per turn: 'search: <query>' shows the top results "
    "('-<doc id>' in the query leaves a document out); 'ask: <clarifying question>' asks "
    "the user; 'answer: <doc ids, best first>' gives the user your answer, judged on its "
    "first three documents (nDCG@3); 'stop' ends the conversation."
)


@dataclass(frozen=True)
class SearchConfig:
    """Which collection the task searches, and when an answer counts as a success."""

    corpus: CorpusConfig = field(default_factory=CorpusConfig)
    """The generated collection (ignored when ``data`` is given)."""
    data: DataFiles | None = None
    """Local corpus, qrels and topics or facets files, used instead of a generated collection."""
    threshold: float = 0.8
    """An answer succeeds when its nDCG@3 reaches this."""
    results_shown: int = 10
    """How many results a search shows."""
    levels: tuple[int, ...] = ()
    """``fbgym/ConvSearch-v1``: the levels problems take turns at, each a generated collection
    of its own (:mod:`fbgym.envs.search.levels`, seeded by ``corpus.seed``); empty: one
    collection, ``corpus`` or ``data``."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "levels", tuple(self.levels))
        unknown = [lv for lv in self.levels if lv not in LEVELS]
        if unknown:
            raise ConfigError(
                f"unknown search level(s) {unknown}; expected some of {sorted(LEVELS)}"
            )
        if self.levels and self.data is not None:
            raise ConfigError("levels choose generated collections; they cannot be used with data")
        if not 0.0 < self.threshold <= 1.0:
            raise ConfigError(f"threshold must be in (0, 1], got {self.threshold}")
        if not 1 <= self.results_shown <= 1000:
            raise ConfigError(f"results_shown must be in 1..1000, got {self.results_shown}")


@lru_cache(maxsize=8)
def search_index(collection: Collection) -> SearchIndex:
    """The BM25 index of ``collection`` (built once per collection and process)."""
    return SearchIndex(collection)


@lru_cache(maxsize=32)
def _facet_order(collection: Collection, split: str, seed: int, leveled: bool) -> tuple[Facet, ...]:
    """The facets problems take in turn: a seeded shuffle of all, or of a level's split's."""
    pool = split_facets(collection, split) if leveled else collection.facets
    order = list(range(len(pool)))
    make_random("search-order", collection.name, split, seed).shuffle(order)
    return tuple(pool[i] for i in order)


def render_results(
    query: str, hits: Sequence[Hit], collection: Collection, request: str, excluded: int = 0
) -> str:
    """A search's results as the agent sees them, under the user's request."""
    left_out = f", leaving out {excluded} document{'s' * (excluded != 1)}" if excluded else ""
    lines = [f'The user said: "{request}"', "", f'Results for "{query}"{left_out}:']
    if not hits:
        lines.append("(no document matches any word of the query)")
    for rank, hit in enumerate(hits, start=1):
        text = " ".join(collection.text_of[hit.doc_id].split())
        if len(text) > SNIPPET_CHARS:
            text = text[: SNIPPET_CHARS - 3].rstrip() + "..."
        lines.append(f"{rank}. {hit.doc_id}: {text}")
    return "\n".join(lines)


class SearchTask:
    """Conversational search: an ambiguous request, a hidden facet, BM25 as the search tool."""

    family = "search"

    def __init__(self, config: SearchConfig | None = None):
        self.config = config or SearchConfig()

    @cached_property
    def collection(self) -> Collection:
        """The passages, topics and qrels (built or loaded once per process).

        A leveled task has one collection per level; this is its first level's.
        """
        if self.config.levels:
            return self.collection_at(self.config.levels[0])
        if self.config.data is not None:
            return load_collection(self.config.data)
        return generate_collection(self.config.corpus)

    def collection_at(self, level: int) -> Collection:
        """The generated collection of ``level`` (built once per process)."""
        return generate_level(level_config(level, self.config.corpus.seed))

    @property
    def index(self) -> SearchIndex:
        """The BM25 index over :attr:`collection`."""
        return search_index(self.collection)

    def problem(self, split: str, index: int, seed: int) -> Problem:
        """Facet ``index`` of a seeded shuffle of the collection's facets (cycling past the end).

        A leveled task gives problem ``index`` the level ``levels[index % len(levels)]`` and
        takes facets in turn from the shuffled facets of that level's ``split``.
        """
        levels = self.config.levels
        level = levels[index % len(levels)] if levels else None
        collection = self.collection if level is None else self.collection_at(level)
        order = _facet_order(collection, split, seed, level is not None)
        facet = order[(index // len(levels) if levels else index) % len(order)]
        topic = collection.topic_of[facet.topic_id]
        qrels = dict(collection.qrels[facet.id])
        ideal = collection.ideal_ranking(facet.id)
        public = {
            "request": topic.request,
            "topic_id": topic.id,
            "collection": collection.name,
            "documents": len(collection.doc_ids),
            "cutoff": CUTOFF,
            "threshold": self.config.threshold,
        }
        if level is not None:
            public["level"] = level
        return Problem(
            id=f"search/{collection.name}/{split}/{seed}/{index}",
            family=self.family,
            instruction=INSTRUCTION,
            observation=f'The user says: "{topic.request}"',
            answer=list(ideal[:10]),
            public=public,
            data={
                "facet": facet,
                "topic": topic,
                "qrels": qrels,
                "ideal": ideal,
                "texts": collection.text_of,
                "collection": collection,
            },
            difficulty=level,
        )

    def reference_action(self, problem: Problem) -> str:
        """The ideal ranking's first documents, as an answer."""
        return "answer: " + ", ".join(problem.data["ideal"][:CUTOFF])

    def grade(self, problem: Problem, action: str, history: Sequence[Turn]) -> Outcome:
        """Run a search, pass on a question, or judge an answer by nDCG@3 on the hidden facet."""
        try:
            command = parse_command(action)
        except CommandError as exc:
            return Outcome.invalid(str(exc))
        collection: Collection = problem.data["collection"]
        known = collection.position
        if command.verb is Verb.STOP:
            return Outcome(False, 0.0, graded=False, diagnosis={"action": "stop"})
        if command.verb is Verb.ASK:
            return Outcome(
                False, 0.0, graded=False, diagnosis={"action": "ask", "question": command.text}
            )
        unknown = [d for d in command.docs + command.exclude if d not in known]
        if unknown:
            listed = ", ".join(repr(d) for d in unknown[:5]) + (" ..." if len(unknown) > 5 else "")
            return Outcome.invalid(
                f"unknown document id(s) {listed}; ids look like {collection.doc_ids[0]!r} "
                f"(from search results), and the usage is {USAGE}",
                action=command.verb.value,
            )
        if command.verb is Verb.SEARCH:
            hits = search_index(collection).search(
                command.text, self.config.results_shown, command.exclude
            )
            request = problem.public["request"]
            observation = render_results(
                command.text, hits, collection, request, len(command.exclude)
            )
            return Outcome(
                False,
                0.0,
                graded=False,
                observation=observation,
                diagnosis={
                    "action": "search",
                    "query": command.text,
                    "excluded": list(command.exclude),
                    "results": [h.doc_id for h in hits],
                },
            )
        qrels = problem.data["qrels"]
        score = ndcg_at_k(command.docs, qrels, CUTOFF)
        answers = sum(1 for t in history if t.outcome.diagnosis.get("action") == "answer")
        return Outcome(
            success=score >= self.config.threshold,
            score=score,
            diagnosis={
                "action": "answer",
                "docs": list(command.docs),
                "round": answers + 1,
                f"ndcg@{CUTOFF}": score,
                "ndcg@10": ndcg_at_k(command.docs, qrels, 10),
                "recall@10": recall_at_k(command.docs, qrels, 10),
            },
        )
