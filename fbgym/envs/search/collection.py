"""The search family's data: a passage collection, its topics and facets, and graded qrels."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

from fbgym.errors import ConfigError


@dataclass(frozen=True)
class Facet:
    """One reading of an ambiguous request: the information need a user actually has."""

    id: str
    topic_id: str
    description: str
    """The need in words, as the user would restate it."""
    terms: tuple[str, ...]
    """Words that characterise the need, most telling first; the user reveals them."""
    name: str = ""
    """A short label (a word or two) for yes/no clarifying questions."""
    questions: tuple[tuple[str, str], ...] = ()
    """Recorded (clarifying question, this user's answer) pairs, e.g. from ClariQ or Qulac."""
    said: tuple[str, ...] = ()
    """The user's own word for each aspect of its need, in the order it tells them; empty:
    the user restates its need in :attr:`terms` (``fbgym/ConvSearch-v0``, loaded facets)."""


@dataclass(frozen=True)
class Topic:
    """A topic: the ambiguous request users start from, and its facets."""

    id: str
    name: str
    request: str
    """What the user says first; it does not say which facet is meant."""
    facets: tuple[Facet, ...]


@dataclass(frozen=True)
class Collection:
    """Passages, topics with facets, and graded relevance of passages to each facet."""

    name: str
    doc_ids: tuple[str, ...]
    texts: tuple[str, ...]
    topics: tuple[Topic, ...]
    qrels: Mapping[str, Mapping[str, int]]
    """facet id -> {doc id: grade}; grades are 1 (partly relevant) or more; absent means 0."""
    meta: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(self.doc_ids) != len(self.texts):
            raise ConfigError(
                f"collection {self.name!r}: {len(self.doc_ids)} ids but {len(self.texts)} texts"
            )
        if len(set(self.doc_ids)) != len(self.doc_ids):
            raise ConfigError(f"collection {self.name!r}: document ids are not unique")
        if not self.facets:
            raise ConfigError(f"collection {self.name!r} has no facet with a relevant document")

    # Collections are cached by config and never compared by value; identity is enough.
    __hash__ = object.__hash__

    def __eq__(self, other: object) -> bool:
        return self is other

    @cached_property
    def facets(self) -> tuple[Facet, ...]:
        """Every facet with at least one relevant passage, in topic order."""
        return tuple(
            f
            for t in self.topics
            for f in t.facets
            if any(g > 0 for g in self.qrels.get(f.id, {}).values())
        )

    @cached_property
    def topic_of(self) -> dict[str, Topic]:
        """Topic by topic id."""
        return {t.id: t for t in self.topics}

    @cached_property
    def position(self) -> dict[str, int]:
        """Row of each document id."""
        return {d: i for i, d in enumerate(self.doc_ids)}

    @cached_property
    def text_of(self) -> dict[str, str]:
        """Text by document id."""
        return dict(zip(self.doc_ids, self.texts))

    def ideal_ranking(self, facet_id: str) -> tuple[str, ...]:
        """The facet's relevant documents, best grade first (ties by document id)."""
        grades = self.qrels.get(facet_id, {})
        return tuple(sorted((d for d, g in grades.items() if g > 0), key=lambda d: (-grades[d], d)))
