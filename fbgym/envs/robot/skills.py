"""Skills on the tabletop scene, executed with realistic errors: perception bias and noise."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from fbgym.core.seeding import make_random
from fbgym.envs.robot.language import Command
from fbgym.envs.robot.world import (
    BLOCK,
    BOWL_RADIUS,
    GRASP_TOLERANCE,
    STACK_TOLERANCE,
    Scene,
    clamp_to_table,
    norm,
)

CABINET_HEIGHT = 12.0


@dataclass(frozen=True)
class Event:
    """What one command did."""

    command: str
    ok: bool
    """Whether the skill did what it was asked; a plan stops at the first that did not."""
    kind: str
    """``done``, ``miss``, ``fell_off``, ``rolled_off``, ``rim``, ``off_target``,
    ``drawer_closed``, ``hands_full``, ``empty`` or ``edge``."""
    message: str
    obj: str | None = None
    """The object the command acted on (grasped, released, or aimed at)."""
    onto: str | None = None
    """For a release: what the object came to rest in or on (or was meant to)."""
    at: tuple[float, float] | None = None
    """Where the gripper was when the skill acted."""
    resolved: str | None = None
    """For an ambiguous reference: the object the robot chose."""
    verb: str = ""
    """The command's verb (see :class:`Command`)."""


def run_plan(
    scene: Scene, commands: Sequence[Command], key: tuple[object, ...], noise: float
) -> list[Event]:
    """Execute ``commands`` in order on ``scene`` until one fails.

    Each command's noise comes from ``make_random(*key, i)``, so a plan's execution depends
    only on the scene, the commands and ``key`` (the problem id and turn).
    """
    events = []
    for i, command in enumerate(commands):
        event = _with(execute(scene, command, make_random(*key, i), noise), verb=command.verb)
        events.append(event)
        if not event.ok:
            break
    return events


def execute(scene: Scene, command: Command, rng: random.Random, noise: float) -> Event:
    """Run one command on ``scene`` (in place)."""
    verb, text = command.verb, command.text
    if verb == "move":
        jitter = np.array([rng.uniform(-noise, noise), rng.uniform(-noise, noise)]) / 2
        return _goto(scene, scene.gripper + np.array(command.delta) + jitter, text)
    if verb == "grasp":
        return _grasp(scene, text)
    if verb == "release":
        return _release(scene, text, None)
    if verb in ("open", "close"):
        return _drawer(scene, verb == "open", text)
    name = _choose(scene, command.refs)
    resolved = name if len(command.refs) > 1 else None
    if verb == "place":
        if scene.held is None:
            return Event(text, False, "empty", "there is nothing in the gripper to place")
        if name == scene.held:
            return Event(text, False, "empty", f"cannot place {name} on itself", obj=name)
    aim = scene.perceived(name) + np.array([rng.uniform(-noise, noise), rng.uniform(-noise, noise)])
    moved = _goto(scene, aim, text)
    if verb == "move_to":
        return _with(moved, obj=name, resolved=resolved)
    event = _grasp(scene, text) if verb == "pick" else _release(scene, text, name)
    return _with(event, resolved=resolved, obj=event.obj or name)


def _with(event: Event, **changes: object) -> Event:
    return Event(**{**event.__dict__, **changes})


def _choose(scene: Scene, refs: tuple[str, ...]) -> str:
    """The robot's reading of a reference: the candidate nearest the gripper."""
    if len(refs) == 1:
        return refs[0]
    distances = [norm(scene.perceived(r) - scene.gripper) for r in refs]
    return refs[int(np.argmin(distances))]


def _goto(scene: Scene, target: np.ndarray, text: str) -> Event:
    xy, clipped = clamp_to_table(target)
    scene.gripper = xy
    if scene.held is not None:
        scene.pos[scene.index[scene.held], :2] = xy
    at = (float(xy[0]), float(xy[1]))
    if clipped:
        return Event(text, True, "edge", "stopped at the edge of the table", at=at)
    return Event(text, True, "done", "moved", at=at)


def _grasp(scene: Scene, text: str) -> Event:
    at = (float(scene.gripper[0]), float(scene.gripper[1]))
    if scene.held is not None:
        return Event(
            text,
            False,
            "hands_full",
            f"the gripper is already holding {scene.held}",
            obj=scene.held,
            at=at,
        )
    best: tuple[float, float, str] | None = None
    for i, name in enumerate(scene.names):
        if scene.kinds[i] == "bowl" or not scene.reachable(name):
            continue
        distance = norm(scene.pos[i, :2] - scene.gripper)
        key = (-float(scene.pos[i, 2]), distance, name)
        if distance <= GRASP_TOLERANCE and (best is None or key < best):
            best = key
    if best is None:
        return Event(text, False, "miss", "missed: the gripper closed on nothing", at=at)
    name = best[2]
    i = scene.index[name]
    scene.held = name
    scene.support[i] = "gripper"
    scene.pos[i, :2] = scene.gripper
    return Event(text, True, "done", f"grasped {name}", obj=name, at=at)


def _release(scene: Scene, text: str, meant: str | None) -> Event:
    """Open the gripper; the held object lands in or on whatever is below it."""
    at = (float(scene.gripper[0]), float(scene.gripper[1]))
    if scene.held is None:
        return Event(text, True, "empty", "the gripper was already open", at=at)
    name, p = scene.held, scene.gripper.copy()
    i = scene.index[name]
    scene.held = None
    kind, ok, onto, z = "done", True, "table", 0.0
    message = ""
    if scene.in_drawer(p):
        onto = "drawer"
    elif scene.on_cabinet(p):
        kind, ok, onto, z = "drawer_closed", meant != "drawer", "cabinet", CABINET_HEIGHT
        message = f"{name} landed on top of the cabinet: the drawer is closed"
    else:
        under = _below(scene, name, p)
        if under is not None:
            j = scene.index[under]
            offset = p - scene.pos[j, :2]
            distance = norm(offset)
            if scene.kinds[j] == "bowl":
                if distance <= BOWL_RADIUS - GRASP_TOLERANCE:
                    onto, z = under, scene.pos[j, 2] + 0.5
                else:
                    kind, ok = "rim", False
                    p = scene.pos[j, :2] + _unit(offset) * (BOWL_RADIUS + BLOCK / 2 + 0.5)
                    message = f"{name} hit the rim of {under} and fell onto the table"
            elif scene.kinds[j] == "block" and distance <= STACK_TOLERANCE:
                onto, z = under, scene.height(under)
            else:
                kind, ok = ("fell_off" if scene.kinds[j] == "block" else "rolled_off"), False
                p = scene.pos[j, :2] + _unit(offset) * BLOCK
                message = f"{name} fell off {under} onto the table"
                onto = under
    p, _ = clamp_to_table(p)
    scene.pos[i] = (p[0], p[1], z)
    scene.support[i] = "table" if kind != "done" and onto != "cabinet" else onto
    if not message:
        where = "on the table" if onto == "table" else scene.location(name)
        message = f"released {name} {where}"
        if meant is not None and onto != meant:
            kind, ok = "off_target", False
            message = f"{message}, not {'in' if scene.kind(meant) == 'bowl' else 'on'} {meant}"
    return Event(text, ok, kind, message, obj=name, onto=meant or onto, at=at)


def _below(scene: Scene, held: str, p: np.ndarray) -> str | None:
    """The highest bowl or uncovered object within reach of ``p``, if any."""
    best: tuple[float, float, str] | None = None
    for i, name in enumerate(scene.names):
        if name == held or scene.support[i] in ("gripper", "drawer", "cabinet"):
            continue
        bowl = scene.kinds[i] == "bowl"
        if not bowl and (name in scene.support or scene.kind_of_support(i) == "bowl"):
            continue  # covered by another object, or lying in a bowl
        reach = BOWL_RADIUS + BLOCK / 2 if bowl else BLOCK
        distance = norm(scene.pos[i, :2] - p)
        if distance < reach:
            key = (-scene.height(name), distance, name)
            if best is None or key < best:
                best = key
    return None if best is None else best[2]


def _unit(v: np.ndarray) -> np.ndarray:
    n = norm(v)
    return np.array([1.0, 0.0]) if n < 1e-9 else v / n


def _drawer(scene: Scene, opening: bool, text: str) -> Event:
    word = "open" if opening else "close"
    if scene.held is not None:
        return Event(
            text,
            False,
            "hands_full",
            f"cannot {word} the drawer while holding {scene.held}",
            obj=scene.held,
        )
    if scene.drawer_open == opening:
        return Event(text, True, "done", f"the drawer is already {word}{'' if opening else 'd'}")
    scene.gripper = scene.handle()
    scene.drawer_open = opening
    scene.gripper = scene.handle()
    at = (float(scene.gripper[0]), float(scene.gripper[1]))
    return Event(text, True, "done", f"{word}{'ed' if opening else 'd'} the drawer", at=at)
