"""check_feedback_env catches each way an env can break the contract, with a usable message."""

import dataclasses
import random

import pytest

import fbgym
from fbgym.envs.math.env import MathEnv
from fbgym.utils import EnvContractError, check_feedback_env


class LeakyInfo(MathEnv):
    """Hands the grader's verdict to the agent, as fbgym once did."""

    def step(self, action):
        obs, reward, terminated, truncated, info = super().step(action)
        return obs, reward, terminated, truncated, {**info, "outcome": self.history[-1].outcome}


class FlaggedMeta(MathEnv):
    """Tells the agent, in meta, when its hint is deliberately wrong."""

    def step(self, action):
        obs, reward, terminated, truncated, info = super().step(action)
        feedback = dataclasses.replace(info["feedback"], meta={"wrong_hint": False})
        return obs, reward, terminated, truncated, {**info, "feedback": feedback}


class GradedReward(MathEnv):
    """Pays out closeness in every channel."""

    def step(self, action):
        obs, _, terminated, truncated, info = super().step(action)
        return obs, float(self.history[-1].outcome.utility or 0.0), terminated, truncated, info


class Unseeded(MathEnv):
    """Draws its problems from the global random state."""

    def reset(self, *, seed=None, options=None):
        return super().reset(seed=seed, options={"index": random.randrange(10**6)})


class CrashesOnBytes(MathEnv):
    """Raises on a non-text action instead of grading it as a failed attempt."""

    def step(self, action):
        if isinstance(action, bytes):
            raise TypeError("bytes")
        return super().step(action)


class WrongOracle(MathEnv):
    """Its task's reference action does not solve the problem."""

    def reset(self, *, seed=None, options=None):
        out = super().reset(seed=seed, options=options)
        self.task.reference_action = lambda problem: "The answer is 123456789"
        return out


CASES = [
    (LeakyInfo, ("verbal",), "holds ['outcome'] beyond the agent's view"),
    (FlaggedMeta, ("verbal",), "meta ['wrong_hint'] says more than its text"),
    (FlaggedMeta, ("unary",), "unary feedback carries meta ['wrong_hint']"),
    (GradedReward, ("ranked",), "only 1 (success) or 0 may be given"),
    (Unseeded, ("verbal",), "non-deterministic"),
    (CrashesOnBytes, ("verbal",), "bad actions: raised TypeError"),
    (WrongOracle, ("verbal",), "does not succeed on turn 1"),
]


@pytest.mark.parametrize("cls,channels,says", CASES, ids=[c[0].__name__ for c in CASES])
def test_each_breach_is_caught_with_a_message(cls, channels, says):
    env_id = f"checker/{cls.__name__}-v0"
    fbgym.register(env_id, cls, family="math", channels=channels)
    try:
        with pytest.raises(EnvContractError, match=r"checker/.*" + f".*{_escaped(says)}"):
            check_feedback_env(env_id, across_processes=False)
    finally:
        fbgym.registry.unregister(env_id)


def test_a_sound_env_passes_and_reports_what_it_checked():
    report = check_feedback_env("fbgym/Math-v0", channels=["unary"], seeds=(0,))
    assert report.channels == ("unary",)
    assert "unary: bad actions" in report.checks and "identical across processes" in report.checks


def _escaped(text):
    import re

    return re.escape(text)
