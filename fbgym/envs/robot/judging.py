"""Generation 1 judging: a mission's progress, the first mistake of a turn, the expert's plan.

A mission's goals may be done in any order; progress counts the subgoals reached over all
goals (and the closing of the drawer), and a fault names the goal (``goal``: its index) it
is about. Objects sitting on a goal's block (``covers``) have to come off first, and may go
anywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from fbgym.envs.robot.language import moves
from fbgym.envs.robot.missions import Mission
from fbgym.envs.robot.progress import (
    DRAWER_KINDS,
    Progress,
    as_pair,
    assess,
    misplaced,
    nearest_pickable,
    satisfied,
    separation,
    skill_failure,
)
from fbgym.envs.robot.scenes import Goal
from fbgym.envs.robot.skills import Event
from fbgym.envs.robot.world import Scene, clamp_to_table


def assess_mission(scene: Scene, mission: Mission) -> Progress:
    """The scene's progress toward every goal of ``mission``.

    The current subgoal (and its distance) is that of the goal whose object the robot holds,
    else of the first goal not yet reached, else closing the drawer.
    """
    stages = sum(3 if g.kind in DRAWER_KINDS else 2 for g in mission.goals)
    total = stages + int(mission.close_drawer)
    progress = [assess(scene, g) for g in mission.goals]
    reached = sum(p.stage for p in progress)
    pending = [(g, p) for g, p in zip(mission.goals, progress) if not p.success]
    if not pending:
        if mission.close_drawer and scene.drawer_open:
            return Progress(
                False, "close drawer", reached, total, separation(scene.gripper, scene.handle())
            )
        return Progress(True, "done", total, total, 0.0)
    current = next((p for g, p in pending if scene.held == g.obj), pending[0][1])
    return Progress(False, current.subgoal, reached, total, current.distance)


def covers(scene: Scene, goal: Goal) -> list[str]:
    """What sits on ``goal``'s object or target block, topmost first."""
    above = []
    for under in (goal.obj, goal.target):
        if under in scene.index and scene.kind(under) == "block":
            stack = [under]
            while stack[-1] in scene.support:
                stack.append(scene.names[scene.support.index(stack[-1])])
            above += [n for n in stack[:0:-1] if n != goal.obj]
    return above


def blockers(scene: Scene, mission: Mission) -> dict[str, int]:
    """Every cover of a goal not yet reached, and the index of that goal."""
    return {
        c: i
        for i, g in enumerate(mission.goals)
        if not satisfied(scene, g)
        for c in covers(scene, g)
    }


def mission_failure(
    scene: Scene, mission: Mission, events: Sequence[Event], before: dict[str, int]
) -> dict[str, Any] | None:
    """What went wrong in a turn, for the person to correct; ``None`` on success.

    ``before`` is :func:`blockers` at the start of the turn. The kinds are those of
    :func:`fbgym.envs.robot.progress.failure`, each with the ``goal`` it is about; an
    ``offset`` may add ``grabbed`` (the neighbour the gripper closed on instead), a ``clear``
    adds ``under`` (what the cover sits on), ``set_aside`` is a cover or stray object still
    held, and ``next`` may say ``close drawer``.
    """
    if assess_mission(scene, mission).success:
        return None
    goals = mission.goals
    pending = [i for i, g in enumerate(goals) if not satisfied(scene, g)]
    wanted = {g.obj: i for i, g in enumerate(goals)}  # reached this turn or not
    focus = pending[0] if pending else len(goals) - 1  # for faults about no goal in particular
    blocking = {**before, **blockers(scene, mission)}
    mine = {**blocking, **wanted}
    aimed: str | None = None
    for event in events:
        if event.verb in ("move_to", "pick"):
            aimed = event.obj
        if event.message.startswith("grasped") and event.obj not in mine:
            if aimed in mine and event.at is not None:
                offset = scene.xy(aimed) - np.array(event.at)
                return {**_offset(aimed, offset, "grasp", mine[aimed]), "grabbed": event.obj}
            return _wrong(scene, goals, pending, event.obj, focus)
        if event.kind == "miss":
            meant = aimed if aimed is not None else nearest_pickable(scene, event.at)
            if meant is not None and meant not in mine and scene.kind(meant) != "bowl":
                return _wrong(scene, goals, pending, meant, focus)
    if scene.held is not None and scene.held not in wanted:
        grasped = any(e.obj == scene.held and e.message.startswith("grasped") for e in events)
        if grasped and scene.held not in blocking:
            return _wrong(scene, goals, pending, scene.held, focus)
        return {"kind": "set_aside", "object": scene.held, "goal": blocking.get(scene.held, focus)}
    last = events[-1] if events else None
    if last is not None and not last.ok:  # the plan stopped here: its first mistake
        about = last.obj if last.obj in mine else aimed
        if about is not None and about in blocking and about not in wanted:
            if last.kind == "miss":  # reaching for a cover to take off
                offset = scene.xy(about) - np.array(last.at or scene.gripper)
                return _offset(about, offset, "grasp", blocking[about])
            return _next(scene, mission, pending)  # a cover may land anywhere
        i = wanted.get(about, focus) if about is not None else focus
        return _clear(scene, goals, i) or {**skill_failure(scene, goals[i], last), "goal": i}
    for i in pending:
        cleared = _clear(scene, goals, i)
        if cleared is not None:
            return cleared
    for i in pending:
        released = [e for e in events if e.obj == goals[i].obj and e.message.startswith("released")]
        if released and released[-1].at is not None:
            return {**misplaced(scene, goals[i], np.array(released[-1].at)), "goal": i}
    return _next(scene, mission, pending)


def _clear(scene: Scene, goals: Sequence[Goal], i: int) -> dict[str, Any] | None:
    """A ``clear`` fault if something sits on goal ``i``'s object or target block."""
    above = covers(scene, goals[i])
    if not above or scene.held == above[0]:
        return None
    under = scene.support[scene.index[above[0]]]
    return {"kind": "clear", "object": above[0], "under": under, "goal": i}


def _offset(name: str, offset: np.ndarray, skill: str, goal: int) -> dict[str, Any]:
    return {
        "kind": "offset",
        "object": name,
        "offset": as_pair(offset),
        "skill": skill,
        "goal": goal,
    }


def _wrong(
    scene: Scene, goals: Sequence[Goal], pending: list[int], name: str, focus: int
) -> dict[str, Any]:
    """A wrong object, charged to the goal it was likely taken for: one of its kind."""
    kind = scene.kind(name)
    alike = [i for i in pending if goals[i].obj.endswith("_" + kind)]
    i = next((j for j in alike if goals[j].ambiguous), alike[0] if alike else focus)
    return {"kind": "wrong_object", "object": name, "want": goals[i].obj, "goal": i}


def _next(scene: Scene, mission: Mission, pending: list[int]) -> dict[str, Any]:
    if not pending:
        return {"kind": "next", "step": "close drawer", "goal": len(mission.goals) - 1}
    held = [i for i in pending if mission.goals[i].obj == scene.held]
    i = held[0] if held else pending[0]
    return {"kind": "next", "step": assess(scene, mission.goals[i]).subgoal, "goal": i}


def mission_plan(scene: Scene, mission: Mission) -> list[str]:
    """The expert's commands: every reach corrected by the robot's known errors.

    Covers go into the first bowl; the drawer is opened first and closed last when needed,
    and what is fetched from it comes out before anything goes in.
    """
    plan = ["open drawer"] if mission.uses_drawer and not scene.drawer_open else []
    dump = next(n for n, k in zip(scene.names, scene.kinds) if k == "bowl")
    for goal in sorted(mission.goals, key=lambda g: g.kind != "fetch"):
        for cover in covers(scene, goal):
            plan += [*_reach(scene, cover), "grasp", *_reach(scene, dump), "release"]
        plan += [*_reach(scene, goal.obj), "grasp"]
        if goal.target == "drawer":
            plan.append("place drawer")
        else:
            plan += [*_reach(scene, goal.target), "release"]
    if mission.close_drawer:
        plan.append("close drawer")
    return plan


def _reach(scene: Scene, name: str) -> list[str]:
    """``move to name`` and the moves from where the robot will stop to where ``name`` is."""
    stop, _ = clamp_to_table(scene.perceived(name))
    dx, dy = scene.xy(name) - stop
    return [f"move to {name}", *moves(float(dx), float(dy))]
