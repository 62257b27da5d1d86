"""A generated passage collection: topics × facets with graded relevance known by construction.

Every topic has a two-word name, shared topic terms and three or four facets; every facet has
its own vocabulary: half of it words of its own, half "aspect" words that facets of other
topics use too (as "history" or "cost" recur across real topics), its name among them.
Passages are written from those words (plus corpus-wide noise words) in English sentence
frames, so BM25 behaves as it does on real text: the topic's name finds every facet at once,
and only the facet's own words single out the passages a user needs.

- grade 2: a passage about one facet (about half of its terms, the topic's words, a stray
  word of a sibling facet);
- grade 1: a passage that covers two sibling facets a little each (grade 1 for both);
- grade 0: a topic overview (the topic's words, one facet word as a confuser), passages of the
  other facets, and noise passages that pad the collection to its size.

Words are pseudo-words built from syllables, so no facet leaks meaning from outside the
collection; document ids are assigned after a seeded shuffle, so they say nothing either.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache

from bm25s.stopwords import STOPWORDS_EN_PLUS

from fbgym.core.seeding import derive_seed, make_random
from fbgym.envs.search.collection import Collection, Facet, Topic
from fbgym.errors import ConfigError

_ONSETS = (
    "b",
    "d",
    "f",
    "g",
    "k",
    "l",
    "m",
    "n",
    "p",
    "r",
    "s",
    "t",
    "v",
    "z",
    "br",
    "dr",
    "gr",
    "kl",
    "pl",
    "st",
    "tr",
    "sh",
    "ch",
    "th",
)
_VOWELS = ("a", "e", "i", "o", "u", "a", "e", "o", "ai", "ou")
_CODAS = ("", "", "", "", "n", "r", "s", "l", "m", "x")

_FRAMES = (
    "{0} {1} shapes how {2} relates to {3}.",
    "Reports on {0} {1} describe {2} and {3}.",
    "In {0}, the {1} of {2} depends on {3}.",
    "{0} and {1} are central to {2} {3}.",
    "Studies of {0} compare {1} with {2} {3}.",
    "Much of {0} {1} comes down to {2} and {3}.",
)
_REQUESTS = (
    "Tell me about {name}.",
    "I'm looking for information on {name}.",
    "What can you find on {name}?",
    "I'd like to learn about {name}.",
)
_STOPWORDS = frozenset(STOPWORDS_EN_PLUS)
Passage = tuple[str, dict[str, int]]
"""A passage's text and its grades: {facet id: grade}, empty for grade 0 everywhere."""
_FACET_TERMS = 10
_TOPIC_TERMS = 8
_NOISE_WORDS = 2000
_ASPECTS_MIN = 50
_ASPECTS_PER_TOPIC = 4


@dataclass(frozen=True)
class CorpusConfig:
    """How a generated collection is made; equal configs give identical collections."""

    topics: int = 16
    """Number of topics (ambiguous requests)."""
    facets: tuple[int, int] = (3, 4)
    """Fewest and most facets per topic."""
    passages_per_facet: int = 4
    """Grade-2 passages per facet (at least 3, so that an ideal top 3 is all grade 2)."""
    mixed_per_topic: int = 3
    """Grade-1 passages per topic, each touching two of its facets."""
    overviews_per_topic: int = 4
    """Grade-0 passages per topic that mention the topic but no facet in earnest."""
    passages: int = 400
    """Size of the collection; noise passages pad it to this size."""
    seed: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "facets", facet_range(self.facets))
        if self.topics < 1:
            raise ConfigError(f"topics must be at least 1, got {self.topics}")
        if self.passages_per_facet < 3:
            raise ConfigError(
                f"passages_per_facet must be at least 3, got {self.passages_per_facet}"
            )
        if self.mixed_per_topic < 0 or self.overviews_per_topic < 0:
            raise ConfigError("mixed_per_topic and overviews_per_topic must not be negative")
        most = self.topics * (
            self.facets[1] * self.passages_per_facet
            + self.mixed_per_topic
            + self.overviews_per_topic
        )
        if self.passages < most:
            raise ConfigError(
                f"passages={self.passages} cannot hold {self.topics} topics; "
                f"expected at least {most} (or fewer topics)"
            )

    @classmethod
    def of_size(cls, passages: int, *, seed: int = 0) -> CorpusConfig:
        """A collection of ``passages`` passages, about one topic per 26 (a sixth of it noise)."""
        per_topic = 4 * 4 + 3 + 4
        return cls(topics=max(1, passages // 26), passages=max(passages, per_topic), seed=seed)


def facet_range(facets: tuple[int, int]) -> tuple[int, int]:
    """``facets`` as (fewest, most) facets per topic, or ConfigError saying what is allowed."""
    facets = tuple(int(x) for x in facets)
    if len(facets) != 2 or not 2 <= facets[0] <= facets[1]:
        raise ConfigError(f"facets must be (fewest, most) with 2 <= fewest <= most, got {facets}")
    return facets


def pseudo_words(rng: random.Random, count: int, taken: set[str]) -> list[str]:
    """``count`` new pseudo-words, none a stopword or in ``taken`` (which is updated)."""
    stop = _STOPWORDS
    out: list[str] = []
    while len(out) < count:
        syllables = 2 if rng.random() < 0.8 else 3
        word = "".join(
            rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS) for _ in range(syllables)
        )
        if len(word) >= 4 and word not in taken and word not in stop:
            taken.add(word)
            out.append(word)
    return out


def write_passage(rng: random.Random, words: list[str]) -> str:
    """``words`` shuffled into sentence frames, four to a sentence."""
    rng.shuffle(words)
    while len(words) % 4:
        words.append(words[rng.randrange(len(words))])
    sentences = []
    for i in range(0, len(words), 4):
        frame = _FRAMES[rng.randrange(len(_FRAMES))]
        sentence = frame.format(*words[i : i + 4])
        sentences.append(sentence[0].upper() + sentence[1:])
    return " ".join(sentences)


def topic_words(
    rng: random.Random, name: list[str], shared: list[str], noise: list[str]
) -> list[str]:
    """The words every passage of a topic starts from: its name, shared terms, noise."""
    return name[: rng.randint(1, 2)] + sample_words(rng, shared, 2) + sample_words(rng, noise, 3)


def request_for(rng: random.Random, name: str) -> str:
    """What a user says first about topic ``name``: it names the topic, not the facet."""
    return _REQUESTS[rng.randrange(len(_REQUESTS))].format(name=name)


def sample_words(rng: random.Random, pool: list[str] | tuple[str, ...], k: int) -> list[str]:
    return rng.sample(pool, min(k, len(pool)))


@lru_cache(maxsize=8)
def generate_collection(config: CorpusConfig) -> Collection:
    """The collection ``config`` describes (built once per config and process)."""
    rng = make_random("search-corpus", config.seed, config)
    taken: set[str] = set()
    noise = pseudo_words(rng, _NOISE_WORDS, taken)
    aspects = pseudo_words(rng, max(_ASPECTS_MIN, _ASPECTS_PER_TOPIC * config.topics), taken)
    topics: list[Topic] = []
    passages: list[Passage] = []
    for t in range(config.topics):
        topic_id = f"T{t + 1:05d}"
        name_words = pseudo_words(rng, 2, taken)
        name = " ".join(name_words)
        shared = pseudo_words(rng, _TOPIC_TERMS, taken)
        facets = []
        for f in range(rng.randint(*config.facets)):
            shared_aspects = rng.sample(aspects, _FACET_TERMS // 2)
            rest = shared_aspects[1:] + pseudo_words(rng, _FACET_TERMS - len(shared_aspects), taken)
            rng.shuffle(rest)
            terms = (shared_aspects[0], *rest)
            facets.append(
                Facet(
                    id=f"{topic_id}.F{f + 1}",
                    topic_id=topic_id,
                    description=(
                        f"the {terms[0]} of {name}, in particular {terms[1]} and {terms[2]}"
                    ),
                    terms=terms,
                    name=terms[0],
                )
            )
        topics.append(Topic(topic_id, name, request_for(rng, name), tuple(facets)))
        context = (name_words, shared, noise)

        for facet in facets:
            siblings = [s for s in facets if s is not facet]
            for _ in range(config.passages_per_facet):
                words = topic_words(rng, *context) + sample_words(
                    rng, facet.terms, rng.randint(4, 6)
                )
                words.append(rng.choice(rng.choice(siblings).terms))
                passages.append((write_passage(rng, words), {facet.id: 2}))
        for _ in range(config.mixed_per_topic):
            a, b = rng.sample(facets, 2)
            words = topic_words(rng, *context) + sample_words(rng, a.terms, 2)
            words += sample_words(rng, b.terms, 2)
            passages.append((write_passage(rng, words), {a.id: 1, b.id: 1}))
        for _ in range(config.overviews_per_topic):
            words = topic_words(rng, *context) + sample_words(rng, shared, 3)
            words.append(rng.choice(rng.choice(facets).terms))
            passages.append((write_passage(rng, words), {}))
    return assemble(
        rng, topics, passages, noise, config.passages, "generated-{size}-{hash}", config
    )


def assemble(
    rng: random.Random,
    topics: list[Topic],
    passages: list[Passage],
    noise: list[str],
    size: int,
    name: str,
    config: object,
) -> Collection:
    """The collection of ``passages``, padded with noise to ``size``, in a seeded order.

    Noise passages are ``noise`` words, a third of them with a word of a topic's name.
    Documents get ids by row; ``name`` may hold ``{size}`` and ``{hash}`` (of ``config``).
    """
    while len(passages) < size:
        words = sample_words(rng, noise, 10)
        if topics and rng.random() < 0.3:
            words.append(rng.choice(rng.choice(topics).name.split()))
        passages.append((write_passage(rng, words), {}))
    order = list(range(len(passages)))
    rng.shuffle(order)
    width = max(6, len(str(len(passages))))
    doc_ids, texts = [], []
    qrels: dict[str, dict[str, int]] = {}
    for row, i in enumerate(order):
        doc_id = f"D{row:0{width}d}"
        text, grades = passages[i]
        doc_ids.append(doc_id)
        texts.append(text)
        for facet_id, grade in grades.items():
            qrels.setdefault(facet_id, {})[doc_id] = grade
    return Collection(
        name=name.format(size=len(doc_ids), hash=f"{derive_seed(config) % 16**6:06x}"),
        doc_ids=tuple(doc_ids),
        texts=tuple(texts),
        topics=tuple(topics),
        qrels=qrels,
        meta={"config": repr(config)},
    )
