"""MathEnv: ``fbgym/Math-v0`` and ``-v1``, math problems answered over turns with feedback."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fbgym.envs.base import FamilyEnv
from fbgym.envs.math.critic import MathCritic
from fbgym.envs.math.splits import check_split
from fbgym.envs.math.task import MathConfig, MathTask
from fbgym.simulators.base import SimulatedUser


class MathEnv(FamilyEnv):
    r"""Math problems answered over several turns, with feedback after each answer.

    **Description** — arithmetic, GSM8K-style word problems, fractions and percentages,
    linear equations, or a local GSM8K/MATH file. ``generation=1`` (``fbgym/Math-v1``) poses
    problems of 4 to 46 operations at levels 1–8, their worked solutions set in longer lines
    as levels rise, and splits train and test by a hash of each problem's arithmetic (splits
    ``train`` and ``test`` only).

    **Mission** — state the answer; working may precede it, the grader reads one final
    answer (``\boxed{}``, ``#### N``, "the answer is N", or the last line).

    **Feedback** — ``verbal``: too high or low, near or far, the step that went wrong and
    what to re-check; ``unary``: "Let's try again."; ``ranked``: attempts ordered by
    closeness to the answer; ``scalar``: 1 or 0.

    **Registered configurations** — ``fbgym/Math-v0`` (generation 0, levels 1–3 by default)
    and ``fbgym/Math-v1`` (generation 1, levels 1–8 by default), with ``feedback`` in verbal,
    unary, ranked, scalar; ``kinds``, ``levels``, ``data_path``/``data_format`` choose the
    problems.

    **Info** — ``reset`` gives ``info["problem"]``: kind and level; with ``privileged=True``,
    also the step program without values (``steps``), meant for programmatic baselines.
    """

    def __init__(
        self,
        feedback: str = "verbal",
        *,
        kinds: tuple[str, ...] = MathConfig.kinds,
        levels: tuple[int, ...] | None = None,
        data_path: str | None = None,
        data_format: str = "gsm8k",
        max_turns: int = 5,
        split: str = "test",
        seed: int = 0,
        generation: int = 0,
        pairwise: bool = False,
        user: str | Mapping[str, Any] | None = None,
        privileged: bool = False,
        render_mode: str | None = None,
    ):
        config = MathConfig(tuple(kinds), levels, data_path, data_format, generation)
        if generation > 0 and data_path is None:
            check_split(split)
        super().__init__(
            MathTask(config),
            SimulatedUser(MathCritic(), feedback, pairwise=pairwise),
            max_turns=max_turns,
            split=split,
            dataset_seed=seed,
            user=user,
            privileged=privileged,
            render_mode=render_mode,
        )
