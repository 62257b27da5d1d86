"""RobotTask: tabletop goals, plans in the skill language replayed on a numpy scene, and grading."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fbgym.core.seeding import make_random
from fbgym.core.types import Outcome, Problem, Turn
from fbgym.envs.robot.language import SYNTAX, PlanError, parse_plan
from fbgym.envs.robot.progress import Progress, assess, failure
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
    """Which scenes and goals an env poses, and how the robot errs."""

    tasks: tuple[str, ...] = TASKS
    """Goal kinds to draw from: ``put`` (in a bowl), ``stack`` (a block on a block), ``drawer``."""
    ambiguity: float = 0.3
    """Chance that the instruction names the object by kind only (``the block``) when the
    scene holds several of that kind; the robot then takes the one nearest the gripper."""
    bias_rate: float = 0.7
    """Share of objects the robot perceives 2.5 cm or more off (the rest under 0.6 cm)."""
    max_bias: float = 6.0
    """Largest perception error in cm (at most 6.5, so that biased reaches stay on the table)."""
    noise: float = 0.4
    """Half-width in cm of the uniform noise on every reach (at most 0.5: the expert plan, which
    compensates known errors, must then succeed)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "tasks", tuple(self.tasks))
        unknown = [t for t in self.tasks if t not in TASKS]
        if unknown or not self.tasks:
            raise ConfigError(f"unknown robot tasks {unknown or '(none)'}; choose from {TASKS}")
        limits = (
            ("ambiguity", self.ambiguity, 1.0),
            ("bias_rate", self.bias_rate, 1.0),
            ("max_bias", self.max_bias, 6.5),
            ("noise", self.noise, 0.5),
        )
        for name, value, hi in limits:
            if not 0.0 <= value <= hi:
                raise ConfigError(f"{name} must be in [0, {hi}], got {value!r}")
        if self.max_bias < 2.5:
            raise ConfigError(f"max_bias must be at least 2.5 cm, got {self.max_bias!r}")


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
        plan = expert_plan(scene, goal)
        return Problem(
            id=f"robot/{kind}/{split}/{seed}/{index}",
            family=self.family,
            instruction=f"{goal.sentence()} {HOW}",
            observation=scene.describe(),
            answer="; ".join(plan),
            solution=tuple(plan),
            public={
                "task": kind,
                "object": goal.ref.removeprefix("the ").replace(" ", "_"),
                "target": goal.target,
                "objects": list(scene.names),
                "kinds": list(scene.kinds),
            },
            data={"scene": scene, "goal": goal},
            difficulty=1 + int(goal.ambiguous) + int(kind == "drawer"),
        )

    def reference_action(self, problem: Problem) -> str:
        """The expert plan, compensating the robot's known perception errors."""
        return str(problem.answer)

    def grade(self, problem: Problem, action: str, history: Sequence[Turn]) -> Outcome:
        """Run ``action`` on the scene left by ``history``; success iff the goal then holds."""
        goal: Goal = problem.data["goal"]
        scene = self.scene_after(problem, history)
        before = assess(scene, goal)
        corrections = sum(1 for t in history if t.outcome.graded and not t.outcome.success)
        try:
            commands = parse_plan(action, scene.names, scene.kinds)
        except PlanError as exc:
            diagnosis = _diagnosis(goal, before, history, corrections, None, [], scene)
            return Outcome.invalid(str(exc), **diagnosis)
        events = run_plan(scene, commands, (problem.id, len(history) + 1), self.config.noise)
        self._remember(problem, [*history, action], scene)
        after = assess(scene, goal)
        fault = failure(scene, goal, events)
        diagnosis = _diagnosis(goal, after, history, corrections, fault, events, scene)
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
                commands = parse_plan(last, scene.names, scene.kinds)
            except PlanError:
                commands = []
            run_plan(scene, commands, (problem.id, len(actions)), self.config.noise)
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
    moves = []
    if abs(dx) >= 0.05:
        moves.append(f"move {'right' if dx > 0 else 'left'} {abs(dx):.1f}cm")
    if abs(dy) >= 0.05:
        moves.append(f"move {'forward' if dy > 0 else 'back'} {abs(dy):.1f}cm")
    return moves


def _diagnosis(
    goal: Goal,
    progress: Progress,
    history: Sequence[Turn],
    corrections: int,
    fault: dict[str, Any] | None,
    events: Sequence[Event],
    scene: Scene,
) -> dict[str, Any]:
    """The outcome's diagnosis: progress, corrections so far, responsiveness, what failed."""
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
        "task": goal.kind,
        "object": goal.obj,
        "target": goal.target,
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
