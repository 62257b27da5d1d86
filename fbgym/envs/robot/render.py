"""Pictures of the table seen from above: a numpy RGB array, and a matplotlib figure."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

import numpy as np

from fbgym.envs.robot.world import (
    BLOCK,
    BOWL_RADIUS,
    CABINET,
    DRAWER_INSIDE,
    PALETTE,
    TABLE_X,
    TABLE_Y,
    Scene,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

PIXELS_PER_CM = 8
_TABLE = (222, 196, 160)
_CABINET = (150, 150, 150)
_INSIDE = (105, 95, 85)
_DARK = (40, 40, 40)


@cache
def _grid(scale: int) -> tuple[np.ndarray, np.ndarray]:
    """Pixel centres in cm: x grows to the right, y away from the person (up the picture)."""
    h, w = int(TABLE_Y * scale), int(TABLE_X * scale)
    xs = (np.arange(w) + 0.5) / scale
    ys = TABLE_Y - (np.arange(h) + 0.5) / scale
    return np.meshgrid(xs, ys)


def _visible(scene: Scene) -> list[int]:
    """Indices of objects to draw, bottom to top (bowls first, then by height)."""
    shown = [
        i
        for i in range(len(scene.names))
        if not (scene.support[i] == "drawer" and not scene.drawer_open)
    ]
    return sorted(
        shown,
        key=lambda i: (scene.kinds[i] != "bowl", scene.support[i] == "gripper", scene.pos[i, 2]),
    )


def rgb_array(scene: Scene, scale: int = PIXELS_PER_CM) -> np.ndarray:
    """The table from above as an (H, W, 3) uint8 image, the person at the bottom edge."""
    x, y = _grid(scale)
    image = np.empty(x.shape + (3,), dtype=np.uint8)
    image[:] = _TABLE

    def box(x0: float, x1: float, y0: float, y1: float, colour: tuple[int, int, int]) -> None:
        image[(x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)] = colour

    box(*CABINET, _CABINET)
    if scene.drawer_open:
        x0, x1, y0, y1 = DRAWER_INSIDE
        box(x0 - 1, x1 + 1, y0 - 1, y1 + 1, _CABINET)
        box(*DRAWER_INSIDE, _INSIDE)
    hx, hy = scene.handle()
    box(hx - 3, hx + 3, hy - 0.6, hy + 0.6, _DARK)
    for i in _visible(scene):
        cx, cy = scene.pos[i, :2]
        colour = PALETTE[scene.colours[i]]
        d2 = (x - cx) ** 2 + (y - cy) ** 2
        if scene.kinds[i] == "bowl":
            image[d2 <= BOWL_RADIUS**2] = colour
            image[d2 <= (BOWL_RADIUS - 1.0) ** 2] = tuple(int(c * 0.5 + 127) for c in colour)
        elif scene.kinds[i] == "ball":
            image[d2 <= (BLOCK / 2) ** 2] = colour
        else:
            half = BLOCK / 2
            box(cx - half, cx + half, cy - half, cy + half, tuple(int(c * 0.7) for c in colour))
            box(cx - half + 0.4, cx + half - 0.4, cy - half + 0.4, cy + half - 0.4, colour)
    gx, gy = scene.gripper
    gap = 1.2 if scene.held is None else 2.2
    for side in (-1, 1):
        box(gx + side * gap - 0.3, gx + side * gap + 0.3, gy - 1.2, gy + 1.2, _DARK)
    box(gx - gap, gx + gap, gy - 0.15, gy + 0.15, _DARK)
    return image


def plot_scene(scene: Scene, ax: Axes | None = None, title: str | None = None) -> Figure:
    """A labelled top-down matplotlib picture of the scene; draws on ``ax`` if given."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Circle, Rectangle

    if ax is None:
        fig, ax = plt.subplots(figsize=(7.5, 5.2))
    else:
        fig = ax.figure
    ax.add_patch(Rectangle((0, 0), TABLE_X, TABLE_Y, color=np.array(_TABLE) / 255))
    x0, x1, y0, y1 = CABINET
    ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, color=np.array(_CABINET) / 255))
    if scene.drawer_open:
        x0, x1, y0, y1 = DRAWER_INSIDE
        ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, color=np.array(_INSIDE) / 255))
    hx, hy = scene.handle()
    ax.add_patch(Rectangle((hx - 3, hy - 0.6), 6, 1.2, color="0.15"))
    ax.text(49, 36, "drawer " + ("open" if scene.drawer_open else "closed"), ha="center", size=8)
    for i in _visible(scene):
        cx, cy = scene.pos[i, :2]
        colour = np.array(PALETTE[scene.colours[i]]) / 255
        if scene.kinds[i] == "bowl":
            ax.add_patch(Circle((cx, cy), BOWL_RADIUS, fill=False, lw=3, ec=colour))
        elif scene.kinds[i] == "ball":
            ax.add_patch(Circle((cx, cy), BLOCK / 2, color=colour))
        else:
            ax.add_patch(
                Rectangle((cx - BLOCK / 2, cy - BLOCK / 2), BLOCK, BLOCK, color=colour, ec="0.2")
            )
        ax.annotate(
            scene.names[i],
            (cx, cy),
            xytext=(0, -14 if scene.kinds[i] != "bowl" else -28),
            textcoords="offset points",
            ha="center",
            size=7,
        )
    gx, gy = scene.gripper
    ax.plot([gx], [gy], marker="+", ms=14, mew=2, color="k")
    ax.set(
        xlim=(0, TABLE_X),
        ylim=(0, TABLE_Y),
        aspect="equal",
        xlabel="x (cm), person's right →",
        ylabel="y (cm), away from the person →",
    )
    if title:
        ax.set_title(title, size=10)
    return fig
