"""Story: a word problem written sentence by sentence over its worked solution, to a length."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from fbgym.envs.math.generators import MathItem
from fbgym.envs.math.multistep import OPERATIONS, operation_budget, redraw
from fbgym.envs.math.multistep.draft import Draft

NAMES = (
    "Maya", "Omar", "Lena", "Tariq", "Priya", "Jonas", "Amara", "Kenji", "Sofia", "Diego",
    "Ines", "Mateo", "Yara", "Felix", "Nia", "Ravi", "Hana", "Luca", "Zainab", "Theo",
    "Aiko", "Bruno", "Chloe", "Dmitri", "Esme", "Farid", "Greta", "Hugo", "Ivy", "Jamal",
)  # fmt: skip


class Story:
    """The sentences of a word problem and the worked solution they imply."""

    def __init__(self, rng: random.Random, level: int):
        self.rng = rng
        self.level = level
        self.draft = Draft()
        self.sentences: list[str] = []
        self.name = rng.choice(NAMES)
        self.unit = ""
        """What the running quantity counts (tails that need boxes check for boxes)."""

    def say(self, sentence: str) -> None:
        """Add a sentence to the problem statement."""
        self.sentences.append(sentence)

    def step(self, expr: str, text: str) -> str:
        """Add a step of the worked solution (see :meth:`Draft.step`)."""
        return self.draft.step(expr, text)

    def value(self, ref: str) -> Fraction:
        """The value of an earlier step."""
        return self.draft.value(ref)

    def item(self, question: str, unit: str) -> MathItem:
        """The finished problem: the sentences, then the question."""
        return self.draft.item(" ".join([*self.sentences, question]), self.level, unit)


def listing(parts: Sequence[str]) -> str:
    """``a, b and c``."""
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def whole_percent(rng: random.Random, amount: Fraction, choices: Sequence[int]) -> int | None:
    """A percentage from ``choices`` whose share of ``amount`` is a whole number, if any."""
    fits = [p for p in choices if (Fraction(amount) * p / 100).denominator == 1]
    return rng.choice(fits) if fits else None


def divisor(rng: random.Random, amount: Fraction, low: int, high: int) -> int | None:
    """A whole number in [low, high] that divides ``amount``, if any."""
    amount = Fraction(amount)
    fits = [d for d in range(low, high + 1) if amount.denominator == 1 and amount % d == 0]
    return rng.choice(fits) if fits else None


@dataclass(frozen=True)
class Tail:
    """A sentence that changes the story's running quantity, and how many operations it adds.

    ``write(story, ref)`` says the sentence and adds its steps, returning the new quantity's
    reference, or ``None`` (having said and added nothing) when the numbers do not allow it.
    """

    name: str
    operations: int
    write: Callable[[Story, str], str | None]


Scenario = Callable[[Story, int], MathItem | None]
"""Writes a whole word problem of about the given number of operations (``None``: retry)."""


def tell(rng: random.Random, level: int, scenarios: Sequence[Scenario]) -> MathItem:
    """A problem from one of ``scenarios`` whose operation count is within the level's range."""
    scenario = rng.choice(scenarios)

    def told(rng: random.Random, level: int) -> MathItem | None:
        story = Story(rng, level)
        item = scenario(story, operation_budget(rng, level))
        low, high = OPERATIONS[level]
        return item if item is not None and low <= story.draft.operations <= high else None

    told.__name__ = scenario.__name__
    return redraw(told, rng, level)


def choose_tails(rng: random.Random, tails: Sequence[Tail], budget: int) -> list[Tail]:
    """A random selection of ``tails``, in their order, spending at most ``budget`` operations."""
    chosen: list[Tail] = []
    for tail in rng.sample(list(tails), len(tails)):
        spent = sum(t.operations for t in chosen)
        if rng.random() < 0.7 and spent + tail.operations <= budget:
            chosen.append(tail)
    return [t for t in tails if t in chosen]


def apply_tails(story: Story, ref: str, tails: Sequence[Tail]) -> tuple[str, list[str]]:
    """Write each tail in order; returns the final quantity and the names of tails written."""
    written = []
    for tail in tails:
        new = tail.write(story, ref)
        if new is not None:
            ref = new
            written.append(tail.name)
    return ref, written
