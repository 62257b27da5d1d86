"""The skill language: 'pick red_block; move left 2cm; grasp' parsed into commands, or errors."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from fbgym.envs.robot.world import PICKABLE, TABLE_X

MAX_COMMANDS = 30
"""The most commands one turn may hold (generation 0)."""
MAX_MISSION_COMMANDS = 120
"""The most commands one turn may hold in generation 1, whose missions need longer plans."""

SYNTAX = (
    "pick <object>, place <target>, move to <object>, move left|right|forward|back <n>cm, "
    "grasp, release, open drawer, close drawer"
)
"""The commands, in one line, for instructions and error messages."""

DIRECTIONS: dict[str, tuple[float, float]] = {
    "left": (-1.0, 0.0),
    "right": (1.0, 0.0),
    "forward": (0.0, 1.0),
    "forwards": (0.0, 1.0),
    "away": (0.0, 1.0),
    "further": (0.0, 1.0),
    "back": (0.0, -1.0),
    "backward": (0.0, -1.0),
    "backwards": (0.0, -1.0),
    "toward": (0.0, -1.0),
    "towards": (0.0, -1.0),
    "closer": (0.0, -1.0),
}
"""Direction words, in the person's frame: x to the right, y away from the person."""

_SEPARATOR = re.compile(r"[;\n]+|\bthen\b")
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s*")
_FILLER = {"the", "a", "an", "it", "in", "on", "into", "onto", "up", "to", "of", "top", "over"}
_DISTANCE = re.compile(r"^(-?\d+(?:\.\d+)?)\s*(cm|mm|centimetres?|centimeters?)?$")
_MAX_MOVE = TABLE_X


def moves(dx: float, dy: float, digits: int = 1) -> list[str]:
    """The commands that move the gripper by (``dx``, ``dy``) cm, to ``digits`` decimals.

    >>> moves(-2.0, 0.46)
    ['move left 2.0cm', 'move forward 0.5cm']
    """
    plan = []
    if abs(dx) >= 0.05:
        plan.append(f"move {'right' if dx > 0 else 'left'} {abs(dx):.{digits}f}cm")
    if abs(dy) >= 0.05:
        plan.append(f"move {'forward' if dy > 0 else 'back'} {abs(dy):.{digits}f}cm")
    return plan


class PlanError(ValueError):
    """A plan that cannot be parsed; the message says which command and why."""


@dataclass(frozen=True)
class Command:
    """One parsed skill call."""

    verb: str
    """``pick``, ``place``, ``move_to``, ``move``, ``grasp``, ``release``, ``open``, ``close``."""
    text: str
    """The command as written (cleaned)."""
    refs: tuple[str, ...] = ()
    """Objects the reference may mean; more than one when it is ambiguous."""
    delta: tuple[float, float] = (0.0, 0.0)
    """For ``move``: the displacement in cm."""
    ref: str = ""
    """The reference as written (``the block``)."""


def split_plan(action: str) -> list[str]:
    """The commands of a turn: split on ';', new lines and 'then', bullets and blanks dropped."""
    parts = (_BULLET.sub("", p).strip(" \t.,!") for p in _SEPARATOR.split(action.lower()))
    return [" ".join(p.split()) for p in parts if p.strip()]


def parse_plan(
    action: str, names: Sequence[str], kinds: Sequence[str], most: int = MAX_COMMANDS
) -> list[Command]:
    """Parse every command of ``action`` (at most ``most``) against ``names`` (of ``kinds``).

    >>> [c.verb for c in parse_plan("pick red_block; place green_bowl", ["red_block", "green_bowl"],
    ...                             ["block", "bowl"])]
    ['pick', 'place']
    """
    texts = split_plan(action)
    if not texts:
        raise PlanError(f"the plan holds no command; use {SYNTAX}")
    if len(texts) > most:
        raise PlanError(f"the plan has {len(texts)} commands; at most {most} per turn")
    commands = []
    for n, text in enumerate(texts, 1):
        try:
            commands.append(_parse_command(text, names, kinds))
        except PlanError as exc:
            where = f"command {n} ('{text[:60]}')" if len(texts) > 1 else f"'{text[:60]}'"
            raise PlanError(f"{where}: {exc}") from None
    return commands


def _parse_command(text: str, names: Sequence[str], kinds: Sequence[str]) -> Command:
    if text in ("grasp", "grip", "close gripper", "close the gripper"):
        return Command("grasp", text)
    if text in ("release", "drop", "drop it", "let go", "open gripper", "open the gripper"):
        return Command("release", text)
    words = text.replace(",", " ").split()
    head, rest = words[0], words[1:]
    if head in ("pick", "grab", "take") or (head == "grasp" and rest):
        refs, ref = _resolve(rest, names, kinds, PICKABLE, "pick")
        return Command("pick", text, refs, ref=ref)
    if head in ("place", "put", "drop") and rest:
        refs, ref = _resolve(rest, names, kinds, ("bowl", "block", "drawer"), "place on or in")
        return Command("place", text, refs, ref=ref)
    if head in ("move", "go", "goto"):
        if head == "goto" or (rest and rest[0] in ("to", "over", "above")):
            refs, ref = _resolve(rest, names, kinds, (*PICKABLE, "bowl", "drawer"), "move to")
            return Command("move_to", text, refs, ref=ref)
        return Command("move", text, delta=_displacement(rest))
    if head in ("open", "close", "pull", "push") and [w for w in rest if w != "the"] == ["drawer"]:
        return Command("open" if head in ("open", "pull") else "close", text)
    raise PlanError(f"unknown command; use {SYNTAX}")


def _displacement(words: list[str]) -> tuple[float, float]:
    """``left 2cm`` / ``2 cm left`` / ``2cm to the left`` → a displacement vector."""
    dirs = [w for w in words if w in DIRECTIONS]
    rest = [w for w in words if w not in DIRECTIONS and w not in _FILLER and w != "by"]
    if len(dirs) != 1:
        raise PlanError(
            "move needs one direction (left, right, forward, back) and a distance, "
            "e.g. 'move left 2cm'"
        )
    match = _DISTANCE.match(" ".join(rest)) or _DISTANCE.match("".join(rest))
    if match is None:
        raise PlanError(f"move needs a distance like '2cm', got {' '.join(rest) or 'none'!r}")
    amount = float(match.group(1)) / (10.0 if match.group(2) == "mm" else 1.0)
    if not 0.0 < amount <= _MAX_MOVE:
        raise PlanError(f"a move must be more than 0 and at most {_MAX_MOVE:g} cm, got {amount:g}")
    dx, dy = DIRECTIONS[dirs[0]]
    return (dx * amount, dy * amount)


def _resolve(
    words: list[str],
    names: Sequence[str],
    kinds: Sequence[str],
    allowed: tuple[str, ...],
    verb: str,
) -> tuple[tuple[str, ...], str]:
    """The objects of ``allowed`` kinds that ``words`` may name, and the reference as written.

    ``red_block``, ``red block``, ``the block`` and ``the red one`` all name objects.
    """
    content = [w for w in words if w not in _FILLER and w != "one"]
    ref = " ".join(content)
    if not content:
        raise PlanError(f"say what to {verb}, e.g. '{verb.split()[0]} red_block'")
    if content == ["drawer"]:
        if "drawer" not in allowed:
            raise PlanError(f"cannot {verb} the drawer; 'open drawer' opens it")
        return ("drawer",), ref
    parts = {p for w in content for p in w.split("_")}
    candidates = [n for n, k in zip(names, kinds) if parts <= set(n.split("_")) and k in allowed]
    if not candidates:
        wrong_kind = [n for n in names if parts <= set(n.split("_"))]
        if wrong_kind:
            raise PlanError(f"cannot {verb} {wrong_kind[0]}")
        raise PlanError(f"no object matches {ref!r}; the objects are {', '.join(names)}")
    return tuple(candidates), ref
