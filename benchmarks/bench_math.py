"""Math-v0 reset+step cost per channel, as a ratio to CartPole-v1's step in the same run."""

import gymnasium as gym
import pytest

import fbgym  # noqa: F401


@pytest.mark.parametrize("channel", ["verbal", "unary", "ranked", "scalar"])
def test_math_reset_step(benchmark, cartpole_step, cartpole_reset_step, per_call, report, channel):
    env = gym.make("fbgym/Math-v0", feedback=channel)
    seeds = iter(range(10**9))

    def episode_turn():
        env.reset(seed=next(seeds))
        env.step("The answer is 12")

    benchmark(episode_turn)
    seconds = per_call(episode_turn)
    name = f"math_{channel}_reset_step"
    report(benchmark, name, seconds, cartpole_step, "cartpole_step")
    report(benchmark, name, seconds, cartpole_reset_step, "cartpole_reset_step")
