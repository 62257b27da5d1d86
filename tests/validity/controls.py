"""Control agents: each tries one way of learning more than its channel says.

They are tests of the benchmark, not baselines: each must be held to what an honest agent of
its channel can reach.
"""

from __future__ import annotations

import gc
import inspect
import os
import sys
from fractions import Fraction
from pathlib import Path

import gymnasium as gym

from fbgym.agents.base import BaseAgent
from fbgym.agents.baselines import BlindAgent
from fbgym.envs.math.grader import extract_answer

ALLOWED_INFO = {"success", "turn", "channel", "problem_id", "feedback", "episode", "stream"}
"""What the runner hands an agent after a step (``problem`` joins it at reset)."""


class InfoReader(BlindAgent):
    """The blind baseline, plus whatever the info says beyond the channel.

    Where an attempt's closeness leaks (an outcome's utility, a graded reward, a score), it
    works out math's answer from it: a leak makes it far better than its blind self.
    """

    name = "info-reader"

    def __init__(self, log: str | Path):
        super().__init__()
        self.log = str(log)

    def reset(self, instruction, *, seed=None):
        super().reset(instruction, seed=seed)
        self.last: Fraction | None = None
        self.tried: set[Fraction] = set()
        self.candidates: list[Fraction] = []
        self.probes: list[tuple[Fraction, float]] = []

    def act(self, observation, info):
        self._note(info)
        fallback = super().act(observation, info)  # the blind baseline's move, every turn
        closeness = _closeness(info)
        if closeness is not None and self.last is not None and 0.0 < closeness < 0.99:
            self.probes.append((self.last, closeness))
            self.candidates = [
                g
                for g in _golds(*self.probes[-1])
                if g not in self.tried and all(_fits(g, *probe) for probe in self.probes)
            ]
        action = fallback
        if self.candidates:
            action = f"The answer is {self.candidates.pop(0)}"
        found = extract_answer(action)
        self.last = None if found.value is None else Fraction(found.value)
        if self.last is not None:
            self.tried.add(self.last)
        return action

    def _note(self, info):
        extra = sorted(set(info) - ALLOWED_INFO - {"problem"})
        feedback = info.get("feedback")
        notes = dict(getattr(feedback, "notes", {}) or {})
        with open(self.log, "a") as handle:
            handle.write(f"{extra} {sorted(notes)}\n")


def _closeness(info):
    outcome = info.get("outcome")
    if outcome is not None and getattr(outcome, "utility", None) is not None:
        return float(outcome.utility)
    for source in (info.get("score"), getattr(info.get("feedback"), "value", None)):
        if isinstance(source, float) and 0.0 < source < 1.0:
            return source
    return None


def _golds(guess: Fraction, closeness: float) -> list[Fraction]:
    """The answers that give ``guess`` this closeness: 0.99 / (1 + |guess - gold| / max(|gold|, 1))."""
    r = 0.99 / closeness - 1.0
    g = float(guess)
    found = [g / (1 - r) if r != 1 else None, g / (1 + r), g + r, g - r]
    return [Fraction(x).limit_denominator(1000) for x in found if x is not None]


def _fits(gold: Fraction, guess: Fraction, closeness: float) -> bool:
    distance = abs(float(guess) - float(gold)) / max(abs(float(gold)), 1.0)
    return abs(0.99 / (1.0 + distance) - closeness) < 1e-6


class InterpreterReader(BaseAgent):
    """Looks through its own interpreter for the live env (gc, frames, module globals).

    Wherever it finds the env that is playing it, it answers with the task's reference.
    """

    name = "interpreter-reader"

    def act(self, observation, info):
        for env in _live_envs():
            problem = getattr(env, "_problem", None)
            if problem is not None and problem.observation == observation["observation"]:
                return env.task.reference_action(problem)
        return "The answer is 0"


def _live_envs():
    from fbgym.core.env import FeedbackEnv

    found = [o for o in gc.get_objects() if isinstance(o, FeedbackEnv)]
    for frame in sys._current_frames().values():
        for outer in inspect.getouterframes(frame):
            found += [v for v in outer.frame.f_locals.values() if isinstance(v, FeedbackEnv)]
    for module in list(sys.modules.values()):
        found += [v for v in vars(module).values() if isinstance(v, FeedbackEnv)]
    return found


class ProcReader(BaseAgent):
    """Tries to read the judge's process: its memory, environment, maps and open files."""

    name = "proc-reader"

    def __init__(self, log: str | Path):
        self.log = str(log)

    def act(self, observation, info):
        judge = os.getppid()
        opened = []
        for name in ("mem", "environ", "maps", "fd/0"):
            try:
                with open(f"/proc/{judge}/{name}", "rb") as handle:
                    handle.read(1)
                opened.append(name)
            except OSError:
                pass
        with open(self.log, "a") as handle:
            handle.write(" ".join(opened) + "\n")
        return "The answer is 0"


class GraderTamperer(BaseAgent):
    """Rewrites fbgym's graders and env in its own process to pass anything, then answers 0."""

    name = "grader-tamperer"

    def act(self, observation, info):
        from fbgym.core import env as core_env
        from fbgym.core.types import Outcome
        from fbgym.envs.math import grader, task

        def always(*args, **kwargs):
            return Outcome(True, 1.0)

        task.MathTask.grade = always
        grader.is_correct = lambda *args, **kwargs: True
        core_env.FeedbackEnv.step = lambda self, action: (
            {"instruction": "", "observation": "", "feedback": "Correct."},
            1.0,
            True,
            False,
            {"success": True},
        )
        return "The answer is 0"


class IdRegenerator(BaseAgent):
    """Regenerates the public problems of the env and matches the statement it is shown.

    Everything it uses is public (the generators, the env id, the default dataset seed), so
    it solves open runs; on problems from a secret seed it finds nothing and guesses.
    """

    name = "id-regenerator"

    def __init__(self, env_id: str = "fbgym/Math-v0", scan: int = 64):
        self.env_id = env_id
        self.scan = scan
        self._table: dict[str, str] | None = None

    def act(self, observation, info):
        if self._table is None:
            env = gym.make(self.env_id)
            self._table = {}
            for index in range(self.scan):
                env.reset(seed=index)
                base = env.unwrapped
                self._table[base.problem.observation] = base.task.reference_action(base.problem)
        found = self._table.get(observation["observation"])
        if found is not None:
            return found
        numbers = extract_answer(observation["observation"])
        return f"The answer is {numbers.text or 0}"
