"""Cost of simulated-user fidelity: a Math-v0 turn with knobs, as a ratio to the plain user's."""

import gymnasium as gym
import pytest

import fbgym  # noqa: F401

USERS = {
    "noise": ("verbal", {"noise": 0.4}),
    "ladder_edit": ("verbal", {"informativeness": "edit"}),
    "everything": (
        "verbal",
        {
            "noise": 0.2,
            "sycophancy": 0.1,
            "anchoring": 0.2,
            "delay": 1,
            "dropout": 0.1,
            "persona": "formal",
            "patience": 4,
        },
    ),
    "alpacafarm": ("ranked", "alpacafarm"),
}


def _turns(env):
    seeds = iter(range(10**9))

    def episode():
        env.reset(seed=next(seeds))
        for answer in ("The answer is 12", "The answer is 7", "The answer is 30"):
            _, _, terminated, truncated, _ = env.step(answer)
            if terminated or truncated:
                break

    return episode


@pytest.mark.parametrize("name", list(USERS))
def test_user_episode(benchmark, per_call, report, name):
    channel, user = USERS[name]
    plain = per_call(_turns(gym.make("fbgym/Math-v0", feedback=channel)), number=300)
    episode = _turns(gym.make("fbgym/Math-v0", feedback=channel, user=user))
    benchmark(episode)
    report(benchmark, f"math_{name}_episode", per_call(episode, number=300), plain, "plain_user")
