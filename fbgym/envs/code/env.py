"""CodeEnv: ``fbgym/Code-v0``, Python functions written over turns with execution feedback."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fbgym.core.env import FeedbackEnv
from fbgym.envs.code.critic import CodeCritic
from fbgym.envs.code.task import CodeConfig, CodeTask
from fbgym.simulators.base import SimulatedUser


class CodeEnv(FeedbackEnv):
    """Write a Python function that passes hidden tests.

    Generated string, list, number and dict problems at three levels, or a local
    HumanEval/MBPP-format file.

    **Mission** — answer with the function's complete definition (a ```python block is
    fine; for HumanEval a body that completes the prompt is accepted too).

    **Grading** — the tests run in :mod:`fbgym.sandbox`: a fresh jailed process per attempt
    (no network, private /tmp, unprivileged, rlimits, a wall-clock limit that kills every
    process it started); return values come back as plain data and are compared here, so
    the verdict is never the untrusted code's. Score: the fraction of tests passed.

    **Feedback** — ``verbal``: tests passed, the error (type, message, line), then — as
    ``informativeness`` rises from 1 to 4 — the failing input, the expected and actual
    value, and a hint; ``unary``: "Let's try again."; ``ranked``: attempts ordered by pass
    fraction, ties broken by severity (wrong value < exception < timeout < crash);
    ``scalar``: the pass fraction.

    **Registered configurations** — ``fbgym/Code-v0``; ``kinds``, ``levels``,
    ``data_path``/``data_format`` choose the problems.

    **Info** — ``reset`` gives ``info["problem"]``: kind, entry point, number of tests, and
    ``candidates``: the reference among injected-bug mutants — privileged structure for
    programmatic baselines. ``info["outcome"].diagnosis`` has the first failing test and
    ``isolation``, the sandbox's isolation level.
    """

    def __init__(
        self,
        feedback: str = "verbal",
        *,
        kinds: tuple[str, ...] = CodeConfig.kinds,
        levels: tuple[int, ...] = CodeConfig.levels,
        data_path: str | None = None,
        data_format: str = "humaneval",
        informativeness: int = 3,
        candidates: int = 6,
        wall_s: float = 2.0,
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
            tuple(kinds), tuple(levels), data_path, data_format, candidates, wall_s, strict
        )
        super().__init__(
            CodeTask(config),
            SimulatedUser(CodeCritic(informativeness), feedback, pairwise=pairwise),
            max_turns=max_turns,
            split=split,
            dataset_seed=seed,
            user=user,
            privileged=privileged,
            render_mode=render_mode,
        )
