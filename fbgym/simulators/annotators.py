"""Ranking annotators: Bradley–Terry and Plackett–Luce noise over a latent utility, in a pool.

An annotator judges attempts by their latent quality (``Outcome.utility``) seen through its
own biases — a taste for longer attempts, a lean toward the earlier or later one — and
Bradley–Terry (pairwise) or Plackett–Luce (listwise) choice noise whose sharpness is its
``rationality``; with probability ``flip`` it reverses its label, as AlpacaFarm's simulated
annotators do (13 annotators, 25% flips). A pool draws one annotator per judgment.

>>> import random
>>> pool = AnnotatorPool.sample(13, rationality=20.0, flip=0.25, bias_sd=0.05, seed=0)
>>> judged = pool.rank([Item(1, 0.2), Item(2, 0.9)], random.Random(0))
>>> sorted(t for group in judged.ranking for t in group)
[1, 2]
"""

from __future__ import annotations

import math
import random
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from fbgym.core.seeding import make_rng
from fbgym.errors import ConfigError


@dataclass(frozen=True)
class Item:
    """One thing to judge: its key (e.g. a turn number), latent utility and length in words."""

    key: Hashable
    utility: float
    words: int | None = None
    """Length of the attempt in words, for the length bias; ``None`` when unknown."""


@dataclass(frozen=True)
class Judgment:
    """An annotator's ranking, best first (groups of keys, as ``Feedback.ranking``)."""

    ranking: tuple[tuple[Hashable, ...], ...]
    annotator: int
    """Index of the annotator in its pool (0 for a lone annotator)."""
    flipped: bool
    """Whether the annotator reversed its label (a deliberate error)."""


@dataclass(frozen=True)
class Annotator:
    """One simulated annotator.

    The perceived quality of an item at position ``i`` of ``n`` is
    ``utility + length_bias * words / 100 + position_bias * (1 - 2 i / (n - 1))``, so a
    positive ``position_bias`` favours earlier items (primacy) and a negative one later ones.
    """

    rationality: float = 10.0
    """Inverse temperature of the choice noise; larger is sharper (``inf``: always the best)."""
    flip: float = 0.0
    """Probability of reversing the label (pairwise) or swapping an adjacent pair (listwise)."""
    length_bias: float = 0.0
    """Utility gained per 100 words of the attempt (AlpacaFarm's verbosity bias)."""
    position_bias: float = 0.0
    """Utility gained by the first item over the last (primacy > 0, recency < 0)."""

    def __post_init__(self) -> None:
        if not (self.rationality > 0):
            raise ConfigError(f"rationality must be > 0, got {self.rationality!r}")
        if not 0.0 <= self.flip <= 1.0:
            raise ConfigError(f"flip must be a probability in [0, 1], got {self.flip!r}")
        for name in ("length_bias", "position_bias"):
            if not math.isfinite(getattr(self, name)):
                raise ConfigError(f"{name} must be finite, got {getattr(self, name)!r}")

    def perceived(self, items: Sequence[Item]) -> list[float]:
        """The quality this annotator sees in each item, biases included."""
        use_length = all(it.words is not None for it in items)
        n = len(items)
        values = []
        for i, it in enumerate(items):
            value = it.utility
            if use_length:
                value += self.length_bias * (it.words or 0) / 100.0
            if n > 1:
                value += self.position_bias * (1.0 - 2.0 * i / (n - 1))
            values.append(value)
        return values

    def prefer_probability(self, a: Item, b: Item) -> float:
        """Bradley–Terry probability of preferring ``a`` over ``b`` (before any flip)."""
        ua, ub = self.perceived([a, b])
        return _sigmoid(self.rationality * (ua - ub))

    def rank(self, items: Sequence[Item], rng: random.Random, *, index: int = 0) -> Judgment:
        """A Plackett–Luce ranking of ``items`` (Bradley–Terry for two), then maybe a flip.

        Sampled by the Gumbel-max trick: sorting ``rationality * quality + Gumbel`` noise
        draws a full Plackett–Luce ordering in one pass.
        """
        if not items:
            raise ConfigError("an annotator needs at least one item to rank")
        values = self.perceived(items)
        keys = [v * self.rationality if math.isfinite(self.rationality) else v for v in values]
        noisy = [k + (_gumbel(rng) if math.isfinite(self.rationality) else 0.0) for k in keys]
        order = [items[i].key for i in sorted(range(len(items)), key=lambda i: -noisy[i])]
        flipped = len(order) > 1 and self.flip > 0 and rng.random() < self.flip
        if flipped:
            j = rng.randrange(len(order) - 1)
            order[j], order[j + 1] = order[j + 1], order[j]
        return Judgment(tuple((k,) for k in order), index, flipped)


class AnnotatorPool:
    """Annotators with their own biases; each judgment is made by one drawn at random."""

    def __init__(self, annotators: Sequence[Annotator]):
        if not annotators:
            raise ConfigError("an annotator pool needs at least one annotator")
        self.annotators = tuple(annotators)

    @classmethod
    def sample(
        cls,
        size: int = 13,
        *,
        rationality: float = 10.0,
        flip: float = 0.0,
        length_bias: float = 0.0,
        bias_sd: float = 0.0,
        seed: int = 0,
    ) -> AnnotatorPool:
        """``size`` annotators; biases are N(``length_bias``, ``bias_sd``) and N(0, ``bias_sd``).

        The pool depends only on its arguments (``seed`` included), never on global state.
        """
        if not isinstance(size, int) or size < 1:
            raise ConfigError(f"an annotator pool needs size >= 1, got {size!r}")
        if bias_sd < 0:
            raise ConfigError(f"bias_sd must be >= 0, got {bias_sd!r}")
        draws = make_rng("annotators", size, seed).normal(0.0, 1.0, size=(size, 2)) * bias_sd
        return cls(
            [
                Annotator(rationality, flip, length_bias + float(length), float(position))
                for length, position in draws
            ]
        )

    def __len__(self) -> int:
        return len(self.annotators)

    def rank(self, items: Sequence[Item], rng: random.Random) -> Judgment:
        """A ranking of ``items`` by one annotator drawn with ``rng``."""
        index = rng.randrange(len(self.annotators))
        return self.annotators[index].rank(items, rng, index=index)

    def prefer(self, a: Item, b: Item, rng: random.Random) -> Judgment:
        """A pairwise judgment of ``a`` against ``b`` (the winner is ranked first)."""
        return self.rank([a, b], rng)


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def _gumbel(rng: random.Random) -> float:
    u = rng.random()
    while u <= 0.0:
        u = rng.random()
    return -math.log(-math.log(u))
