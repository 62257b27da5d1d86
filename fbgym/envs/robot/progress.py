"""Success checks, the current subgoal and its distance, and what went wrong in a turn."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from fbgym.envs.robot.scenes import Goal
from fbgym.envs.robot.skills import Event
from fbgym.envs.robot.world import Scene, norm

_CLOSE = 4.0
"""Distance (cm) at which closeness to a subgoal counts half."""
DRAWER_KINDS = ("drawer", "fetch")
"""Goal kinds that need the drawer open."""
_NEAR = 12.0
"""A release this close (cm) to its target gets a directional correction, not 'wrong place'."""


@dataclass(frozen=True)
class Progress:
    """How far the scene is along the expert plan."""

    success: bool
    subgoal: str
    """``open drawer``, ``grasp``, ``place`` or ``done``."""
    stage: int
    """Subgoals of the expert plan already reached."""
    stages: int
    distance: float
    """How far (cm) the gripper or the held object is from the current subgoal."""

    @property
    def score(self) -> float:
        """Progress in [0, 1]: subgoals reached plus up to half a stage for closeness."""
        if self.success:
            return 1.0
        return (self.stage + 0.5 / (1.0 + self.distance / _CLOSE)) / self.stages


def satisfied(scene: Scene, goal: Goal) -> bool:
    """Whether the goal holds: the object rests in or on its target."""
    return scene.held != goal.obj and scene.support[scene.index[goal.obj]] == goal.target


def assess(scene: Scene, goal: Goal) -> Progress:
    """The scene's progress toward ``goal``."""
    stages = 3 if goal.kind in DRAWER_KINDS else 2
    first = stages - 2  # index of the grasp subgoal
    if satisfied(scene, goal):
        return Progress(True, "done", stages, stages, 0.0)
    if goal.kind in DRAWER_KINDS and not scene.drawer_open:
        return Progress(False, "open drawer", 0, stages, separation(scene.gripper, scene.handle()))
    if scene.held == goal.obj:
        distance = separation(scene.xy(goal.obj), scene.xy(goal.target))
        return Progress(False, "place", first + 1, stages, distance)
    return Progress(False, "grasp", first, stages, separation(scene.gripper, scene.xy(goal.obj)))


def separation(a: np.ndarray, b: np.ndarray) -> float:
    """The distance (cm, to 3 decimals) between two points of the table."""
    return round(norm(np.asarray(a) - np.asarray(b)), 3)


def failure(scene: Scene, goal: Goal, events: Sequence[Event]) -> dict[str, Any] | None:
    """What went wrong in a turn, for the person to correct: ``None`` on success.

    ``kind`` is ``wrong_object``, ``clear`` (something lies on the target block), ``offset``
    (with ``object`` and the true ``offset`` from
    where the gripper acted to where it should have), ``drawer_closed``, ``order``,
    ``hands_full``, ``wrong_target`` or ``next`` (nothing failed; ``step`` says what is next).
    """
    if satisfied(scene, goal):
        return None
    aimed: str | None = None
    for event in events:
        if event.verb in ("move_to", "pick"):
            aimed = event.obj
        if event.message.startswith("grasped") and event.obj != goal.obj:
            return {"kind": "wrong_object", "object": event.obj, "want": goal.obj}
        if event.kind == "miss":
            meant = aimed if aimed is not None else nearest_pickable(scene, event.at)
            if meant is not None and meant != goal.obj and scene.kind(meant) != "bowl":
                return {"kind": "wrong_object", "object": meant, "want": goal.obj}
    if scene.held is not None and scene.held != goal.obj:
        return {"kind": "wrong_object", "object": scene.held, "want": goal.obj}
    if goal.kind == "stack" and goal.target in scene.support:
        cover = scene.top_of(goal.target)  # the top of the stack comes off first
        if cover == goal.obj:
            cover = scene.names[scene.support.index(goal.target)]
        if cover != goal.obj:
            return {"kind": "clear", "object": cover}
    last = events[-1] if events else None
    if last is not None and not last.ok:
        return skill_failure(scene, goal, last)
    released = [e for e in events if e.obj == goal.obj and e.message.startswith("released")]
    if released and released[-1].at is not None:
        return misplaced(scene, goal, np.array(released[-1].at))
    return {"kind": "next", "step": assess(scene, goal).subgoal}


def skill_failure(scene: Scene, goal: Goal, event: Event) -> dict[str, Any]:
    """The fault of ``goal`` when the skill of ``event`` failed (see :func:`failure`)."""
    at = np.array(event.at) if event.at is not None else scene.gripper
    if event.kind == "miss":
        offset = scene.xy(goal.obj) - at
        return {"kind": "offset", "object": goal.obj, "offset": as_pair(offset), "skill": "grasp"}
    if event.kind in ("fell_off", "rolled_off", "rim", "off_target"):
        return misplaced(scene, goal, at)
    if event.kind == "drawer_closed":
        return {"kind": "drawer_closed"}
    if event.kind == "hands_full":
        if event.command.endswith("drawer") and scene.held == goal.obj:
            return {"kind": "order"}
        return {"kind": "hands_full", "object": scene.held}
    return {"kind": "next", "step": assess(scene, goal).subgoal}


def misplaced(scene: Scene, goal: Goal, at: np.ndarray) -> dict[str, Any]:
    """The goal object was let go at ``at``, not on its target: near it, say where; else, what."""
    if goal.target != "drawer" and separation(at, scene.xy(goal.target)) <= _NEAR:
        offset = scene.xy(goal.target) - at
        return {
            "kind": "offset",
            "object": goal.target,
            "offset": as_pair(offset),
            "skill": "place",
        }
    return {"kind": "wrong_target", "where": scene.location(goal.obj)}


def nearest_pickable(scene: Scene, at: tuple[float, float] | None) -> str | None:
    """The graspable object nearest ``at``, if any."""
    if at is None:
        return None
    best = None
    for i, name in enumerate(scene.names):
        if scene.kinds[i] == "bowl" or not scene.reachable(name):
            continue
        d = norm(scene.pos[i, :2] - np.array(at))
        if best is None or d < best[0]:
            best = (d, name)
    return None if best is None else best[1]


def as_pair(v: np.ndarray) -> list[float]:
    """A 2-vector as a JSON-ready pair, to 3 decimals."""
    return [round(float(v[0]), 3), round(float(v[1]), 3)]
