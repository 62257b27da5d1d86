"""The robots of generation 1: per-object grasp offsets and a drifting arm, one robot per stream.

An agent plays consecutive seeds of one env as a *stream* (``fbgym.runner.evaluate`` plays
``STREAM_LENGTH`` = 20 of them). Problem ``index`` of a split is played by robot
``index // episodes`` of that split and dataset seed, at position ``index % episodes`` of its
run: what a robot taught an agent holds for the rest of its stream and nowhere else (not in
another stream, not in another split).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from fbgym.core.seeding import make_random
from fbgym.envs.robot.world import PALETTE, PICKABLE, name_of

ROBOT_EPISODES = 20
"""Episodes one robot plays, the runner's stream length (kept equal by a test)."""
DRIFT_CORRELATION = 0.9
"""How much of the arm's drift carries from one episode to the next (an AR(1) walk)."""
PICKABLE_NAMES = tuple(name_of(c, k) for c in PALETTE for k in PICKABLE)
"""Every object a robot may have to grasp; each has its own offset."""


@dataclass(frozen=True)
class Robot:
    """One robot's systematic errors, as they stand in one episode of its run."""

    offsets: dict[str, tuple[float, float]]
    """Where (x, y, cm) the robot perceives each graspable object, minus where it is."""
    drift: tuple[float, float]
    """This episode's error common to everything the robot perceives (bowls too), in cm."""
    warp: tuple[float, float] = (0.0, 0.0)
    """The camera's scale and rotation error (as fractions): the error grows by that much
    per cm away from the table's centre."""

    @property
    def warp_matrix(self) -> np.ndarray:
        """``warp`` as the matrix that maps an offset from the centre to an error."""
        scale, turn = self.warp
        return np.array([[scale, -turn], [turn, scale]])

    def error(self, name: str, kind: str) -> tuple[float, float]:
        """The perception error of ``name`` (of ``kind``): its offset plus the drift."""
        ox, oy = (0.0, 0.0) if kind == "bowl" else self.offsets[name]
        return (round(ox + self.drift[0], 3), round(oy + self.drift[1], 3))


def robot_for(
    seed: int,
    split: str,
    index: int,
    *,
    episodes: int,
    offset_rate: float,
    max_offset: float,
    drift: float,
    warp: float,
) -> Robot:
    """The robot that plays problem ``index`` of ``split``, at its place in the robot's run.

    With probability ``offset_rate`` an object's offset is large (2.5 cm to ``max_offset``),
    else under 0.6 cm. The drift starts from a draw of standard deviation ``drift`` per axis
    and walks with correlation :data:`DRIFT_CORRELATION` from episode to episode; it is
    clipped to twice ``drift`` per axis. The camera's scale and rotation errors are each
    drawn from ``[-warp, warp]``.
    """
    unit = index // episodes
    offsets = {}
    for name in PICKABLE_NAMES:
        rng = make_random("robot-v1/offset", seed, split, unit, name)
        size = rng.uniform(2.5, max_offset) if rng.random() < offset_rate else rng.uniform(0, 0.6)
        angle = rng.uniform(0.0, 2 * math.pi)
        offsets[name] = (round(size * math.cos(angle), 3), round(size * math.sin(angle), 3))
    walk = [0.0, 0.0]
    rho, step = DRIFT_CORRELATION, math.sqrt(1 - DRIFT_CORRELATION**2)
    for position in range(index % episodes + 1):
        rng = make_random("robot-v1/drift", seed, split, unit, position)
        for axis in (0, 1):
            fresh = rng.gauss(0.0, drift)
            walk[axis] = fresh if position == 0 else rho * walk[axis] + step * fresh
    cap = 2 * drift
    rng = make_random("robot-v1/warp", seed, split, unit)
    bend = (round(rng.uniform(-warp, warp), 4), round(rng.uniform(-warp, warp), 4))
    return Robot(offsets, (round(_clip(walk[0], cap), 3), round(_clip(walk[1], cap), 3)), bend)


def _clip(value: float, cap: float) -> float:
    return max(-cap, min(cap, value))
