"""Hidden tests of a composed problem: inputs that tell the reference from every misreading.

The reference and each single-step misreading run here (see :mod:`.run`). A misreading that
no input tells apart is not a bug and is dropped; a step whose omission no input notices
does nothing and sinks the pipeline. Tests are the edge cases, then inputs chosen greedily
until every misreading fails one of them, then inputs whose output is the least represented
so far, up to the level's number; no output may be expected by most of the tests.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fbgym.envs.code.composed.inputs import edge_inputs, random_input
from fbgym.envs.code.composed.pipeline import Pipeline
from fbgym.envs.code.composed.run import behaviour, canonical, function
from fbgym.envs.code.composed.steps import SKIP
from fbgym.envs.code.grader import HiddenTest

POOL = 40
"""Random inputs drawn per problem to choose tests from."""
MAX_SHARE = 0.6
"""Largest share of the tests that may expect one and the same output."""
MAX_REPR = 120
"""Longest repr of an input or output in a test, so a failing call reads in one line."""


@dataclass(frozen=True)
class Cases:
    """The chosen tests (the two shown examples first) and the misreadings they catch."""

    tests: tuple[HiddenTest, ...]
    misreadings: tuple[tuple[str, ...], ...]
    """Per step: the misreadings that fail at least one test (the bug sites of drafts)."""


def choose(rng: random.Random, pipeline: Pipeline, count: int) -> Cases | None:
    """At least ``count`` tests for ``pipeline``, or ``None`` if the pipeline is degenerate."""
    bounds = tuple(sorted({b for s in pipeline.steps for b in s.bounds}))
    chars = tuple(dict.fromkeys(ch for s in pipeline.steps for ch in s.chars))
    edges = edge_inputs(pipeline.source, bounds, chars)
    randoms = [random_input(rng, pipeline.source, bounds, chars) for _ in range(POOL)]
    pool: dict[str, tuple[Any, str]] = {}
    for arg, note in [*edges, *((r, "") for r in randoms)]:
        if len(repr(arg)) <= MAX_REPR:
            pool.setdefault(repr(arg), (arg, note))
    inputs = list(pool.values())
    reference = function(pipeline.program(), pipeline.entry)
    values = []
    for arg, _ in inputs:
        try:
            values.append(reference(arg))
        except Exception:  # the reference must be total on its inputs; redraw the pipeline
            return None
    if any(len(repr(v)) > MAX_REPR for v in values):
        return None
    outputs = [("value", canonical(v)) for v in values]
    if len(set(outputs)) < 2:
        return None
    kills: dict[tuple[int, str], set[int]] = {}
    for index, step in enumerate(pipeline.steps):
        for wrong in step.misreadings:
            codes = [s.code for s in pipeline.steps]
            codes[index] = wrong
            fn = function(pipeline.program(codes), pipeline.entry)
            killed = {j for j, (arg, _) in enumerate(inputs) if behaviour(fn, arg) != outputs[j]}
            if killed:
                kills[(index, wrong)] = killed
            elif wrong == SKIP:
                return None
    if not kills:
        return None
    chosen = _select(rng, inputs, outputs, kills, count)
    if Counter(outputs[j] for j in chosen).most_common(1)[0][1] > MAX_SHARE * len(chosen):
        return None  # one answer for most tests: a constant would nearly pass
    tests = tuple(HiddenTest((inputs[j][0],), values[j], inputs[j][1]) for j in chosen)
    caught = tuple(
        tuple(w for w in step.misreadings if (index, w) in kills)
        for index, step in enumerate(pipeline.steps)
    )
    return Cases(tests, caught)


def _select(
    rng: random.Random,
    inputs: Sequence[tuple[Any, str]],
    outputs: Sequence[tuple[str, Any]],
    kills: dict[tuple[int, str], set[int]],
    count: int,
) -> list[int]:
    """Indices of the tests: two plain examples, then the rest in a shuffled order."""
    chosen = [j for j, (_, note) in enumerate(inputs) if note]
    alive = {key for key, killed in kills.items() if not killed & set(chosen)}
    plain = [j for j, (_, note) in enumerate(inputs) if not note]
    while alive:
        best = max(plain, key=lambda j: sum(j in kills[k] for k in alive))
        chosen.append(best)
        alive = {k for k in alive if best not in kills[k]}
    rest = [j for j in plain if j not in chosen]
    while len(chosen) < count and rest:  # the output least represented so far, first
        tally = Counter(outputs[j] for j in chosen)
        pick = min(rest, key=lambda j: tally[outputs[j]])
        chosen.append(pick)
        rest.remove(pick)
    plain_chosen = [j for j in chosen if not inputs[j][1]]
    plain_chosen.sort(key=lambda j: sum(j in k for k in kills.values()))
    examples = plain_chosen[:1]
    examples += [j for j in plain_chosen if outputs[j] != outputs[examples[0]]][:1]
    examples += [j for j in plain_chosen if j not in examples][: 2 - len(examples)]
    others = [j for j in chosen if j not in examples]
    rng.shuffle(others)
    return examples + others
