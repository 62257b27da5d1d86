"""The robot family's baseline: plans that apply the person's corrections and remember them.

Each turn the policy writes a full plan — open the drawer if it has learnt to, reach the
object it thinks is meant with the grasp offset it has learnt for it, grasp, place. What it
changes between turns depends on the channel:

- ``verbal``: it reads the correction — "a bit to the left" moves that object's offset by
  about 2.75 cm, "no, the red one" switches object, "open the drawer first" adds that step —
  and writes offsets and rules into ``memory``, so later episodes with the same robot and
  person start from them (teachability);
- ``ranked`` / ``scalar``: it searches offsets around the best-ranked attempt so far;
- ``unary``: it tries untried offsets and objects;
- blind (``use_feedback=False``): a new random offset and object each turn, no memory.
"""

from __future__ import annotations

import math
import random
import re
from typing import Any

from fbgym.agents.base import Observation
from fbgym.agents.baselines import policy

SIZES = {"a touch": 1.4, "a bit": 2.75, "": 4.5, "a lot": 6.5}
"""What the person's size words mean, in cm (the middle of each word's range)."""
DIRECTIONS = {
    "to the left": (-1.0, 0.0),
    "to the right": (1.0, 0.0),
    "further from me": (0.0, 1.0),
    "closer to me": (0.0, -1.0),
}
_CLAUSE = re.compile(r"(?:(a touch|a bit|a lot)\s+)?(?:more\s+)?(" + "|".join(DIRECTIONS) + ")")
_COLOURS = "red|green|blue|yellow|purple|orange"
_OBJECT = re.compile(rf"\b({_COLOURS})\s+(block|ball|bowl|one)\b")
_CLEAR = re.compile(rf"\b({_COLOURS})\s+(block|ball)\s+(?:off|has to come off)\b")
_RESTS_ON = re.compile(r"^- (\w+) \(\w+\) at \([^)]*\), on (\w+)$", re.M)
_HOLDING = re.compile(r"Gripper: at \([^)]*\), holding (\w+)")
_STEP = 3.0
"""Offset search step (cm) for the channels that do not say where."""
_SEARCH = [(0.0, 0.0)] + [
    (round(r * math.cos(a), 2), round(r * math.sin(a), 2))
    for r in (_STEP, 2 * _STEP)
    for a in [k * math.pi / 4 for k in range(8)]
]


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
        self.task, self.target = problem["task"], problem["target"]
        kinds = dict(zip(problem["objects"], problem["kinds"]))
        words = set(problem["object"].split("_"))
        self.candidates = [
            n
            for n, k in kinds.items()
            if k in ("block", "ball") and words <= set(n.split("_")) and n != self.target
        ]
        self.use_feedback, self.rng = use_feedback, rng
        self.memory = memory if use_feedback else {}
        self.offsets: dict[str, tuple[float, float]] = dict(self.memory.get("offsets", {}))
        self.open_first = bool(self.memory.get("drawer_first", False))
        self.choice = self.candidates[rng.randrange(len(self.candidates))]
        self.tried: list[tuple[str, bool, tuple[float, float]]] = []
        self.bowl = next((n for n, k in kinds.items() if k == "bowl"), None)
        self.clear: str | None = None
        self.values: list[float] = []

    def act(self, observation: Observation, info: dict[str, Any]) -> str:
        """The next plan."""
        feedback = info.get("feedback")
        if feedback is not None and not info.get("success"):
            if not self.use_feedback:
                self._explore(random_offset=True)
            elif feedback.channel.value == "verbal":
                self._read(feedback.text)
            elif feedback.channel.value in ("ranked", "scalar"):
                self._climb(feedback)
            else:
                self._explore(random_offset=False)
        return self._plan(observation["observation"])

    # -- learning from feedback ------------------------------------------------------------

    def _read(self, text: str) -> None:
        """Apply one verbal correction and remember what generalises."""
        lower = text.lower()
        if "open the drawer" in lower:
            self.open_first = True
            self.memory["drawer_first"] = True
        cover = _CLEAR.search(lower)
        if cover is not None:
            self.clear = f"{cover.group(1)}_{cover.group(2)}"
            return
        clauses = _CLAUSE.findall(lower)
        mention = _OBJECT.search(lower)
        if clauses:
            name = self._named(mention) if mention else None
            name = name or self.choice
            dx = sum(SIZES[size] * DIRECTIONS[d][0] for size, d in clauses)
            dy = sum(SIZES[size] * DIRECTIONS[d][1] for size, d in clauses)
            x, y = self.offsets.get(name, (0.0, 0.0))
            self.offsets[name] = (round(x + dx, 2), round(y + dy, 2))
            self.memory.setdefault("offsets", {})[name] = self.offsets[name]
        elif (
            mention
            and mention.group(2) in ("one", "block", "ball")
            and ("no," in lower or "meant" in lower)
        ):
            named = self._named(mention)
            if named is not None:
                self.choice = named
        elif "other one" in lower or "not that one" in lower:
            others = [c for c in self.candidates if c != self.choice]
            if others:
                self.choice = others[self.rng.randrange(len(others))]
        elif "missed" in lower or "not quite" in lower or lower.startswith(("no.", "no, that")):
            self._nudge(self.choice)

    def _named(self, mention: re.Match[str]) -> str | None:
        colour, kind = mention.group(1), mention.group(2)
        name = f"{colour}_{kind}"
        if kind in ("block", "ball", "bowl") and name in (*self.candidates, self.target):
            return name
        matches = [c for c in self.candidates if c.startswith(colour + "_")]
        return matches[0] if matches else None

    def _nudge(self, name: str) -> None:
        x, y = self.offsets.get(name, (0.0, 0.0))
        a = self.rng.uniform(0, 2 * math.pi)
        self.offsets[name] = (round(x + _STEP * math.cos(a), 2), round(y + _STEP * math.sin(a), 2))

    def _explore(self, *, random_offset: bool) -> None:
        """Without usable content: another object, drawer step or offset (untried if we can)."""
        if random_offset:  # the blind twin: resample everything
            self.choice = self.candidates[self.rng.randrange(len(self.candidates))]
            self.open_first = self.rng.random() < 0.5
            r, a = 6.0 * math.sqrt(self.rng.random()), self.rng.uniform(0, 2 * math.pi)
            self.offsets = {self.choice: (r * math.cos(a), r * math.sin(a))}
            return
        options = [
            (c, o, off)
            for off in _SEARCH
            for c in self.candidates
            for o in ((True,) if self.task == "drawer" else (False,))
        ]
        untried = [opt for opt in options if opt not in self.tried]
        if untried:
            self.choice, self.open_first, offset = untried[0]
            self.offsets[self.choice] = offset

    def _climb(self, feedback: Any) -> None:
        """Compass search around the best-ranked attempt, other objects first.

        The step halves when no neighbour of the best attempt is better.
        """
        if self.task == "drawer":
            self.open_first = True
        if feedback.ranking:
            best_turn = feedback.ranking[0][0]
        else:  # scalar: rank by the values seen
            self.values.append(float(feedback.value or 0.0))
            best_turn = self.values.index(max(self.values)) + 1
        if not 0 < best_turn <= len(self.tried):
            self._explore(random_offset=False)
            return
        choice, _, (bx, by) = self.tried[best_turn - 1]
        untried_objects = [c for c in self.candidates if all(t[0] != c for t in self.tried)]
        if untried_objects:
            self.choice = untried_objects[0]
            self.offsets[self.choice] = self.offsets.get(self.choice, (0.0, 0.0))
            return
        self.choice = choice
        tried = {(t[0], t[2]) for t in self.tried}
        step = _STEP
        while step >= 0.5:
            for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1)):
                offset = (round(bx + dx * step, 2), round(by + dy * step, 2))
                if (choice, offset) not in tried:
                    self.offsets[choice] = offset
                    return
            step /= 2
        self._explore(random_offset=False)

    # -- planning --------------------------------------------------------------------------

    def _plan(self, observation: str) -> str:
        holding = _HOLDING.search(observation)
        held = holding.group(1) if holding else None
        drawer_open = "Drawer: open" in observation
        plan: list[str] = []
        need_drawer = self.task == "drawer" and self.open_first and not drawer_open
        if held is not None and (held != self.choice or need_drawer):
            plan.append("release")
            held = None
        if need_drawer:
            plan.append("open drawer")
        if self.clear is not None and self.bowl is not None:
            if held is not None:
                plan.append("release")
                held = None
            for name in _stack_above(observation, self.clear):  # top first
                plan += self._reach(name) + ["grasp", f"place {self.bowl}"]
            self.clear = None
        if held != self.choice:
            plan += self._reach(self.choice) + ["grasp"]
        if self.target in self.offsets or self.task == "stack":
            plan += self._reach(self.target) + ["release"]
        else:
            plan.append(f"place {self.target}")
        self.tried.append((self.choice, self.open_first, self.offsets.get(self.choice, (0.0, 0.0))))
        return "; ".join(plan)

    def _reach(self, name: str) -> list[str]:
        plan = [f"move to {name}"]
        dx, dy = self.offsets.get(name, (0.0, 0.0))
        if abs(dx) >= 0.05:
            plan.append(f"move {'right' if dx > 0 else 'left'} {abs(dx):.2f}cm")
        if abs(dy) >= 0.05:
            plan.append(f"move {'forward' if dy > 0 else 'back'} {abs(dy):.2f}cm")
        return plan


def _stack_above(observation: str, name: str) -> list[str]:
    """``name`` and what the observation says is stacked on it, topmost first."""
    on = {below: above for above, below in _RESTS_ON.findall(observation)}
    stack = [name]
    while stack[-1] in on and len(stack) < 10:
        stack.append(on[stack[-1]])
    return stack[::-1]


@policy("robot")
def robot_policy(
    problem: dict[str, Any], *, use_feedback: bool, rng: random.Random, memory: dict[str, Any]
) -> RobotPolicy:
    """The robot family's baseline policy."""
    return RobotPolicy(problem, use_feedback=use_feedback, rng=rng, memory=memory)
