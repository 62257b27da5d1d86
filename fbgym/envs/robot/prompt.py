"""How a chat model is asked to command the robot, and how its reply becomes commands."""

from __future__ import annotations

import re

from fbgym.core.prompt import FENCE, PLACEHOLDER, PromptTemplate
from fbgym.simulators.model_critic import CriticPrompt

_VERBS = ("pick", "place", "move", "grasp", "release", "open", "close")


def extract_robot_commands(reply: str) -> str:
    r"""The lines of the reply that are robot commands, joined by ``'; '``; else the reply.

    A command with a ``<slot>`` left in it was copied from the instruction and is dropped.

    >>> extract_robot_commands("Plan:\n1. pick red_block\n2. place green_bowl")
    'pick red_block; place green_bowl'
    >>> extract_robot_commands("Use:\n- pick <object>\n- place <target>\npick blue_ball")
    'pick blue_ball'
    """
    fenced = FENCE.match(reply)
    body = fenced[1] if fenced else reply
    commands = []
    for raw in re.split(r"[\n;]", body):
        line = re.sub(r"^\s*(?:[-*]|\d+[.)])\s*", "", raw).strip().strip("`").strip()
        if line.lower().startswith(_VERBS) and not PLACEHOLDER.search(line):
            commands.append(line.rstrip("."))
    return "; ".join(commands) if commands else reply.strip()


TEMPLATE = PromptTemplate(
    family="robot",
    system=(
        "You control a tabletop robot. Reply only with robot commands that name the "
        "objects in the scene, separated by ';'. Example reply: pick red_block; place "
        "green_bowl"
    ),
    extract=extract_robot_commands,
    feedback_label="The person",
    observation_label="The scene now",
)

CRITIC = CriticPrompt(
    "You are a person correcting a robot. Say in one sentence what to do differently.",
    "Task: {problem}\nThe robot's attempt was {verdict}; details: {diagnosis}\n"
    "Said so far:\n{earlier}\nYour correction:",
)
"""What a model-backed person is asked about the robot's attempt."""
