"""RobotEnv: ``fbgym/RobotCorrection-v0`` and ``-v1``, a tabletop robot corrected in words."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from fbgym.envs.base import FamilyEnv
from fbgym.envs.robot.critic import PersonConfig, RobotCritic, RobotUser
from fbgym.envs.robot.missions import LEVELS
from fbgym.envs.robot.render import plot_scene, rgb_array
from fbgym.envs.robot.robots import ROBOT_EPISODES
from fbgym.envs.robot.task import RobotConfig, RobotTask
from fbgym.envs.robot.world import Scene
from fbgym.errors import ConfigError

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


class RobotEnv(FamilyEnv):
    """A robot arm over a table, told what to do in a skill language and corrected by a person.

    The table holds coloured blocks and balls, bowls and a drawer.

    **Mission** — reach the goals in the instruction: put an object in a bowl, stack a block
    on another, put an object in the drawer, and (``-v1``) take one out of the closed drawer
    into a bowl, take off what sits on a block first, and close the drawer at the end. ``-v0``
    poses one goal; ``-v1`` strings one to ten goals at ``levels`` 1-5 on ever more
    cluttered tables. The robot perceives objects a few cm off, so reaches miss until
    corrected: in ``-v0`` by a fixed error per object for every episode; in ``-v1`` by the
    errors of a robot drawn for each run of ``robot_episodes`` consecutive seeds (the
    runner's stream): a grasp offset per object, an arm that drifts from episode to episode
    (``drift``) and a camera whose error grows away from the centre (``warp``). An ambiguous
    instruction ("the block") leaves the robot to pick the nearest one.

    **Actions** — one command or a plan of several (``;`` or new lines): ``pick <object>``,
    ``place <target>``, ``move to <object>``, ``move left|right|forward|back <n>cm``,
    ``grasp``, ``release``, ``open drawer``, ``close drawer``. A plan stops at the first
    skill that fails; a plan that does not parse is a failed attempt that executes nothing.
    Each reach is off by up to ``reach_noise`` cm (``-v0`` also accepts ``noise``).

    **Observation** — the scene as the robot sees it (positions in cm) and what each command
    of the last plan did.

    **Feedback** — ``verbal``: the person's correction of the first mistake: where the
    object really is ("a bit to the left", in the person's frame; "more"; "no, that's the
    blue ball: the red block is ..."), the gripper ("put down the red ball first"), the plan
    ("no, the red one", "open the drawer first", "first take the blue ball off the red
    block", "now close the drawer"); ``unary``: "Let's try again."; ``ranked``: attempts
    ordered by progress, and "closer than the last attempt"; ``scalar``: the progress score.
    ``vague``, ``wrong`` and ``missing`` make the person unreliable.

    **Rewards and termination** — the reward is the progress toward the goals in [0, 1];
    terminated on success; truncated after ``max_turns`` plans.

    **Info** — ``info["outcome"].diagnosis``: ``subgoal``, ``distance`` (cm), ``corrections``
    (failed attempts before this one), ``responded`` (whether the attempt after a correction
    got closer), ``failure``. ``reset`` gives ``info["problem"]``: ``-v0`` the task, object
    reference and target; ``-v1`` the level, the ``goals`` (each a task, object reference
    and target) and ``close_drawer``; both the objects and their kinds.

    **Registered configurations** — ``fbgym/RobotCorrection-v0`` (``generation=0``) and
    ``fbgym/RobotCorrection-v1`` (``generation=1``), with ``feedback`` in verbal, unary,
    ranked, scalar; ``render_mode`` ``ansi``, ``human`` or ``rgb_array``.
    """

    metadata = {"render_modes": ["ansi", "human", "rgb_array"], "render_fps": 4}

    def __init__(
        self,
        feedback: str = "verbal",
        *,
        tasks: tuple[str, ...] | None = None,
        ambiguity: float = 0.3,
        bias_rate: float = 0.7,
        max_bias: float = 6.0,
        reach_noise: float | None = None,
        noise: float | None = None,
        vague: float = 0.0,
        wrong: float = 0.0,
        missing: float = 0.0,
        max_turns: int = 8,
        split: str = "test",
        seed: int = 0,
        pairwise: bool = False,
        user: str | Mapping[str, Any] | None = None,
        privileged: bool = False,
        render_mode: str | None = None,
        generation: int = 0,
        levels: tuple[int, ...] = tuple(LEVELS),
        robot_episodes: int = ROBOT_EPISODES,
        drift: float = 1.5,
        warp: float = 0.02,
    ):
        if noise is not None:  # generation 0's name for the reach noise
            if generation >= 1:
                raise ConfigError(
                    "fbgym/RobotCorrection-v1 calls the robot's reach noise 'reach_noise'; "
                    "'noise' was its v0 name (user={'noise': ...} sets the person's wrong hints)"
                )
            if reach_noise is not None:
                raise ConfigError("give the reach noise once, as 'reach_noise' (v0 also: 'noise')")
            reach_noise = noise
        config = RobotConfig(
            None if tasks is None else tuple(tasks),
            ambiguity,
            bias_rate,
            max_bias,
            **({} if reach_noise is None else {"reach_noise": reach_noise}),
            generation=generation,
            levels=tuple(levels),
            robot_episodes=robot_episodes,
            drift=drift,
            warp=warp,
        )
        person = PersonConfig(vague, wrong, missing)
        self.robot_task = RobotTask(config)
        super().__init__(
            self.robot_task,
            RobotUser(RobotCritic(person), feedback, pairwise=pairwise),
            max_turns=max_turns,
            split=split,
            dataset_seed=seed,
            user=user,
            privileged=privileged,
            render_mode=render_mode,
        )

    @property
    def scene(self) -> Scene:
        """A copy of the table as it is now (after ``reset`` and the turns so far)."""
        return self.robot_task.scene_after(self.problem, self.history)

    def render(self) -> str | np.ndarray | None:  # type: ignore[override]
        """The table from above (``rgb_array``), or the transcript (``ansi``, ``human``)."""
        if self.render_mode == "rgb_array":
            return rgb_array(self.scene)
        return super().render()

    def plot(self, ax: Axes | None = None) -> Figure:
        """A labelled matplotlib top-down picture of the table now."""
        return plot_scene(self.scene, ax, title=self.problem.instruction.split(".")[0] + ".")
