"""Random tabletop scenes and goals, and the robot's per-object calibration errors."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

import numpy as np

from fbgym.core.seeding import make_random
from fbgym.envs.robot.world import COLOURS, PICKABLE, Scene, name_of

TASKS = ("put", "stack", "drawer")
"""Goal kinds: put an object in a bowl, stack a block on a block, put an object in the drawer."""
HOME = (30.0, 20.0)
"""Where the gripper starts, open, over the middle of the table."""
_AREA = (7.0, 53.0, 7.0, 33.0)
"""Where objects start (x0, x1, y0, y1): far enough from the edges that a biased reach stays
on the table."""
_DRAWER_ZONE = (36.0, 15.0)
"""Objects start left of x or nearer than y of this corner, clear of the cabinet and drawer."""


@dataclass(frozen=True)
class Goal:
    """What the person wants done."""

    kind: str
    """One of :data:`TASKS`, or ``fetch`` (generation 1: out of the drawer into a bowl)."""
    obj: str
    """The object to move (the one the person means, even when the words are ambiguous)."""
    target: str
    """A bowl, a block, or ``drawer``."""
    ref: str
    """How the instruction names the object: ``the red block``, or ``the block`` when ambiguous."""

    @property
    def ambiguous(self) -> bool:
        """Whether the instruction's words fit more than one object."""
        return "_" not in self.ref and len(self.ref.split()) == 2

    def sentence(self) -> str:
        """The instruction, e.g. ``Put the red block in the green bowl.``."""
        target = "the " + self.target.replace("_", " ")
        if self.kind == "stack":
            return f"Stack {self.ref} on {target}."
        if self.kind == "fetch":
            return f"Take {self.ref} out of the drawer and put it in {target}."
        return f"Put {self.ref} in {target}."


def calibration(seed: int, name: str, bias_rate: float, max_bias: float) -> tuple[float, float]:
    """How far off (x, y, in cm) the robot perceives ``name``, fixed per robot and object.

    With probability ``bias_rate`` the error is large (2.5 cm to ``max_bias``), else under 0.6 cm.
    """
    rng = make_random("robot-calibration", seed, name)
    big = rng.random() < bias_rate
    size = rng.uniform(2.5, max_bias) if big else rng.uniform(0.0, 0.6)
    angle = rng.uniform(0.0, 2 * math.pi)
    return (round(size * math.cos(angle), 3), round(size * math.sin(angle), 3))


def make_scene(
    rng: random.Random,
    kind: str,
    *,
    ambiguity: float,
    seed: int,
    bias_rate: float,
    max_bias: float,
) -> tuple[Scene, Goal]:
    """A scene of 3-5 blocks and balls and 1-2 bowls with a goal of ``kind``; draws on ``rng``."""
    colours = list(COLOURS)
    n_objects = rng.randint(3, 5)
    pairs: set[tuple[str, str]] = set()
    if kind == "stack":  # needs two blocks
        pairs |= {(c, "block") for c in rng.sample(colours, 2)}
    while len(pairs) < n_objects:
        pairs.add((rng.choice(colours), rng.choice(PICKABLE)))
    things = sorted(name_of(c, k) for c, k in pairs)
    bowls = sorted(name_of(c, "bowl") for c in rng.sample(colours, rng.randint(1, 2)))
    names = tuple(things + bowls)
    kinds = tuple(n.split("_")[1] for n in names)
    positions = _positions(rng, len(things), len(bowls))
    pos = np.zeros((len(names), 3))
    pos[:, :2] = positions
    bias = np.array(
        [
            calibration(seed, n, bias_rate, max_bias) if k != "bowl" else (0.0, 0.0)
            for n, k in zip(names, kinds)
        ]
    )
    scene = Scene(
        names,
        kinds,
        tuple(n.split("_")[0] for n in names),
        pos,
        bias,
        ["table"] * len(names),
        np.array(HOME),
    )
    blocks = [n for n in things if n.endswith("_block")]
    if kind == "stack":
        obj, target = rng.sample(blocks, 2)
    else:
        obj = rng.choice(things)
        target = rng.choice(bowls) if kind == "put" else "drawer"
    same_kind = [n for n in things if n.split("_")[1] == obj.split("_")[1] and n != target]
    ambiguous = len(same_kind) >= 2 and rng.random() < ambiguity
    noun = obj.split("_")[1]
    ref = f"the {noun}" if ambiguous else f"the {obj.replace('_', ' ')}"
    return scene, Goal(kind, obj, target, ref)


def _positions(rng: random.Random, n_things: int, n_bowls: int) -> np.ndarray:
    """Start positions, bowls first, kept apart (bowls 16 cm, others 8 cm)."""
    placed: list[tuple[float, float, float]] = []  # x, y, radius
    for i in range(n_bowls + n_things):
        radius = 8.0 if i < n_bowls else 4.0
        for _ in range(500):
            x, y = rng.uniform(_AREA[0], _AREA[1]), rng.uniform(_AREA[2], _AREA[3])
            if x > _DRAWER_ZONE[0] and y > _DRAWER_ZONE[1]:
                continue
            if all(math.hypot(x - px, y - py) >= radius + pr for px, py, pr in placed):
                break
        placed.append((x, y, radius))
    xy = np.array([(x, y) for x, y, _ in placed])
    return np.concatenate([xy[n_bowls:], xy[:n_bowls]])
