"""CodeEnv: ``fbgym/Code-v0`` and ``-v1``, Python functions written against execution feedback."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fbgym.envs.base import FamilyEnv
from fbgym.envs.code.critic import CodeCritic
from fbgym.envs.code.task import CodeConfig, CodeTask
from fbgym.simulators.base import SimulatedUser

DEFAULT_INFORMATIVENESS = {0: 3, 1: 2}
"""The verbal critic's level by generation: from generation 1 on, the expected value of a
hidden test is not said unless asked for (``informativeness=3``, or the ``ground_truth`` and
``edit`` rungs of ``user={"informativeness": ...}``)."""


class CodeEnv(FamilyEnv):
    """Write a Python function that passes hidden tests.

    Generated string, list, number and dict problems, or a local HumanEval/MBPP-format file.
    Generation 0 (``Code-v0``): a dozen templates at three levels. Generation 1
    (``Code-v1``): pipelines of two to seven steps composed from typed primitives (filters,
    maps, folds, string and dictionary operations, arithmetic, conditionals), described in
    numbered sentences, with 10 to 20 hidden tests that catch every misreading of a step.

    **Mission** — answer with the function's complete definition (a ```python block is
    fine; for HumanEval a body that completes the prompt is accepted too).

    **Grading** — the tests run in :mod:`fbgym.sandbox`: a fresh jailed process per attempt
    (no network, private /tmp, unprivileged, rlimits, a wall-clock limit that kills every
    process it started); return values come back as plain data and are compared here, so
    the verdict is never the untrusted code's. Score: the fraction of tests passed.

    **Feedback** — ``verbal``: tests passed, the error (type, message, line), then — as
    ``informativeness`` rises from 1 to 4 — the failing input, the expected and actual
    value, and a hint (default: 3 in generation 0; 2, the failing input without its
    expected value, in generation 1); ``unary``: "Let's try again."; ``ranked``: attempts
    ordered by pass fraction, ties broken by severity (wrong value < exception < timeout <
    crash); ``scalar``: the pass fraction.

    **Registered configurations** — ``fbgym/Code-v0`` (generation 0) and ``fbgym/Code-v1``
    (generation 1); ``kinds``, ``levels``, ``data_path``/``data_format`` choose the problems.

    **Info** — ``reset`` gives ``info["problem"]``: kind, level, signature, entry point and
    number of tests; with ``privileged=True`` also ``candidates``: in generation 0 the
    reference among injected-bug mutants, in generation 1 drafts that misread steps of the
    description (a pool may hold no right program) — structure for programmatic baselines.
    """

    def __init__(
        self,
        feedback: str = "verbal",
        *,
        kinds: tuple[str, ...] = CodeConfig.kinds,
        levels: tuple[int, ...] | None = None,
        data_path: str | None = None,
        data_format: str = "humaneval",
        generation: int = 0,
        informativeness: int | None = None,
        candidates: int = 6,
        wall_s: float = CodeConfig.wall_s,
        strict: bool = False,
        max_turns: int = 5,
        split: str = "test",
        seed: int = 0,
        pairwise: bool = False,
        user: str | Mapping[str, Any] | None = None,
        privileged: bool = False,
        render_mode: str | None = None,
    ):
        config = CodeConfig(
            tuple(kinds),
            None if levels is None else tuple(levels),
            data_path,
            data_format,
            candidates,
            wall_s,
            strict,
            generation,
        )
        if informativeness is None:
            informativeness = DEFAULT_INFORMATIVENESS[generation]
        critic = CodeCritic(informativeness, generation=generation)
        super().__init__(
            CodeTask(config),
            SimulatedUser(critic, feedback, pairwise=pairwise),
            max_turns=max_turns,
            split=split,
            dataset_seed=seed,
            user=user,
            privileged=privileged,
            render_mode=render_mode,
        )
