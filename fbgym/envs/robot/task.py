"""RobotTask: tabletop goals, plans in the skill language replayed on a numpy scene, and grading."""

from __future__ import annotations

import dataclasses
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fbgym.core.seeding import make_random
from fbgym.core.types import Outcome, Problem, Turn
from fbgym.envs.robot.judging import assess_mission, blockers, mission_failure, mission_plan
from fbgym.envs.robot.language import (
    MAX_COMMANDS,
    MAX_MISSION_COMMANDS,
    SYNTAX,
    PlanError,
    moves,
    parse_plan,
)
from fbgym.envs.robot.missions import LEVELS, MOST_GOALS, Mission, make_mission, most_goals
from fbgym.envs.robot.missions import TASKS as MISSION_TASKS
from fbgym.envs.robot.progress import Progress, assess, failure
from fbgym.envs.robot.robots import ROBOT_EPISODES, Robot, robot_for
from fbgym.envs.robot.scenes import TASKS, Goal, make_scene
from fbgym.envs.robot.skills import Event, run_plan
from fbgym.envs.robot.world import Scene
from fbgym.errors import ConfigError

HOW = (
    f"Control the robot with commands: {SYNTAX}. Directions are in the person's frame: left and "
    "right along the table, forward is away from the person, back is toward them. Give one "
    "command or a plan of several per turn, separated by ';' or new lines."
)
_CACHE_SIZE = 512


@dataclass(frozen=True)
class RobotConfig:
    """Which scenes and goals an env poses, and how the robot errs.

    ``generation`` 0 is ``fbgym/RobotCorrection-v0``'s: one goal, one robot per dataset seed
    for every split and episode. Generation 1 (``-v1``) strings goals into missions at
    ``levels`` 1-5 and draws a robot per run of ``robot_episodes`` episodes of a split
    (see :mod:`fbgym.envs.robot.robots`), whose arm drifts from episode to episode.
    """

    tasks: tuple[str, ...] | None = None
    """Goal kinds to draw from: ``put`` (in a bowl), ``stack`` (a block on a block), ``drawer``,
    and in generation 1 ``fetch`` (out of the closed drawer into a bowl); ``None``: all."""
    ambiguity: float = 0.3
    """Chance that the instruction names the object by kind only (``the block``) when the
    scene holds several of that kind; the robot then takes the one nearest the gripper."""
    bias_rate: float = 0.7
    """Share of objects the robot perceives 2.5 cm or more off (the rest under 0.6 cm)."""
    max_bias: float = 6.0
    """Largest perception error of one object in cm (at most 6.5, so that biased reaches
    stay on the table)."""
    reach_noise: float = 0.4
    """Half-width in cm of the uniform noise on every reach (at most 0.5: the expert plan,
    which compensates known errors, must then succeed). Generation 0 called it ``noise``."""
    generation: int = 0
    levels: tuple[int, ...] = tuple(LEVELS)
    """Generation 1: mission levels to draw from (:data:`~fbgym.envs.robot.missions.LEVELS`)."""
    robot_episodes: int = ROBOT_EPISODES
    """Generation 1: consecutive episodes one robot plays (the runner's stream length)."""
    drift: float = 1.5
    """Generation 1: standard deviation (cm, per axis) of the arm's drift, an error common to
    every reach that wanders from episode to episode (at most 3)."""
    warp: float = 0.02
    """Generation 1: the largest scale and rotation error of the robot's camera, so that
    perception errors also grow away from the table's centre (at most 0.05)."""

    def __post_init__(self) -> None:
        if self.generation not in (0, 1):
            raise ConfigError(f"generation must be 0 or 1, got {self.generation!r}")
        new = self.generation >= 1
        if not new:
            defaults = {f.name: f.default for f in dataclasses.fields(self)}
            given = [
                n
                for n in ("levels", "robot_episodes", "drift", "warp")
                if getattr(self, n) != defaults[n]
            ]
            if given:
                raise ConfigError(
                    f"{', '.join(given)} need generation 1 (fbgym/RobotCorrection-v1); "
                    "generation 0 has one goal and one robot per dataset seed"
                )
        known = MISSION_TASKS if new else TASKS
        tasks = known if self.tasks is None else tuple(self.tasks)
        object.__setattr__(self, "tasks", tasks)
        unknown = [t for t in tasks if t not in known]
        if unknown or not tasks:
            raise ConfigError(f"unknown robot tasks {unknown or '(none)'}; choose from {known}")
        limits = (
            ("ambiguity", self.ambiguity, 1.0),
            ("bias_rate", self.bias_rate, 1.0),
            ("max_bias", self.max_bias, 6.5),
            ("reach_noise" if new else "noise", self.reach_noise, 0.5),
        )
        for name, value, hi in limits:
            if not (isinstance(value, (int, float)) and 0.0 <= value <= hi):
                raise ConfigError(f"{name} must be in [0, {hi}], got {value!r}")
        if self.max_bias < 2.5:
            raise ConfigError(f"max_bias must be at least 2.5 cm, got {self.max_bias!r}")
        if new:
            self._check_generation_1()

    def _check_generation_1(self) -> None:
        levels = tuple(self.levels)
        if not levels or any(level not in LEVELS for level in levels):
            raise ConfigError(
                f"levels must be a non-empty choice of {tuple(LEVELS)}, got {levels!r}"
            )
        object.__setattr__(self, "levels", levels)
        most, needed = most_goals(self.tasks), max(LEVELS[level].goals for level in levels)
        if needed > most:
            raise ConfigError(
                f"levels {levels} pose up to {needed} goals, but tasks {self.tasks} allow at most "
                f"{most:g} in a mission ({MOST_GOALS} each); add 'put' or choose lower levels"
            )
        episodes = self.robot_episodes
        if not isinstance(episodes, int) or isinstance(episodes, bool) or episodes < 1:
            raise ConfigError(f"robot_episodes must be an integer >= 1, got {episodes!r}")
        if not (isinstance(self.drift, (int, float)) and 0.0 <= self.drift <= 3.0):
            raise ConfigError(f"drift must be in [0, 3] cm, got {self.drift!r}")
        if not (isinstance(self.warp, (int, float)) and 0.0 <= self.warp <= 0.05):
            raise ConfigError(f"warp must be in [0, 0.05], got {self.warp!r}")


class RobotTask:
    """Tabletop goals for a robot arm, graded by replaying the episode's plans on the scene.

    ``grade`` is pure: the scene after earlier turns is rebuilt from the problem's initial
    scene by replaying their (valid) actions, with noise keyed by problem id, turn and
    command; replays are memoised by that key.
    """

    family = "robot"

    def __init__(self, config: RobotConfig | None = None):
        self.config = config or RobotConfig()
        self._cache: OrderedDict[tuple[Any, ...], Scene] = OrderedDict()

    def problem(self, split: str, index: int, seed: int) -> Problem:
        """Problem ``index`` of ``split``: a scene and a goal drawn from (seed, split, index)."""
        if self.config.generation >= 1:
            return self._mission_problem(split, index, seed)
        rng = make_random("robot", seed, split, index)
        kind = self.config.tasks[rng.randrange(len(self.config.tasks))]
        scene, goal = make_scene(
            rng,
            kind,
            ambiguity=self.config.ambiguity,
            seed=seed,
            bias_rate=self.config.bias_rate,
            max_bias=self.config.max_bias,
        )
        return self._pose(
            f"robot/{kind}/{split}/{seed}/{index}",
            goal.sentence(),
            scene,
            expert_plan(scene, goal),
            _public(goal),
            {"goal": goal},
            1 + int(goal.ambiguous) + int(kind == "drawer"),
        )

    def robot(self, split: str, index: int, seed: int) -> Robot:
        """Generation 1: the robot that plays problem ``index`` of ``split``, as it is then."""
        c = self.config
        return robot_for(
            seed,
            split,
            index,
            episodes=c.robot_episodes,
            offset_rate=c.bias_rate,
            max_offset=c.max_bias,
            drift=c.drift,
            warp=c.warp,
        )

    def _mission_problem(self, split: str, index: int, seed: int) -> Problem:
        """Generation 1: a mission of a level, played by the robot of ``index``'s run."""
        c = self.config
        robot = self.robot(split, index, seed)
        rng = make_random("robot-v1", seed, split, index)
        level = c.levels[rng.randrange(len(c.levels))]
        scene, mission = make_mission(rng, level, c.tasks, c.ambiguity, robot)
        public = {
            "level": level,
            "goals": [_public(g) for g in mission.goals],
            "close_drawer": mission.close_drawer,
        }
        data = {"goal": mission.goals[0], "mission": mission}
        return self._pose(
            f"robot/L{level}/{split}/{seed}/{index}",
            mission.sentence(),
            scene,
            mission_plan(scene, mission),
            public,
            data,
            level,
        )

    def _pose(
        self,
        id: str,
        sentence: str,
        scene: Scene,
        plan: list[str],
        public: dict[str, Any],
        data: dict[str, Any],
        difficulty: int,
    ) -> Problem:
        """The problem of asking for ``sentence`` on ``scene``, which ``plan`` solves."""
        return Problem(
            id=id,
            family=self.family,
            instruction=f"{sentence} {HOW}",
            observation=scene.describe(),
            answer="; ".join(plan),
            solution=tuple(plan),
            public={**public, "objects": list(scene.names), "kinds": list(scene.kinds)},
            data={"scene": scene, **data},
            difficulty=difficulty,
        )

    def reference_action(self, problem: Problem) -> str:
        """The expert plan, compensating the robot's known perception errors."""
        return str(problem.answer)

    def grade(self, problem: Problem, action: str, history: Sequence[Turn]) -> Outcome:
        """Run ``action`` on the scene left by ``history``; success iff the goals then hold."""
        goal: Goal = problem.data["goal"]
        mission: Mission | None = problem.data.get("mission")
        head: dict[str, Any]
        if mission is None:
            head = {"task": goal.kind, "object": goal.obj, "target": goal.target}
        else:
            head = {
                "level": mission.level,
                "goals": [[g.kind, g.obj, g.target] for g in mission.goals],
            }
        scene = self.scene_after(problem, history)
        corrections = sum(1 for t in history if t.outcome.graded and not t.outcome.success)
        try:
            commands = parse_plan(action, scene.names, scene.kinds, self._most)
        except PlanError as exc:
            before = assess(scene, goal) if mission is None else assess_mission(scene, mission)
            diagnosis = _diagnosis(head, before, history, corrections, None, [], scene)
            return Outcome.invalid(str(exc), **diagnosis)
        covered = blockers(scene, mission) if mission is not None else {}
        events = run_plan(scene, commands, (problem.id, len(history) + 1), self.config.reach_noise)
        self._remember(problem, [*history, action], scene)
        if mission is None:
            after, fault = assess(scene, goal), failure(scene, goal, events)
        else:
            after = assess_mission(scene, mission)
            fault = mission_failure(scene, mission, events, covered)
        diagnosis = _diagnosis(head, after, history, corrections, fault, events, scene)
        observation = (
            scene.describe()
            + "\nLast plan:\n"
            + "\n".join(
                f"  {i}. {e.command}: {e.message}" + (f" (took {e.resolved})" if e.resolved else "")
                for i, e in enumerate(events, 1)
            )
        )
        return Outcome(
            after.success,
            after.score,
            utility=after.score,
            observation=observation,
            diagnosis=diagnosis,
        )

    @property
    def _most(self) -> int:
        """The most commands one plan may hold."""
        return MAX_MISSION_COMMANDS if self.config.generation >= 1 else MAX_COMMANDS

    def scene_after(self, problem: Problem, history: Sequence[Turn | str]) -> Scene:
        """A fresh copy of the scene after the turns of ``history`` (turns or action strings)."""
        actions = [
            t if isinstance(t, str) else t.action if t.outcome.valid else None for t in history
        ]
        key = (problem.id, tuple(actions))
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached.copy()
        scene = self.scene_after(problem, history[:-1]) if history else problem.data["scene"].copy()
        last = actions[-1] if actions else None
        if last is not None:
            try:
                commands = parse_plan(last, scene.names, scene.kinds, self._most)
            except PlanError:
                commands = []
            run_plan(scene, commands, (problem.id, len(actions)), self.config.reach_noise)
        self._store(key, scene)
        return scene.copy()

    def _remember(self, problem: Problem, actions: list[Turn | str], scene: Scene) -> None:
        keyed = [
            a if isinstance(a, str) else a.action if a.outcome.valid else None for a in actions
        ]
        self._store((problem.id, tuple(keyed)), scene)

    def _store(self, key: tuple[Any, ...], scene: Scene) -> None:
        self._cache[key] = scene.copy()
        if len(self._cache) > _CACHE_SIZE:
            self._cache.popitem(last=False)


def expert_plan(scene: Scene, goal: Goal) -> list[str]:
    """The commands an expert gives, each reach corrected by the object's known bias."""
    plan = ["open drawer"] if goal.kind == "drawer" and not scene.drawer_open else []
    plan += [f"move to {goal.obj}", *_compensate(scene, goal.obj), "grasp"]
    if goal.kind == "stack":
        plan += [f"move to {goal.target}", *_compensate(scene, goal.target), "release"]
    else:
        plan.append(f"place {goal.target}")
    return plan


def _compensate(scene: Scene, name: str) -> list[str]:
    dx, dy = -scene.bias[scene.index[name]]
    return moves(float(dx), float(dy))


def _public(goal: Goal) -> dict[str, str]:
    """A goal as the agent may read it: its kind, the object as named, and the target."""
    return {
        "task": goal.kind,
        "object": goal.ref.removeprefix("the ").replace(" ", "_"),
        "target": goal.target,
    }


def _diagnosis(
    head: dict[str, Any],
    progress: Progress,
    history: Sequence[Turn],
    corrections: int,
    fault: dict[str, Any] | None,
    events: Sequence[Event],
    scene: Scene,
) -> dict[str, Any]:
    """The outcome's diagnosis: ``head`` (the goals), progress, corrections, what failed."""
    responded = None
    previous = history[-1].outcome if history else None
    if previous is not None and not previous.success and "stage" in previous.diagnosis:
        prev_stage, prev_distance = previous.diagnosis["stage"], previous.diagnosis["distance"]
        responded = (
            progress.success
            or progress.stage > prev_stage
            or (progress.stage == prev_stage and progress.distance < prev_distance - 0.25)
        )
    return {
        **head,
        "subgoal": progress.subgoal,
        "stage": progress.stage,
        "stages": progress.stages,
        "distance": progress.distance,
        "corrections": corrections,
        "responded": responded,
        "failure": fault,
        "held": scene.held,
        "log": [f"{e.command}: {e.message}" for e in events],
    }
