"""Math-v1 generators: problems of 4 to 46 operations, worked in steps of several operations.

A level fixes how many operations a problem's worked solution performs (``OPERATIONS``) and
how long one step of it may be (``LINE``); each generator builds its problem to a drawn
operation count, so the levels of every kind are equally long. Every division comes out;
every count and amount in a story is a positive whole number.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from fbgym.envs.math.generators import Generator, MathItem, registrar
from fbgym.errors import FbgymError

LEVELS = (1, 2, 3, 4, 5, 6, 7, 8)
OPERATIONS = {
    1: (4, 5),
    2: (6, 8),
    3: (9, 11),
    4: (12, 15),
    5: (16, 19),
    6: (20, 24),
    7: (30, 36),
    8: (38, 46),
}
"""The operation counts a level's worked solutions span, inclusive."""
LINE: dict[int, int | None] = {1: 1, 2: 2, 3: 3, 4: 4, 5: 6, 6: 8, 7: None, 8: None}
"""How many operations one step of a level's worked solution may gather (``None``: the whole
computation is one line). Naming the faulty step narrows a slip down less as lines grow
(see ``draft.set_in_lines``)."""

GENERATORS: dict[str, Generator] = {}
generator = registrar(GENERATORS)
"""Register a Math-v1 generator under a unique name."""


def operation_budget(rng: random.Random, level: int) -> int:
    """How many operations this problem's worked solution will perform."""
    return rng.randint(*OPERATIONS[level])


def redraw(
    make: Callable[[random.Random, int], MathItem | None], rng: random.Random, level: int
) -> MathItem:
    """The first problem ``make`` draws.

    ``make`` returns ``None`` when its numbers do not work out (a share that does not divide,
    a change below zero, a length outside the level's); it is then asked again.
    """
    for _ in range(500):
        item = make(rng, level)
        if item is not None:
            return item
    raise FbgymError(f"{make.__name__} drew no level-{level} problem in 500 attempts")


def _load() -> None:
    from fbgym.envs.math.multistep import algebra, arithmetic, fractions, word  # noqa: F401


_load()
