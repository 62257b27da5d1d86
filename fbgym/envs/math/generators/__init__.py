"""Procedural math problem generators, each a function of (rng, level) with worked steps."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from fbgym.envs.math.program import Step

LEVELS = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class MathItem:
    """A generated question with its worked solution."""

    question: str
    steps: tuple[Step, ...]
    unit: str = ""
    """What the answer counts (``dollars``, ``km``), for the critic's wording."""


Generator = Callable[[random.Random, int], MathItem]
GENERATORS: dict[str, Generator] = {}


def registrar(table: dict[str, Generator]) -> Callable[[str], Callable[[Generator], Generator]]:
    """A decorator factory that registers generators in ``table`` under unique names."""

    def generator(name: str) -> Callable[[Generator], Generator]:
        def add(fn: Generator) -> Generator:
            if name in table:
                raise ValueError(f"math generator {name!r} is already registered")
            table[name] = fn
            return fn

        return add

    return generator


generator = registrar(GENERATORS)
"""Register a Math-v0 generator under a unique name."""


def _load() -> None:
    from fbgym.envs.math.generators import algebra, arithmetic, fractions, word_problems  # noqa: F401


_load()
