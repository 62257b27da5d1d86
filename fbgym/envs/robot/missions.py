"""Generation 1 missions: several goals in one instruction, cluttered tables, more skills, levels.

A level sets how many goals an instruction strings together, how crowded the table is, how
often something sits on an object that has to be moved first, whether objects start in the
closed drawer (``fetch``) and whether the drawer has to be closed at the end.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, replace

import numpy as np

from fbgym.envs.robot.progress import DRAWER_KINDS
from fbgym.envs.robot.robots import Robot
from fbgym.envs.robot.scenes import HOME, Goal
from fbgym.envs.robot.world import (
    BLOCK,
    CENTRE,
    DRAWER_INSIDE,
    PALETTE,
    PICKABLE,
    TABLE_X,
    TABLE_Y,
    Scene,
    name_of,
)

TASKS = ("put", "stack", "drawer", "fetch")
"""Goal kinds of generation 1: those of generation 0, and ``fetch`` (take an object out of
the closed drawer and put it in a bowl)."""
_AREA = (6.0, 54.0, 6.0, 34.0)
_DRAWER_ZONE = (36.0, 15.0)
_EDGE = 1.0
"""How far inside the table every perceived position starts, so that no reach is clipped."""
MOST_GOALS = {"stack": 2, "fetch": 2, "drawer": 2}
"""The most goals of a kind one mission holds (blocks and drawer space run out); ``put``
has no limit."""


@dataclass(frozen=True)
class Level:
    """How hard a mission is."""

    goals: int
    """Goals in the instruction, done in any order."""
    things: tuple[int, int]
    """Fewest and most blocks and balls on the table (and in the drawer)."""
    bowls: tuple[int, int]
    spacing: float
    """Least distance (cm) between the centres of two objects on the table at the start."""
    covers: float
    """Chance, per goal, that another object sits on its block (object or target)."""
    close: bool
    """Whether a mission that opens the drawer must leave it closed."""


LEVELS = {
    1: Level(1, (3, 4), (1, 2), 8.0, 0.0, False),
    2: Level(2, (4, 6), (1, 2), 6.0, 0.3, False),
    3: Level(4, (6, 8), (2, 3), 6.0, 0.4, True),
    4: Level(7, (9, 11), (2, 3), 5.0, 0.6, True),
    5: Level(10, (12, 14), (3, 3), 4.5, 0.7, True),
}
"""Levels 1 (one goal on a tidy table) to 5 (ten goals, clutter, covered blocks, drawer)."""


@dataclass(frozen=True)
class Mission:
    """What the person wants done: goals, in the order the instruction names them."""

    goals: tuple[Goal, ...]
    close_drawer: bool = False
    """Whether the drawer must end closed."""
    level: int = 1

    def sentence(self) -> str:
        """The instruction: the goals joined by 'Then', and the closing of the drawer."""
        said = [g.sentence() for g in self.goals]
        if self.close_drawer:
            said.append("Close the drawer.")
        return " ".join([said[0]] + [f"Then {s[0].lower()}{s[1:]}" for s in said[1:]])

    @property
    def uses_drawer(self) -> bool:
        """Whether some goal puts something in or takes something out of the drawer."""
        return any(g.kind in DRAWER_KINDS for g in self.goals)


def make_mission(
    rng: random.Random, level: int, tasks: tuple[str, ...], ambiguity: float, robot: Robot
) -> tuple[Scene, Mission]:
    """A scene and a mission of ``level`` with goals of ``tasks``; draws on ``rng``."""
    spec = LEVELS[level]
    kinds = _goal_kinds(rng, spec.goals, tasks)
    stacks = kinds.count("stack")
    n_things = max(rng.randint(*spec.things), sum(2 if k == "stack" else 1 for k in kinds))
    colours = list(PALETTE)
    pairs = {(c, "block") for c in rng.sample(colours, 2 * stacks)}
    while len(pairs) < n_things:
        pairs.add((rng.choice(colours), rng.choice(PICKABLE)))
    things = sorted(name_of(c, k) for c, k in pairs)
    bowls = sorted(name_of(c, "bowl") for c in rng.sample(colours, rng.randint(*spec.bowls)))
    free = list(things)
    chosen: dict[int, Goal] = {}
    for i in sorted(range(len(kinds)), key=lambda j: kinds[j] != "stack"):  # blocks first
        kind = kinds[i]
        if kind == "stack":
            obj, target = rng.sample([n for n in free if n.endswith("_block")], 2)
            free.remove(target)
        else:
            obj = rng.choice(free)
            target = "drawer" if kind == "drawer" else rng.choice(bowls)
        free.remove(obj)
        chosen[i] = Goal(kind, obj, target, f"the {obj.replace('_', ' ')}")
    goals = [chosen[i] for i in range(len(kinds))]
    fetched = [g.obj for g in goals if g.kind == "fetch"]
    covers: dict[str, str] = {}  # cover -> what it sits on
    for goal in goals:
        unders = [n for n in (goal.obj, goal.target) if n.endswith("_block") and n not in fetched]
        if free and unders and rng.random() < spec.covers:
            cover = free.pop(rng.randrange(len(free)))
            covers[cover] = rng.choice(unders)
    vague: set[str] = set()  # kinds already named vaguely: one "the ball" per mission
    for i, goal in enumerate(goals):
        goals[i] = _refer(
            rng, goal, things, fetched, ambiguity if goal.obj.split("_")[1] not in vague else 0.0
        )
        if goals[i].ambiguous:
            vague.add(goal.obj.split("_")[1])
    scene = _scene(rng, things, bowls, fetched, covers, spec.spacing, robot)
    mission = Mission(tuple(goals), False, level)
    return scene, replace(mission, close_drawer=spec.close and mission.uses_drawer)


def most_goals(tasks: tuple[str, ...]) -> float:
    """The most goals a mission of ``tasks`` can hold (see :data:`MOST_GOALS`)."""
    return sum(MOST_GOALS.get(t, math.inf) for t in set(tasks))


def _goal_kinds(rng: random.Random, n: int, tasks: tuple[str, ...]) -> list[str]:
    kinds: list[str] = []
    while len(kinds) < n:
        kind = tasks[rng.randrange(len(tasks))]
        if kinds.count(kind) < MOST_GOALS.get(kind, n):
            kinds.append(kind)
    return kinds


def _refer(
    rng: random.Random, goal: Goal, things: list[str], fetched: list[str], ambiguity: float
) -> Goal:
    """``goal``, named by kind only (``the block``) with chance ``ambiguity`` if that fits several.

    Objects in the drawer and the goal's target do not count.
    """
    noun = goal.obj.split("_")[1]
    same = [n for n in things if n.endswith("_" + noun) and n != goal.target and n not in fetched]
    if goal.kind != "fetch" and len(same) >= 2 and rng.random() < ambiguity:
        return Goal(goal.kind, goal.obj, goal.target, f"the {noun}")
    return goal


def _scene(
    rng: random.Random,
    things: list[str],
    bowls: list[str],
    fetched: list[str],
    covers: dict[str, str],
    spacing: float,
    robot: Robot,
) -> Scene:
    names = tuple(things + bowls)
    kinds = tuple(n.split("_")[1] for n in names)
    error = {n: np.array(robot.error(n, k)) for n, k in zip(names, kinds)}
    warp = robot.warp_matrix
    pos = {}
    placed: list[tuple[float, float, float]] = []  # x, y, radius
    for name in bowls + [n for n in things if n not in fetched and n not in covers]:
        radius = 8.0 if name in bowls else spacing / 2
        pos[name] = _free_spot(rng, placed, radius, error[name], warp)
        placed.append((*pos[name], radius))
    inside: list[tuple[float, float, float]] = []
    for name in fetched:
        pos[name] = _free_spot(rng, inside, 2.5, error[name], warp, area=_DRAWER_AREA)
        inside.append((*pos[name], 2.5))
    support = {n: "drawer" if n in fetched else "table" for n in names}
    z = dict.fromkeys(names, 0.0)
    for cover, under in covers.items():
        a, r = rng.uniform(0, 2 * math.pi), rng.uniform(0, 0.8)
        pos[cover] = (pos[under][0] + r * math.cos(a), pos[under][1] + r * math.sin(a))
        support[cover], z[cover] = under, BLOCK
    return Scene(
        names,
        kinds,
        tuple(n.split("_")[0] for n in names),
        np.array([(*pos[n], z[n]) for n in names]),
        np.array([error[n] for n in names]),
        [support[n] for n in names],
        np.array(HOME),
        warp=warp,
    )


_DRAWER_AREA = (
    DRAWER_INSIDE[0] + 2.5,
    DRAWER_INSIDE[1] - 2.5,
    DRAWER_INSIDE[2] + 2.5,
    DRAWER_INSIDE[3] - 2.5,
)


def _free_spot(
    rng: random.Random,
    placed: list[tuple[float, float, float]],
    radius: float,
    error: np.ndarray,
    warp: np.ndarray,
    area: tuple[float, float, float, float] = _AREA,
) -> tuple[float, float]:
    """A spot in ``area`` whose perceived position (``+ error`` and the warp) is on the table.

    It keeps clear of ``placed`` unless 500 on-table tries find no such spot (the config's
    bounds on errors keep on-table spots common). Outside the drawer, spots keep clear of
    the cabinet and the drawer's pull-out zone.
    """
    fits: list[tuple[float, float]] = []
    while len(fits) < 500:
        x, y = rng.uniform(area[0], area[1]), rng.uniform(area[2], area[3])
        if area is _AREA and x > _DRAWER_ZONE[0] and y > _DRAWER_ZONE[1]:
            continue
        px, py = np.array([x, y]) + error + warp @ (np.array([x, y]) - CENTRE)
        if not (_EDGE <= px <= TABLE_X - _EDGE and _EDGE <= py <= TABLE_Y - _EDGE):
            continue
        fits.append((x, y))
        if all(math.hypot(x - qx, y - qy) >= radius + r for qx, qy, r in placed):
            break
    return fits[-1]
