"""The simulated person: corrects the robot in words, compared against the expert plan."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from fbgym.core.types import Channel, Feedback, FeedbackPart, Outcome, Problem, Turn
from fbgym.core.types import FeedbackKind as K
from fbgym.envs.robot.scenes import Goal
from fbgym.errors import ConfigError
from fbgym.simulators.base import Critic, Critique, SimulatedUser
from fbgym.simulators.paraphrase import Paraphrases

BANK = Paraphrases(
    {
        "success": ["Yes, that's it.", "Perfect, thank you.", "Great, that's right."],
        "offset_grasp": [
            "You missed {obj}: it is {where}.",
            "Not quite, {obj} is {where}.",
            "Almost. Go {where} for {obj}.",
        ],
        "offset_place": [
            "It missed {obj}: let go {where}.",
            "Not quite: go {where} to reach {obj}.",
        ],
        "more": ["More: {obj} is still {where}.", "Still not there, go {where} more for {obj}."],
        "vague_offset": ["You missed {obj}.", "Not quite there."],
        "object": [
            "No, the {desc}.",
            "Not that one, I meant the {desc}.",
            "Wrong {kind}: I meant the {desc}.",
        ],
        "vague_object": ["No, the other one.", "Not that one."],
        "drawer_closed": ["The drawer is closed.", "It can't go in, the drawer is shut."],
        "drawer_first": ["Open the drawer first.", "You need to open the drawer first."],
        "order": [
            "Open the drawer before you pick up {obj}.",
            "Put it down and open the drawer first.",
        ],
        "hands_full": ["Put down the {held} first.", "Let go of the {held} first."],
        "set_aside": ["Put the {held} somewhere else first.", "Set the {held} aside first."],
        "clear": ["First take {cover} off {target}.", "{Cover} has to come off {target} first."],
        "wrong_target": [
            "Not there: {obj} goes {target}.",
            "That's the wrong place; it goes {target}.",
        ],
        "next_grasp": ["Now pick up {obj}.", "Next, pick up {obj}."],
        "next_place": ["Now put it {target}.", "Good, now put it {target}."],
        "next_close": ["Now close the drawer.", "Good, now close the drawer."],
        "missing": ["No, that's not it.", "No."],
        "invalid": ["Use commands like 'pick red_block; place green_bowl' or 'move left 2cm'."],
    }
)
MISSION_BANK = Paraphrases(
    {
        "missed_grasp": ["You missed {obj}.", "That missed {obj}."],
        "missed_place": ["It missed {obj}.", "That did not land on {obj}."],
        "missed_again": ["Still not {obj}.", "Not there yet."],
        "grabbed": ["No, that's the {grabbed}.", "That's the {grabbed}, not {obj}."],
        "where_grasp": ["{Obj} is {where}.", "Go {where} for {obj}."],
        "where_place": ["Let go {where}.", "Go {where} to reach {obj}."],
        "where_again": ["{Obj} is still {where}.", "Go {where} more."],
        "not_that": ["Not that one.", "That's the wrong {kind}."],
        "meant": ["I meant the {desc}.", "I want the {desc}."],
        "covered": ["{Cover} is on {under}.", "{Under} has {cover} on it."],
        "uncover": ["Take it off first.", "That has to come off first."],
        "misplaced": ["Not there.", "That's the wrong place."],
        "goes": ["{Obj} goes {target}.", "It goes {target}."],
    }
)
"""Generation 1 words: each correction says what went wrong (hindsight) apart from where to
go or what to do (correction, future), so that the informativeness ladder can tell them apart."""
MAGNITUDES = ((0.75, None), (2.0, "a touch"), (3.5, "a bit"), (5.5, ""), (float("inf"), "a lot"))
"""Upper bounds (cm) of the words a person uses for a distance; under 0.75 cm says nothing."""
AXES = {
    ("x", 1): "to the right",
    ("x", -1): "to the left",
    ("y", 1): "further from me",
    ("y", -1): "closer to me",
}
"""Directions in the person's frame; the person stands at the near edge (y = 0)."""


@dataclass(frozen=True)
class PersonConfig:
    """How reliable the simulated person's corrections are (each a probability per correction)."""

    vague: float = 0.0
    """Says only the main direction without a size, or 'the other one' for an object."""
    wrong: float = 0.0
    """Says the opposite direction on the main axis, or names another object."""
    missing: float = 0.0
    """Says only 'No.'."""

    def __post_init__(self) -> None:
        for name in ("vague", "wrong", "missing"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and 0.0 <= value <= 1.0):
                raise ConfigError(f"{name} must be a probability in [0, 1], got {value!r}")


def words_for(offset: Sequence[float]) -> list[tuple[str, str | None]]:
    """An offset (x, y in cm) as the person says it.

    One (direction, size word) per axis that matters, the larger first.

    >>> words_for([-2.6, 0.3])
    [('to the left', 'a bit')]
    """
    said = []
    for axis, value in sorted(zip("xy", offset), key=lambda p: -abs(p[1])):
        size = next(word for bound, word in MAGNITUDES if abs(value) < bound)
        if size is not None:
            said.append((AXES[axis, 1 if value > 0 else -1], size))
    return said


def phrase(said: Sequence[tuple[str, str | None]]) -> str:
    """``[('to the left', 'a bit')]`` → ``a bit to the left``."""
    return " and ".join(f"{size} {direction}".strip() for direction, size in said)


def _flip(direction: str) -> str:
    opposite = {v: AXES[axis, -sign] for (axis, sign), v in AXES.items()}
    return opposite[direction]


def _capital(text: str) -> str:
    return text[0].upper() + text[1:]


def _spoken(name: str) -> str:
    return "the drawer" if name == "drawer" else "the " + name.replace("_", " ")


class RobotCritic(Critic):
    """Compares each attempt with the expert plan and corrects its first mistake.

    Skill level: where the object really is, in the person's frame, in quantised words
    ("a bit to the left" ≈ 2–3.5 cm, "more" when the last correction was not enough); the
    gripper ("put down the ... first"). Plan level: "no, the red one", "open the drawer first",
    "first take the red block off the blue block", what comes next. On generation 1 missions
    each correction is two sentences, what went wrong (hindsight: "You missed the red block.")
    and where to go or what to do ("It is a bit to the left."), and the fault names its goal.
    """

    def __init__(self, person: PersonConfig | None = None):
        self.person = person or PersonConfig()

    def critique(
        self, problem: Problem, history: Sequence[Turn], outcome: Outcome, rng: random.Random
    ) -> Critique:
        """The person's words on one attempt; notes say what kind of correction and any noise."""
        if outcome.success:
            return Critique(
                (FeedbackPart(K.HINDSIGHT_POSITIVE, BANK.say("success", rng)),),
                notes={"correction": None, "noise": None},
            )
        if not outcome.valid:
            return Critique(
                (FeedbackPart(K.FUTURE_POSITIVE, BANK.say("invalid", rng)),),
                notes={"correction": "invalid", "noise": None},
            )
        draws = {
            name: rng.random() < getattr(self.person, name)
            for name in ("missing", "wrong", "vague")
        }
        fault: dict[str, Any] = outcome.diagnosis.get("failure") or {"kind": "next"}
        kind = fault["kind"]
        if draws["missing"]:
            parts = (FeedbackPart(K.HINDSIGHT_NEGATIVE, BANK.say("missing", rng)),)
            return Critique(parts, notes={"correction": kind, "noise": "missing"})
        mission = problem.data.get("mission")
        goal: Goal = mission.goals[fault.get("goal", 0)] if mission else problem.data["goal"]
        noise = None
        if kind == "offset":
            parts, noise = self._offset(fault, history, draws, rng, mission is not None)
        elif kind == "wrong_object":
            parts, noise = self._object(problem, goal, draws, rng, mission is not None)
        else:
            parts = self._plan(goal, fault, rng, mission is not None)
        return Critique(tuple(parts), notes={"correction": kind, "noise": noise})

    def _offset(
        self,
        fault: dict[str, Any],
        history: Sequence[Turn],
        draws: dict[str, bool],
        rng: random.Random,
        split: bool,
    ) -> tuple[list[FeedbackPart], str | None]:
        obj = _spoken(fault["object"])
        said = words_for(fault["offset"]) or words_for([c * 4 for c in fault["offset"]])[:1]
        noise = None
        if draws["wrong"]:
            said = [(_flip(said[0][0]), said[0][1]), *said[1:]]
            noise = "wrong"
        elif draws["vague"]:
            if rng.random() < 0.5:
                text = BANK.say("vague_offset", rng, obj=obj)
                return [FeedbackPart(K.HINDSIGHT_NEGATIVE, text)], "vague"
            said = [(said[0][0], "")]
            noise = "vague"
        where = phrase(said)
        previous = history[-1].feedback.text if history else ""
        again = obj in previous and _said(previous) == [d for d, _ in said]
        grabbed = str(fault.get("grabbed", "")).replace("_", " ")
        if split:
            if again:
                what, where_key = "missed_again", "where_again"
            elif grabbed:
                what, where_key = "grabbed", "where_grasp"
            else:
                what, where_key = f"missed_{fault['skill']}", f"where_{fault['skill']}"
            fill = {"obj": obj, "Obj": _capital(obj), "where": where, "grabbed": grabbed}
            return [
                FeedbackPart(K.HINDSIGHT_NEGATIVE, MISSION_BANK.say(what, rng, **fill)),
                FeedbackPart(K.CORRECTION, MISSION_BANK.say(where_key, rng, **fill)),
            ], noise
        key = "more" if again else f"offset_{fault['skill']}"
        text = BANK.say(key, rng, obj=obj, where=where)
        return [FeedbackPart(K.CORRECTION, text)], noise

    def _object(
        self,
        problem: Problem,
        goal: Goal,
        draws: dict[str, bool],
        rng: random.Random,
        split: bool,
    ) -> tuple[list[FeedbackPart], str | None]:
        kind = goal.obj.split("_")[1]
        others = [
            n
            for n in problem.data["scene"].names
            if n.endswith("_" + kind) and n not in (goal.obj, goal.target)
        ]
        if draws["vague"] and not draws["wrong"]:
            return [FeedbackPart(K.HINDSIGHT_NEGATIVE, BANK.say("vague_object", rng))], "vague"
        meant, noise = goal.obj, None
        if draws["wrong"] and others:
            meant, noise = others[rng.randrange(len(others))], "wrong"
        colour = meant.split("_")[0]
        unique = sum(1 for n in problem.data["scene"].names if n.startswith(colour + "_")) == 1
        desc = f"{colour} one" if unique else meant.replace("_", " ")
        if split:
            return [
                FeedbackPart(K.HINDSIGHT_NEGATIVE, MISSION_BANK.say("not_that", rng, kind=kind)),
                FeedbackPart(K.CORRECTION, MISSION_BANK.say("meant", rng, desc=desc)),
            ], noise
        text = BANK.say("object", rng, desc=desc, kind=kind)
        return [FeedbackPart(K.CORRECTION, text)], noise

    def _plan(
        self, goal: Goal, fault: dict[str, Any], rng: random.Random, split: bool
    ) -> list[FeedbackPart]:
        kind, obj, target = fault["kind"], _spoken(goal.obj), _spoken(goal.target)
        into = f"on {target}" if goal.kind == "stack" else f"in {target}"
        if kind == "drawer_closed":
            return [
                FeedbackPart(K.HINDSIGHT_NEGATIVE, BANK.say("drawer_closed", rng)),
                FeedbackPart(K.FUTURE_POSITIVE, BANK.say("drawer_first", rng)),
            ]
        if kind == "order":
            return [FeedbackPart(K.FUTURE_POSITIVE, BANK.say("order", rng, obj=obj))]
        if kind in ("hands_full", "set_aside"):
            held = str(fault.get("object", "")).replace("_", " ")
            return [FeedbackPart(K.FUTURE_POSITIVE, BANK.say(kind, rng, held=held))]
        if kind == "clear":
            cover, under = _spoken(fault["object"]), _spoken(fault.get("under", goal.target))
            if split:
                fill = {"cover": cover, "Cover": _capital(cover), "under": under}
                return [
                    FeedbackPart(
                        K.HINDSIGHT_NEGATIVE,
                        MISSION_BANK.say("covered", rng, **fill, Under=_capital(under)),
                    ),
                    FeedbackPart(K.FUTURE_POSITIVE, MISSION_BANK.say("uncover", rng)),
                ]
            text = BANK.say(
                "clear", rng, cover=cover, Cover=cover[0].upper() + cover[1:], target=under
            )
            return [FeedbackPart(K.FUTURE_POSITIVE, text)]
        if kind == "wrong_target" and split:
            goes = MISSION_BANK.say("goes", rng, obj=obj, Obj=_capital(obj), target=into)
            return [
                FeedbackPart(K.HINDSIGHT_NEGATIVE, MISSION_BANK.say("misplaced", rng)),
                FeedbackPart(K.CORRECTION, goes),
            ]
        if kind == "wrong_target":
            return [FeedbackPart(K.CORRECTION, BANK.say("wrong_target", rng, obj=obj, target=into))]
        step = fault.get("step", "grasp")
        if step == "open drawer":
            return [FeedbackPart(K.FUTURE_POSITIVE, BANK.say("drawer_first", rng))]
        if step == "close drawer":
            return [FeedbackPart(K.FUTURE_POSITIVE, BANK.say("next_close", rng))]
        if step == "place":
            return [FeedbackPart(K.FUTURE_POSITIVE, BANK.say("next_place", rng, target=into))]
        return [FeedbackPart(K.FUTURE_POSITIVE, BANK.say("next_grasp", rng, obj=obj))]


class RobotUser(SimulatedUser):
    """The person in one channel.

    In ``ranked`` it also compares with the attempt before ("closer than the last attempt").
    """

    def respond(
        self, problem: Problem, history: Sequence[Turn], outcome: Outcome, rng: random.Random
    ) -> Feedback:
        """Feedback on the action graded as ``outcome``."""
        feedback = super().respond(problem, history, outcome, rng)
        earlier = [t for t in history if t.outcome.graded]
        if self.channel is not Channel.RANKED or not earlier or outcome.success:
            return feedback
        last = earlier[-1].outcome.utility or 0.0
        now = outcome.utility or 0.0
        comparison = "closer" if now > last + 1e-9 else "further" if now < last - 1e-9 else "same"
        words = {
            "closer": "Closer than the last attempt.",
            "further": "Further off than the last attempt.",
            "same": "No closer than the last attempt.",
        }[comparison]
        return replace(
            feedback,
            text=f"{feedback.text} {words}",
            meta={**feedback.meta, "comparison": comparison},
        )


def _said(text: str) -> list[str]:
    """The directions a sentence names, in order of appearance."""
    found = [(text.find(d), d) for d in AXES.values() if d in text]
    return [d for _, d in sorted(found)]
