"""Draft programs for a composed problem: the candidates a careless reader of its text writes.

Each step has a chance of being misread (drawn per step from the level's range, so some
steps are easy to get right and some are not); a misread step takes one of its caught
misreadings, the most plausible one more often. A draft is right only when every step is,
so the longer the specification, the rarer a right draft — and a pool may hold none.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from fbgym.envs.code.composed.pipeline import Pipeline

TRIES = 12
"""Draws per wanted draft before a pool settles for fewer distinct drafts."""


def drafts(
    rng: random.Random,
    pipeline: Pipeline,
    misreadings: Sequence[Sequence[str]],
    count: int,
    misread: tuple[float, float],
) -> list[str]:
    """Up to ``count`` distinct drafts; step misreading chances are uniform in ``misread``."""
    chance = [rng.uniform(*misread) if wrong else 0.0 for wrong in misreadings]
    found: list[str] = []
    for _ in range(TRIES * count):
        codes = []
        for step, wrong, p in zip(pipeline.steps, misreadings, chance):
            if rng.random() < p:
                weights = [2.0] + [1.0] * (len(wrong) - 1)
                codes.append(rng.choices(list(wrong), weights)[0])
            else:
                codes.append(step.code)
        program = pipeline.program(codes)
        if program not in found:
            found.append(program)
        if len(found) >= count:
            break
    rng.shuffle(found)
    return found
