"""Composed coding problems: functions built from typed primitives, with tests and drafts.

A problem is a pipeline of steps (filters, maps, folds, string and dictionary operations,
arithmetic, conditionals) from its input type; its level sets how many steps, how many
hidden tests, and how often a draft misreads a step. The split is a function of the
pipeline's skeleton (its steps without their constants), so train and test never share
what a function does.

>>> import random
>>> item = compose(random.Random(0), "list", 2, "test", drafts=4)
>>> len(item.tests) >= 10 and len(item.pipeline.steps) == 3
True
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from fbgym.core.seeding import derive_seed
from fbgym.envs.code.composed.cases import choose
from fbgym.envs.code.composed.drafts import drafts as draw_drafts
from fbgym.envs.code.composed.inputs import random_input
from fbgym.envs.code.composed.pipeline import Pipeline, walk
from fbgym.envs.code.composed.steps import COUNTS, INT, INTS, TEXT, WORDS
from fbgym.envs.code.grader import HiddenTest
from fbgym.errors import ConfigError, FbgymError

KINDS = ("string", "list", "number", "dict")
SOURCES = {"list": (INTS, WORDS), "string": (TEXT,), "number": (INT,), "dict": (COUNTS,)}
"""Input types per kind."""
LEVELS = (1, 2, 3, 4, 5, 6)
PROBE = 24
"""Random inputs each step of a walk is tried on."""
SPLITS = {"train": 0, "test": 1}
"""The half of the skeleton hashes each split owns."""


@dataclass(frozen=True)
class Level:
    """What a level asks: steps in the pipeline, hidden tests, and how drafts misread steps."""

    steps: int
    tests: int
    misread: tuple[float, float]


LEVEL = {
    1: Level(2, 10, (0.1, 0.5)),
    2: Level(3, 12, (0.1, 0.55)),
    3: Level(4, 14, (0.1, 0.6)),
    4: Level(5, 16, (0.15, 0.65)),
    5: Level(6, 18, (0.2, 0.8)),
    6: Level(7, 20, (0.25, 0.85)),
}


@dataclass(frozen=True)
class Composed:
    """A drawn problem: its pipeline, description, hidden tests and draft programs."""

    pipeline: Pipeline
    description: str
    tests: tuple[HiddenTest, ...]
    drafts: tuple[str, ...]

    @property
    def reference(self) -> str:
        """The reference solution's source."""
        return self.pipeline.program()


def split_of(skeleton: str) -> str:
    """The split that owns ``skeleton``."""
    half = derive_seed("code-skeleton", skeleton) % 2
    return next(name for name, owned in SPLITS.items() if owned == half)


def compose(rng: random.Random, kind: str, level: int, split: str, *, drafts: int) -> Composed:
    """A problem of ``kind`` at ``level`` whose skeleton belongs to ``split``."""
    if split not in SPLITS:
        raise ConfigError(f"composed code problems have splits {sorted(SPLITS)}, got {split!r}")
    spec = LEVEL[level]
    for _ in range(1000):
        source = rng.choice(SOURCES[kind])
        probe = [random_input(rng, source, (), ()) for _ in range(PROBE)]
        pipeline = walk(rng, source, spec.steps, probe)
        if pipeline is None or split_of(pipeline.skeleton) != split:
            continue
        cases = choose(rng, pipeline, spec.tests)
        if cases is None:
            continue
        pool = draw_drafts(rng, pipeline, cases.misreadings, drafts, spec.misread)
        return Composed(pipeline, pipeline.describe(rng), cases.tests, tuple(pool))
    raise FbgymError(f"no {kind} problem at level {level} after 1000 draws")  # pragma: no cover
