"""FamilyEnv: the base of every family's env, taking the arguments all families share."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fbgym.core.env import FeedbackEnv
from fbgym.core.protocols import Simulator, Task
from fbgym.simulators.fidelity import apply_user


class FamilyEnv(FeedbackEnv):
    """A :class:`~fbgym.core.env.FeedbackEnv` whose simulated user can be changed by ``user``.

    ``user`` sets the simulated user's fidelity (noise, bias, delay, informativeness,
    patience, persona) by knobs (``{"noise": 0.2}``) or a named preset; see
    :mod:`fbgym.simulators.fidelity`. A family's env takes its own settings, builds its task
    and simulated user from them, and passes the shared arguments on.
    """

    def __init__(
        self,
        task: Task,
        simulator: Simulator,
        *,
        max_turns: int = 5,
        split: str = "test",
        dataset_seed: int = 0,
        user: str | Mapping[str, Any] | None = None,
        privileged: bool = False,
        render_mode: str | None = None,
    ):
        if user is not None:
            simulator = apply_user(simulator, user)
        super().__init__(
            task,
            simulator,
            max_turns=max_turns,
            split=split,
            dataset_seed=dataset_seed,
            privileged=privileged,
            render_mode=render_mode,
        )
