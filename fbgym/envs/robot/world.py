"""The tabletop world: coloured blocks and balls, bowls, a drawer and a gripper, as numpy state."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

TABLE_X, TABLE_Y = 60.0, 40.0
"""The table, in cm: x runs from the person's left to right, y from the person (0) away."""
BLOCK = 4.0
"""Edge of a block and diameter of a ball, in cm."""
BOWL_RADIUS = 6.0
CENTRE = np.array([TABLE_X / 2, TABLE_Y / 2])
"""The middle of the table, where the camera looks."""
GRASP_TOLERANCE = 1.5
"""How far (cm) the gripper may be from an object's centre and still grasp it."""
STACK_TOLERANCE = 1.5
"""How far (cm) a released block may be from the centre of the block below and still stay on it."""
CABINET = (40.0, 58.0, 32.0, 40.0)
"""The drawer cabinet at the far right (x0, x1, y0, y1); its top is not a place for things."""
DRAWER_INSIDE = (42.0, 56.0, 22.0, 31.0)
"""The inside of the open drawer (x0, x1, y0, y1)."""
HANDLE_CLOSED = (49.0, 32.0)
HANDLE_OPEN = (49.0, 21.0)

COLOURS: dict[str, tuple[int, int, int]] = {
    "red": (214, 48, 49),
    "green": (46, 160, 67),
    "blue": (41, 98, 255),
    "yellow": (240, 200, 30),
    "purple": (142, 68, 173),
    "orange": (243, 129, 33),
}
MORE_COLOURS: dict[str, tuple[int, int, int]] = {
    "pink": (240, 120, 180),
    "white": (245, 245, 240),
    "brown": (130, 80, 40),
    "cyan": (40, 200, 210),
    "grey": (128, 128, 128),
    "black": (30, 30, 30),
    "lime": (170, 220, 50),
    "navy": (20, 30, 110),
}
"""Colours that only generation 1 tables hold (generation 0 draws from :data:`COLOURS`)."""
PALETTE = {**COLOURS, **MORE_COLOURS}
"""Every colour a table may hold."""
PICKABLE = ("block", "ball")
"""Kinds of object the gripper can pick up; bowls stay where they are."""
KINDS = (*PICKABLE, "bowl")


def name_of(colour: str, kind: str) -> str:
    """The name of an object: ``red_block``."""
    return f"{colour}_{kind}"


@dataclass
class Scene:
    """The state of the table; skills mutate it in place, :meth:`copy` snapshots it.

    Positions are true positions; the robot perceives each object displaced by its
    ``bias`` (a calibration error per object), which is what makes corrections matter.
    """

    names: tuple[str, ...]
    kinds: tuple[str, ...]
    colours: tuple[str, ...]
    pos: np.ndarray
    """(n, 3) true centre x, y and bottom height z of every object, in cm."""
    bias: np.ndarray
    """(n, 2) where the robot believes each object is, minus where it is."""
    support: list[str]
    """What each object rests on: ``table``, a bowl's or block's name, ``drawer``, ``gripper``."""
    gripper: np.ndarray
    """(2,) the gripper's x, y (the robot knows it exactly)."""
    held: str | None = None
    drawer_open: bool = False
    warp: np.ndarray | None = None
    """(2, 2) generation 1: how the camera's error grows away from the table's centre
    (a small scale and rotation error); the error at ``p`` adds ``warp @ (p - CENTRE)``."""

    def __post_init__(self) -> None:
        self.index = {name: i for i, name in enumerate(self.names)}

    def copy(self) -> Scene:
        """An independent snapshot."""
        return Scene(
            self.names,
            self.kinds,
            self.colours,
            self.pos.copy(),
            self.bias,
            list(self.support),
            self.gripper.copy(),
            self.held,
            self.drawer_open,
            self.warp,
        )

    def kind(self, name: str) -> str:
        """The kind of ``name``, or ``drawer``."""
        return "drawer" if name == "drawer" else self.kinds[self.index[name]]

    def kind_of_support(self, i: int) -> str:
        """The kind of what object ``i`` rests on (``table``, ``bowl``, ``block``, ...)."""
        support = self.support[i]
        return self.kinds[self.index[support]] if support in self.index else support

    def xy(self, name: str) -> np.ndarray:
        """Where ``name`` truly is (for ``drawer``: the middle of its inside, or its front)."""
        if name == "drawer":
            x0, x1, y0, y1 = DRAWER_INSIDE if self.drawer_open else CABINET
            return np.array([(x0 + x1) / 2, (y0 + y1) / 2])
        return self.pos[self.index[name], :2]

    def perceived(self, name: str) -> np.ndarray:
        """Where the robot believes ``name`` is."""
        if name == "drawer":
            return self.xy(name)
        i = self.index[name]
        if self.warp is None:
            return self.pos[i, :2] + self.bias[i]
        return self.pos[i, :2] + self.bias[i] + self.warp @ (self.pos[i, :2] - CENTRE)

    def handle(self) -> np.ndarray:
        """The drawer handle's position."""
        return np.array(HANDLE_OPEN if self.drawer_open else HANDLE_CLOSED)

    def reachable(self, name: str) -> bool:
        """Whether ``name`` can be grasped: not in a closed drawer, nothing stacked on it."""
        support = self.support[self.index[name]]
        if support == "drawer" and not self.drawer_open:
            return False
        return name not in self.support

    def top_of(self, name: str) -> str:
        """The topmost object of the stack that ``name`` is the bottom of, or ``name``."""
        while name in self.support:
            name = self.names[self.support.index(name)]
        return name

    def height(self, name: str) -> float:
        """Height of the top of ``name`` above the table."""
        i = self.index[name]
        return float(self.pos[i, 2] + (1.0 if self.kinds[i] == "bowl" else BLOCK))

    def in_drawer(self, xy: np.ndarray) -> bool:
        """Whether ``xy`` lies inside the open drawer."""
        x0, x1, y0, y1 = DRAWER_INSIDE
        return self.drawer_open and x0 <= xy[0] <= x1 and y0 <= xy[1] <= y1

    def on_cabinet(self, xy: np.ndarray) -> bool:
        """Whether ``xy`` lies over the cabinet (the closed drawer's front and top)."""
        x0, x1, y0, y1 = CABINET
        return x0 <= xy[0] <= x1 and y0 <= xy[1] <= y1

    def location(self, name: str) -> str:
        """Where ``name`` is, in words: ``on the table``, ``in green_bowl``, ``on blue_block``."""
        support = self.support[self.index[name]]
        if support == "gripper":
            return "held by the gripper"
        if support in ("table", "cabinet"):
            return f"on the {support}"
        if support == "drawer" or self.kind(support) == "bowl":
            return f"in the {support}" if support == "drawer" else f"in {support}"
        return f"on {support}"

    def describe(self) -> str:
        """The scene as the robot perceives it, one line per thing."""
        lines = ["Objects (positions in cm, as the robot sees them):"]
        for i, name in enumerate(self.names):
            x, y = self.perceived(name)
            where = self.location(name)
            if self.support[i] == "drawer" and not self.drawer_open:
                lines.append(f"- {name} ({self.kinds[i]}): in the closed drawer")
            else:
                lines.append(f"- {name} ({self.kinds[i]}) at ({x:.1f}, {y:.1f}), {where}")
        hx, hy = self.handle()
        state = "open" if self.drawer_open else "closed"
        lines.append(f"Drawer: {state}, handle at ({hx:.1f}, {hy:.1f}).")
        gx, gy = self.gripper
        holding = f"holding {self.held}" if self.held else "open, holding nothing"
        lines.append(f"Gripper: at ({gx:.1f}, {gy:.1f}), {holding}.")
        return "\n".join(lines)


def clamp_to_table(xy: np.ndarray) -> tuple[np.ndarray, bool]:
    """``xy`` moved onto the table, and whether it had to be moved."""
    clamped = np.clip(xy, [0.0, 0.0], [TABLE_X, TABLE_Y])
    return clamped, bool(np.any(clamped != xy))


def norm(v: np.ndarray) -> float:
    """Length of a 2-vector (faster than ``np.linalg.norm`` for one)."""
    return math.hypot(float(v[0]), float(v[1]))
