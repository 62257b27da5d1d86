"""The robot family's baseline: plans that apply the person's corrections and remember them.

Each turn the policy writes a full plan for every goal not yet reached (as the observation
shows the table): open the drawer if it has learnt to or sees an object inside, take off
what sits on a goal's block, reach each object with the grasp offset it has learnt for it,
grasp, place; close the drawer if asked. The plan stops where a skill fails, and the
observation's log says which reach that was. What it changes between turns depends on the
channel:

- ``verbal``: it reads the correction — "a bit to the left" moves that object's offset by
  about 2.75 cm, "no, the red one" switches object, "open the drawer first" adds that step;
- ``ranked`` / ``scalar``: it searches offsets of the failing reach around its best-ranked
  attempt;
- ``unary``: it tries untried offsets and objects for the failing reach;
- blind (``use_feedback=False``): a new random offset and object each turn, no memory.

With feedback, offsets that reached their object and rules the person taught go into
``memory``, so later episodes with the same robot and person start from them (teachability).
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass
from typing import Any

from fbgym.core.env import Observation
from fbgym.envs.robot.language import moves

SIZES = {"a touch": 1.4, "a bit": 2.75, "": 4.5, "a lot": 6.5}
"""What the person's size words mean, in cm (the middle of each word's range)."""
DIRECTIONS = {
    "to the left": (-1.0, 0.0),
    "to the right": (1.0, 0.0),
    "further from me": (0.0, 1.0),
    "closer to me": (0.0, -1.0),
}
_CLAUSE = re.compile(r"(?:(a touch|a bit|a lot)\s+)?(?:more\s+)?(" + "|".join(DIRECTIONS) + ")")
_OBJECT = re.compile(r"(that's the |\b)([a-z]+)\s+(block|ball|bowl|one)\b")
_RESTS_ON = re.compile(r"^- (\w+) \(\w+\) at \([^)]*\), on (\w+)$", re.M)
_WHERE = re.compile(r"^- (\w+) \(\w+\)(?: at \([^)]*\),|:) (.+)$", re.M)
_HOLDING = re.compile(r"Gripper: at \([^)]*\), holding (\w+)")
_LOG = re.compile(r"^  \d+\. (.+?): (.+)$", re.M)
_STEP = 3.0
"""Offset search step (cm) for the channels that do not say where."""
_SEARCH = [(0.0, 0.0)] + [
    (round(r * math.cos(a), 2), round(r * math.sin(a), 2))
    for r in (_STEP, 2 * _STEP)
    for a in [k * math.pi / 4 for k in range(8)]
]
Offset = tuple[float, float]


@dataclass
class _Goal:
    """One goal as the policy pursues it."""

    task: str
    target: str
    candidates: list[str]
    """The objects the instruction's words may mean."""
    choice: str
    """The one the policy takes them to mean."""


class RobotPolicy:
    """One episode's planner (see the module docstring)."""

    def __init__(
        self,
        problem: dict[str, Any],
        *,
        use_feedback: bool,
        rng: random.Random,
        memory: dict[str, Any],
    ):
        kinds = dict(zip(problem["objects"], problem["kinds"]))
        stated = problem.get("goals") or [
            {k: problem[k] for k in ("task", "object", "target")}
        ]  # generation 0 states one goal
        named = {g["object"] for g in stated} | {g["target"] for g in stated}
        self.goals = []
        for g in stated:
            words = set(g["object"].split("_"))
            fits = [
                n
                for n, k in kinds.items()
                if k in ("block", "ball") and words <= set(n.split("_")) and n != g["target"]
            ]
            others = [n for n in fits if n == g["object"] or n not in named]
            candidates = others or fits
            choice = candidates[rng.randrange(len(candidates))]
            self.goals.append(_Goal(g["task"], g["target"], candidates, choice))
        self.close = bool(problem.get("close_drawer", False))
        bowls = [n for n, k in kinds.items() if k == "bowl"]
        spare = [b for b in bowls if b not in {g.target for g in self.goals}]
        self.dump = (spare or bowls)[0]
        """Where things that are in the way go."""
        self.colours = {n.split("_")[0] for n in kinds}
        self.use_feedback, self.rng = use_feedback, rng
        self.memory = memory if use_feedback else {}
        self.offsets: dict[str, Offset] = dict(self.memory.get("offsets", {}))
        self.known = dict(self.offsets)
        """Offsets learnt in earlier episodes: the centres of the searches."""
        self.open_first = bool(self.memory.get("drawer_first", False))
        self.turn = 0
        self.trials: dict[str, list[tuple[int, str, Offset]]] = {}
        self.values: list[float] = []

    def act(self, observation: Observation, info: dict[str, Any]) -> str:
        """The next plan."""
        feedback = info.get("feedback")
        text = observation["observation"]
        if feedback is not None and not info.get("success"):
            self._learn(feedback, text)
        self.turn += 1
        return self._plan(text)

    # -- learning from feedback ------------------------------------------------------------

    def _learn(self, feedback: Any, observation: str) -> None:
        """Take in the last plan's log and the feedback on it, as the channel allows."""
        log = (
            _LOG.findall(observation.split("Last plan:")[-1]) if "Last plan:" in observation else []
        )
        if not self.use_feedback:
            self._resample()
            return
        self._keep_reaches(log)
        failing = _failing(log)
        shut = any("drawer is closed" in message for _, message in log)
        self.open_first = self.open_first or shut
        if feedback.channel.value == "verbal":
            self._read(feedback.text, failing)
            return
        # no words say what is missing: open a drawer that a goal needs, to rule it out
        self.open_first = self.open_first or any(g.task in ("drawer", "fetch") for g in self.goals)
        suspect = failing or (None if shut else self._unfinished(observation))
        if feedback.channel.value in ("ranked", "scalar"):
            self._climb(feedback, suspect)
        else:
            self._explore(suspect)

    def _keep_reaches(self, log: list[tuple[str, str]]) -> None:
        """Remember the offsets of reaches that grasped their object or stacked on it."""
        reached = None
        for command, message in log:
            if command.startswith("move to "):
                reached = command.removeprefix("move to ")
            done = message.startswith(("grasped ", "released")) and " on " + str(reached) in message
            if reached is not None and (message == f"grasped {reached}" or done):
                self._learnt(reached, self.offset(reached))

    def _learnt(self, name: str, offset: Offset) -> None:
        """``name`` is reached with ``offset``: use it, and remember it for later episodes."""
        self.offsets[name] = (round(offset[0], 2), round(offset[1], 2))
        self.memory.setdefault("offsets", {})[name] = self.offsets[name]

    def _read(self, text: str, failing: str | None) -> None:
        """Apply one verbal correction and remember what generalises."""
        lower = text.lower()
        if "open the drawer" in lower:
            self.open_first = True
            self.memory["drawer_first"] = True
        clauses = _CLAUSE.findall(lower)
        mentions = [
            m for m in _OBJECT.finditer(lower) if not m.group(1) and m.group(2) in self.colours
        ]
        if clauses:
            name = (self._named(mentions[0]) if mentions else None) or failing
            name = name or self.goals[0].choice
            dx = sum(SIZES[size] * DIRECTIONS[d][0] for size, d in clauses)
            dy = sum(SIZES[size] * DIRECTIONS[d][1] for size, d in clauses)
            x, y = self.offset(name)
            self._learnt(name, (x + dx, y + dy))
        elif mentions and any(w in lower for w in ("no,", "meant", "want", "pick up")):
            named = self._named(mentions[0])
            goal = next((g for g in self.goals if named in g.candidates), None)
            if goal is not None and named is not None:
                goal.choice = named
        elif "other one" in lower or "not that one" in lower:
            goal = self._goal_of(failing)
            others = [c for c in goal.candidates if c != goal.choice]
            if others:
                goal.choice = others[self.rng.randrange(len(others))]
        elif "missed" in lower or "not quite" in lower or lower.startswith(("no.", "no, that")):
            name = (self._named(mentions[0]) if mentions else None) or failing
            self._nudge(name or self.goals[0].choice)

    def _named(self, mention: re.Match[str]) -> str | None:
        colour, kind = mention.group(2), mention.group(3)
        if kind != "one":
            return f"{colour}_{kind}"
        matches = [c for g in self.goals for c in g.candidates if c.startswith(colour + "_")]
        return matches[0] if matches else None

    def _unfinished(self, observation: str) -> str | None:
        """The chosen object of the first goal the observation does not show reached."""
        where = dict(_WHERE.findall(observation))
        return next(
            (g.choice for g in self.goals if not _reached(g, where.get(g.choice, ""))), None
        )

    def _goal_of(self, name: str | None) -> _Goal:
        """The goal ``name`` is the chosen object or target of (else the first)."""
        return next((g for g in self.goals if name in (g.choice, g.target)), self.goals[0])

    def _nudge(self, name: str) -> None:
        x, y = self.offset(name)
        a = self.rng.uniform(0, 2 * math.pi)
        self.offsets[name] = (
            round(x + _STEP * math.cos(a), 2),
            round(y + _STEP * math.sin(a), 2),
        )

    def _resample(self) -> None:
        """The blind twin: another object, drawer step and offset for everything, at random."""
        for goal in self.goals:
            goal.choice = goal.candidates[self.rng.randrange(len(goal.candidates))]
        self.open_first = self.rng.random() < 0.5
        self.offsets = {}
        for name in sorted({n for g in self.goals for n in (*g.candidates, g.target)}):
            r, a = 6.0 * math.sqrt(self.rng.random()), self.rng.uniform(0, 2 * math.pi)
            self.offsets[name] = (r * math.cos(a), r * math.sin(a))

    def _explore(self, failing: str | None) -> None:
        """Without usable content: an untried object or offset for the failing reach."""
        if failing is None:
            return
        goal = self._goal_of(failing)
        names = goal.candidates if failing == goal.choice else [failing]
        tried = {(n, off) for n, trials in self.trials.items() for _, _, off in trials}
        for dx, dy in _SEARCH:
            for name in names:
                x, y = self.known.get(name, (0.0, 0.0))
                off = (round(x + dx, 2), round(y + dy, 2))
                if (name, off) not in tried:
                    if name in goal.candidates:
                        goal.choice = name
                    self.offsets[name] = off
                    return

    def _climb(self, feedback: Any, failing: str | None) -> None:
        """Compass search on the failing reach around its best-ranked attempt.

        Other objects come first; the step halves when the best attempt's neighbours are tried.
        """
        if feedback.ranking:
            order = [t for group in feedback.ranking for t in group]
        else:  # scalar: rank by the values seen
            self.values.append(float(feedback.value or 0.0))
            order = sorted(range(1, len(self.values) + 1), key=lambda t: -self.values[t - 1])
        if failing is None:
            return
        goal = self._goal_of(failing)
        names = [failing]
        if failing == goal.choice:
            untried = [c for c in goal.candidates if c not in self.trials]
            if untried:
                goal.choice = untried[0]
                return
            names = goal.candidates
        ranked = [t for n in names for t in self.trials.get(n, []) if t[0] in order]
        if not ranked:
            self._explore(failing)
            return
        _, name, (bx, by) = min(ranked, key=lambda t: order.index(t[0]))
        if name in goal.candidates:
            goal.choice = name
        tried = {t[2] for t in self.trials.get(name, [])}
        step = _STEP
        while step >= 0.5:
            for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1)):
                total = (round(bx + dx * step, 2), round(by + dy * step, 2))
                if total not in tried:
                    self.offsets[name] = total
                    return
            step /= 2
        self._explore(failing)

    # -- planning --------------------------------------------------------------------------

    def offset(self, name: str) -> Offset:
        """The move the policy adds after ``move to name``: the offset it has for the object."""
        return self.offsets.get(name, (0.0, 0.0))

    def _plan(self, observation: str) -> str:
        plan = self._write(observation)
        if not plan:  # every goal looks reached, yet the person is not content
            for goal in self.goals:
                if len(goal.candidates) > 1:  # so another object was meant
                    i = goal.candidates.index(goal.choice)
                    goal.choice = goal.candidates[(i + 1) % len(goal.candidates)]
            plan = self._write(observation)
        return plan or "release"

    def _write(self, observation: str) -> str:
        """The plan for every goal the observation does not show reached."""
        holding = _HOLDING.search(observation)
        held = holding.group(1) if holding else None
        where = dict(_WHERE.findall(observation))
        drawer_open = "Drawer: open" in observation
        pending = [g for g in self.goals if not _reached(g, where.get(g.choice, ""))]
        inside = any(where.get(g.choice) == "in the closed drawer" for g in pending)
        needs = [g for g in pending if g.task in ("drawer", "fetch")]
        plan: list[str] = []
        open_it = not drawer_open and (inside or (needs and self.open_first))
        if held is not None and held not in {g.choice for g in pending}:
            plan.append(f"place {self.dump}")  # out of the way, not back where it was
            held = None
        elif held is not None and open_it:
            plan.append("release")
            held = None
        if open_it:
            plan.append("open drawer")
        pending.sort(key=lambda g: g.choice != held)  # finish what is in hand first
        for goal in pending:
            for name in _stack_above(observation, goal.choice) + _stack_above(
                observation, goal.target
            ):
                plan += self._reach(name) + ["grasp", f"place {self.dump}"]
            if held != goal.choice:
                plan += self._reach(goal.choice) + ["grasp"]
            held = None
            if goal.target == "drawer":
                plan.append("place drawer")
            elif goal.target in self.offsets or goal.task == "stack":
                plan += self._reach(goal.target) + ["release"]
            else:
                plan.append(f"place {goal.target}")
        if self.close and (drawer_open or open_it):
            plan.append("close drawer")
        if not plan:  # every goal looks reached, yet the person is not content
            vague = [g for g in self.goals if len(g.candidates) > 1]
            for goal in vague:
                goal.choice = goal.candidates[
                    (goal.candidates.index(goal.choice) + 1) % len(goal.candidates)
                ]
            return self._plan(observation) if vague else "release"
        return "; ".join(plan)

    def _reach(self, name: str) -> list[str]:
        dx, dy = self.offset(name)
        self.trials.setdefault(name, []).append((self.turn, name, (dx, dy)))
        return [f"move to {name}", *moves(dx, dy, digits=2)]


def _reached(goal: _Goal, where: str) -> bool:
    """Whether the observation's ``where`` of the chosen object says its goal holds."""
    if goal.target == "drawer":
        return where.startswith("in the") and "drawer" in where
    return where in (f"in {goal.target}", f"on {goal.target}")


def _failing(log: list[tuple[str, str]]) -> str | None:
    """The object of the reach that the last plan stopped at, if a reach failed."""
    if not log:
        return None
    command, message = log[-1]
    if not (
        message.startswith(("missed", "the gripper closed"))
        or "fell off" in message
        or "hit the rim" in message
        or ", not " in message
    ):
        return None
    reaches = [c.removeprefix("move to ") for c, _ in log if c.startswith("move to ")]
    if command.startswith("place "):
        return command.removeprefix("place ")
    return reaches[-1] if reaches else None


def _stack_above(observation: str, name: str) -> list[str]:
    """What the observation says is stacked on ``name``, topmost first."""
    on = {below: above for above, below in _RESTS_ON.findall(observation)}
    stack = [name]
    while stack[-1] in on and len(stack) < 10:
        stack.append(on[stack[-1]])
    return stack[:0:-1]


def robot_policy(
    problem: dict[str, Any], *, use_feedback: bool, rng: random.Random, memory: dict[str, Any]
) -> RobotPolicy:
    """The robot family's baseline policy."""
    return RobotPolicy(problem, use_feedback=use_feedback, rng=rng, memory=memory)
