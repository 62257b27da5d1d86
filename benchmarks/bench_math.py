"""Math reset+step cost per channel, as a ratio to CartPole-v1's step in the same run.

Math-v1 draws longer problems (up to 46 operations) and redraws until a problem hashes into
the episode's split, so its turns cost more; ``test_math_v1_problem_by_level`` shows where.
"""

import gymnasium as gym
import pytest

import fbgym  # noqa: F401
from fbgym.envs.math.task import MathConfig, MathTask

CALLS = {"fbgym/Math-v0": 2000, "fbgym/Math-v1": 100}
"""Calls per timing: v1's turns are slower, so fewer keep the benchmark short."""


@pytest.mark.parametrize("env_id", sorted(CALLS))
@pytest.mark.parametrize("channel", ["verbal", "unary", "ranked", "scalar"])
def test_math_reset_step(
    benchmark, cartpole_step, cartpole_reset_step, per_call, report, env_id, channel
):
    env = gym.make(env_id, feedback=channel)
    seeds = iter(range(10**9))

    def episode_turn():
        env.reset(seed=next(seeds))
        env.step("The answer is 12")

    benchmark(episode_turn)
    seconds = per_call(episode_turn, number=CALLS[env_id], repeat=3)
    name = f"{env_id.split('/')[1].lower()}_{channel}_reset_step"
    report(benchmark, name, seconds, cartpole_step, "cartpole_step")
    report(benchmark, name, seconds, cartpole_reset_step, "cartpole_reset_step")


@pytest.mark.parametrize("level", [1, 4, 8])
def test_math_v1_problem_by_level(benchmark, per_call, report, level):
    """Drawing one Math-v1 problem of a level, as a ratio to drawing a Math-v0 problem."""
    old, new = MathTask(), MathTask(MathConfig(levels=(level,), generation=1))
    indices = iter(range(10**9))

    def draw_new():
        new.problem("test", next(indices), 0)

    def draw_old():
        old.problem("test", next(indices), 0)

    benchmark(draw_new)
    report(
        benchmark,
        f"math_v1_L{level}_problem",
        per_call(draw_new, number=50, repeat=3),
        per_call(draw_old, number=500, repeat=3),
        "math_v0_problem",
    )
