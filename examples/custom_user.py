"""Register a new simulated user and play Math-v0 against it.

A "forgetful teacher" gives the family critic's feedback but, after every failed attempt,
forgets the direction half of the time: it says only that the answer is wrong. Run with
``python examples/custom_user.py``.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

import gymnasium as gym

import fbgym  # noqa: F401  (registers fbgym/Math-v0)
from fbgym.agents.baselines import FeedbackAgent
from fbgym.core.protocols import Simulator
from fbgym.core.types import Feedback, FeedbackKind, FeedbackPart, Outcome, Problem, Turn
from fbgym.runner import EpisodeSpec, play_episode
from fbgym.simulators import register_user


class ForgetfulTeacher:
    """The family's feedback, but with probability ``forget`` only "that is not right"."""

    def __init__(self, inner: Simulator, forget: float = 0.5):
        self.inner = inner
        self.channel = inner.channel
        self.forget = forget

    def respond(
        self, problem: Problem, history: Sequence[Turn], outcome: Outcome, rng: random.Random
    ) -> Feedback:
        feedback = self.inner.respond(problem, history, outcome, rng)
        if outcome.success or not outcome.graded or rng.random() >= self.forget:
            return feedback
        text = "That is not right."
        part = FeedbackPart(FeedbackKind.HINDSIGHT_NEGATIVE, text)
        return Feedback(self.channel, text, parts=(part,), notes={"forgot": True})


register_user("forgetful-teacher", ForgetfulTeacher, description="forgets half the hints")


def success_rate(user: str | None, episodes: int = 100) -> float:
    """SR@5 of the feedback-using baseline on Math-v0 (verbal) against ``user``."""
    env = gym.make("fbgym/Math-v0", feedback="verbal", user=user, privileged=True)
    agent = FeedbackAgent()
    specs = [EpisodeSpec("fbgym/Math-v0", "verbal", seed) for seed in range(episodes)]
    return sum(play_episode(agent, spec, env)["success"] for spec in specs) / episodes


if __name__ == "__main__":
    for user in (None, "forgetful-teacher"):
        print(f"{user or 'the math critic'}: SR@5 = {success_rate(user):.2f}")
