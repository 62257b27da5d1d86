"""Leveled collections for ``fbgym/ConvSearch-v1``: thousands of needs, in the users' own words."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from functools import lru_cache

from fbgym.core.seeding import make_random
from fbgym.envs.search.collection import Collection, Facet, Topic
from fbgym.envs.search.generator import (
    Passage,
    assemble,
    facet_range,
    pseudo_words,
    request_for,
    sample_words,
    topic_words,
    write_passage,
)
from fbgym.errors import ConfigError

SPLITS = ("test", "train")
"""Topic ``t`` of a level belongs to ``SPLITS[t % 2]``."""
_FACET_TERMS = 10
_TOPIC_TERMS = 8
_NOISE_WORDS = 3000


@dataclass(frozen=True)
class LevelConfig:
    """How one level's collection is made; equal configs give identical collections."""

    level: int
    """The level's number, 1 (easiest) upwards."""
    facets: tuple[int, int]
    """Fewest and most facets per topic (readings of its request)."""
    aspects: int
    """Aspects of a facet's need, each with the user's own word for it."""
    relevant: int
    """Grade-2 passages per facet (at least 3, so that an ideal top 3 is all grade 2)."""
    overlap: float
    """Probability that a relevant passage uses each of the user's words."""
    ambiguity: float
    """Probability that each of the user's words is one a sibling facet's user says too."""
    topics: int
    """Topics in the collection, both splits."""
    mixed: int = 3
    """Grade-1 passages per topic, each touching two of its facets."""
    overviews: int = 4
    """Grade-0 passages per topic that mention it but no facet in earnest."""
    noise: float = 0.2
    """Share of the collection that is about no topic."""
    kinship: float = 0.0
    """Share of a facet's passage vocabulary that its sibling facets use too."""
    signature: tuple[int, int] = (4, 6)
    """Fewest and most words of its facet's vocabulary a relevant passage uses."""
    seed: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "facets", facet_range(self.facets))
        if self.aspects < 1 or self.relevant < 3 or self.topics < len(SPLITS):
            raise ConfigError(
                f"need aspects >= 1, relevant >= 3 and topics >= {len(SPLITS)}; got "
                f"aspects={self.aspects}, relevant={self.relevant}, topics={self.topics}"
            )
        object.__setattr__(self, "signature", tuple(int(x) for x in self.signature))
        if len(self.signature) != 2 or not 1 <= self.signature[0] <= self.signature[1]:
            raise ConfigError(
                f"signature must be (fewest, most) with 1 <= fewest <= most, got {self.signature}"
            )
        for name in ("overlap", "ambiguity", "kinship"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ConfigError(f"{name} must be in [0, 1], got {getattr(self, name)}")
        if not 0.0 <= self.noise < 1.0:
            raise ConfigError(f"noise must be in [0, 1), got {self.noise}")


LEVELS: dict[int, LevelConfig] = {
    1: LevelConfig(1, (2, 2), 2, 5, 0.35, 0.2, 1100, 2, 3, noise=0.1),
    2: LevelConfig(2, (2, 3), 2, 5, 0.3, 0.3, 880, 2, 4, noise=0.2, kinship=0.1),
    3: LevelConfig(3, (3, 4), 3, 4, 0.25, 0.4, 630, 3, 4, 0.3, 0.3, (3, 5)),
    4: LevelConfig(4, (4, 6), 3, 4, 0.2, 0.5, 440, 3, 5, 0.45, 0.4, (3, 4)),
    5: LevelConfig(5, (6, 8), 3, 4, 0.15, 0.6, 315, 4, 6, 0.6, 0.5, (2, 4)),
}
"""The levels of ``fbgym/ConvSearch-v1``, easiest first."""


def level_config(level: int, seed: int = 0) -> LevelConfig:
    """The config of ``level`` for collection seed ``seed``, or ConfigError naming the levels."""
    if level not in LEVELS:
        raise ConfigError(f"unknown search level {level!r}; expected one of {sorted(LEVELS)}")
    base = LEVELS[level]
    return base if seed == base.seed else replace(base, seed=seed)


def split_of(topic_index: int) -> str:
    """The split that topic ``topic_index`` (0-based) of a level belongs to."""
    return SPLITS[topic_index % len(SPLITS)]


def split_facets(collection: Collection, split: str) -> tuple[Facet, ...]:
    """The facets of a level's topics in ``split`` (ConfigError for a split it does not have)."""
    if split not in SPLITS:
        raise ConfigError(f"unknown split {split!r}; a level has the splits {SPLITS}")
    judged = {f.id for f in collection.facets}
    return tuple(
        f
        for t, topic in enumerate(collection.topics)
        if split_of(t) == split
        for f in topic.facets
        if f.id in judged
    )


def _user_words(
    rng: random.Random, config: LevelConfig, everyday: list[str], count: int
) -> list[tuple[str, ...]]:
    """For each of ``count`` sibling facets, the user's words for its aspects.

    A word is borrowed from an earlier sibling with probability ``ambiguity``.
    """
    out: list[tuple[str, ...]] = []
    for _ in range(count):
        said: list[str] = []
        borrowable = [w for words in out for w in words]
        while len(said) < config.aspects:
            if borrowable and rng.random() < config.ambiguity:
                word = rng.choice(borrowable)
            else:
                word = rng.choice(everyday)
            if word not in said:
                said.append(word)
        out.append(tuple(said))
    return out


@lru_cache(maxsize=8)
def generate_level(config: LevelConfig) -> Collection:
    """The collection of one level (built once per config and process).

    Topics are written as in the v0 generator (a two-word name, shared topic terms, facets
    with vocabularies of their own), topic ``t`` in split :func:`split_of`, with one
    difference that makes conversational search what it is: the user does not speak the
    collection's vocabulary. Each facet has ``aspects`` aspects, and for each the user has
    an everyday word of its own, which the facet's relevant passages use only now and then
    (``overlap``) and a sibling facet's user may say too (``ambiguity``). Asking the user
    gets those words, one aspect at a time; which passages are right still takes looking at
    them and hearing the user's verdicts on an answer. At the higher levels a relevant
    passage uses fewer of its facet's words (``signature``), and siblings share more of them
    (``kinship``), so that a query grown from a relevant passage finds its siblings too.
    """
    rng = make_random("search-level", config)
    taken: set[str] = set()
    noise = pseudo_words(rng, _NOISE_WORDS, taken)
    aspects = pseudo_words(rng, max(50, 4 * config.topics), taken)
    everyday = pseudo_words(rng, max(60, config.topics // 2), taken)
    topics: list[Topic] = []
    passages: list[Passage] = []
    for t in range(config.topics):
        topic_id = f"L{config.level}T{t + 1:05d}"
        name_words = pseudo_words(rng, 2, taken)
        name = " ".join(name_words)
        shared = pseudo_words(rng, _TOPIC_TERMS, taken)
        count = rng.randint(*config.facets)
        said = _user_words(rng, config, everyday, count)
        kin = round(config.kinship * _FACET_TERMS)
        kindred = pseudo_words(rng, 2 * kin, taken)
        facets = []
        for f in range(count):
            shared_aspects = rng.sample(aspects, (_FACET_TERMS - kin) // 2)
            terms = shared_aspects + sample_words(rng, kindred, kin)
            terms += pseudo_words(rng, _FACET_TERMS - len(terms), taken)
            rng.shuffle(terms)
            words = said[f]
            facets.append(
                Facet(
                    id=f"{topic_id}.F{f + 1}",
                    topic_id=topic_id,
                    description=f"the {words[0]} side of {name}"
                    + (f", and {', '.join(words[1:])}" if len(words) > 1 else ""),
                    terms=tuple(terms),
                    name=words[0],
                    said=words,
                )
            )
        topics.append(Topic(topic_id, name, request_for(rng, name), tuple(facets)))
        passages += _topic_passages(rng, config, facets, (name_words, shared, noise))
    size = round(len(passages) / (1.0 - config.noise))
    return assemble(
        rng,
        topics,
        passages,
        noise,
        size,
        f"generated-v1-L{config.level}-{{size}}-{{hash}}",
        config,
    )


def _topic_passages(
    rng: random.Random,
    config: LevelConfig,
    facets: list[Facet],
    context: tuple[list[str], list[str], list[str]],
) -> list[Passage]:
    """The passages of one topic: relevant ones per facet, mixed ones, and overviews."""
    out: list[Passage] = []
    for facet in facets:
        siblings = [s for s in facets if s is not facet]
        for _ in range(config.relevant):
            signature = rng.randint(*config.signature)
            words = topic_words(rng, *context) + sample_words(rng, facet.terms, signature)
            words += [w for w in facet.said if rng.random() < config.overlap]
            words.append(rng.choice(rng.choice(siblings).terms))
            out.append((write_passage(rng, words), {facet.id: 2}))
    for _ in range(config.mixed):
        a, b = rng.sample(facets, 2)
        words = topic_words(rng, *context) + sample_words(rng, a.terms, 2)
        words += sample_words(rng, b.terms, 2)
        words += [w for w in a.said + b.said if rng.random() < config.overlap / 2]
        out.append((write_passage(rng, words), {a.id: 1, b.id: 1}))
    everyday = [w for f in facets for w in f.said]
    for _ in range(config.overviews):
        words = topic_words(rng, *context) + sample_words(rng, context[1], 3)
        words.append(rng.choice(rng.choice(facets).terms))
        if rng.random() < 0.5:
            words.append(rng.choice(everyday))
        out.append((write_passage(rng, words), {}))
    return out
