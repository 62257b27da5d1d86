"""The robot's skills as tools: pick, place, move_to, move, grasp, release and the drawer.

Each call reads as one command of :mod:`fbgym.envs.robot.language`; a turn's calls are its
plan, run in order (at most ``MAX_COMMANDS``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fbgym.core.tools import Tool, ToolSet
from fbgym.envs.robot.language import MAX_COMMANDS
from fbgym.envs.robot.world import TABLE_X

_OBJECT = {
    "type": "string",
    "pattern": r"^[A-Za-z][A-Za-z0-9_]{0,63}$",
    "description": "An object's name as the scene lists it, e.g. red_block.",
}
_NO_ARGUMENTS = {"type": "object", "properties": {}, "additionalProperties": False}


def _one(name: str, description: str, field: str, verb: str) -> Tool:
    """A skill that takes one object: ``<verb> <object>``."""
    return Tool(
        name,
        description,
        {
            "type": "object",
            "properties": {field: _OBJECT},
            "required": [field],
            "additionalProperties": False,
        },
        lambda arguments: f"{verb} {arguments[field]}",
    )


def _fixed(name: str, description: str, command: str) -> Tool:
    """A skill without arguments."""
    return Tool(name, description, _NO_ARGUMENTS, lambda arguments: command)


def _move(arguments: Mapping[str, Any]) -> str:
    return f"move {arguments['direction']} {arguments['distance_cm']:g}cm"


ROBOT_TOOLS = ToolSet(
    "robot",
    (
        _one("pick", "Move to an object, grasp it and lift it.", "object", "pick"),
        _one("place", "Put the held object on or in a target.", "target", "place"),
        _one("move_to", "Move the gripper above an object.", "object", "move to"),
        Tool(
            "move",
            "Move the gripper by a distance, in the person's frame.",
            {
                "type": "object",
                "properties": {
                    "direction": {"enum": ["left", "right", "forward", "back"]},
                    "distance_cm": {
                        "type": "number",
                        "exclusiveMinimum": 0,
                        "maximum": TABLE_X,
                    },
                },
                "required": ["direction", "distance_cm"],
                "additionalProperties": False,
            },
            _move,
        ),
        _fixed("grasp", "Close the gripper where it is.", "grasp"),
        _fixed("release", "Open the gripper, letting go of what it holds.", "release"),
        _fixed("open_drawer", "Open the drawer.", "open drawer"),
        _fixed("close_drawer", "Close the drawer.", "close drawer"),
    ),
    max_calls=MAX_COMMANDS,
)
"""The robot's skills, the ``robot`` family's tools (``Family.tools``)."""
