"""Math-v1 leaves the shipped baselines room: feedback helps, in order, and never saturates."""

import gymnasium as gym
import pytest

import fbgym
from fbgym.agents import BlindAgent, FeedbackAgent
from fbgym.envs.math.multistep import LEVELS
from fbgym.runner.metrics import success_at_k

CHANNELS = ("verbal", "unary", "ranked")


def sr(tmp_path_factory, levels, episodes):
    """SR@1 and SR@5 per agent and channel on Math-v1 at ``levels``."""
    out = {}
    for agent in (FeedbackAgent(), BlindAgent()):
        df = fbgym.evaluate(
            agent,
            ["fbgym/Math-v1"],
            episodes=episodes,
            env_kwargs={"levels": levels},
            channels=CHANNELS,
            run_dir=tmp_path_factory.mktemp(agent.name),
        )
        for channel, group in df.groupby("channel"):
            out[agent.name, channel] = (
                success_at_k(group, 1).mean(),
                success_at_k(group, 5).mean(),
            )
    return out


@pytest.fixture(scope="module")
def default(tmp_path_factory):
    return sr(tmp_path_factory, LEVELS, 120)


@pytest.fixture(scope="module")
def hard(tmp_path_factory):
    return sr(tmp_path_factory, (7, 8), 60)


def test_math_v1_plays_every_level_by_default_and_v0_is_unchanged():
    assert gym.make("fbgym/Math-v1").unwrapped.task.config.levels == LEVELS
    assert gym.make("fbgym/Math-v1").unwrapped.task.config.generation == 1
    v0 = gym.make("fbgym/Math-v0").unwrapped.task.config
    assert (v0.generation, v0.levels) == (0, (1, 2, 3))


@pytest.mark.parametrize("channel", CHANNELS)
def test_feedback_baseline_beats_its_blind_twin(default, channel):
    fed, blind = default["feedback-baseline", channel], default["blind-baseline", channel]
    assert fed[0] == blind[0]  # the same first answer
    assert fed[1] > blind[1]


def test_richer_feedback_helps_more_and_none_saturates(default):
    verbal, ranked, unary = (
        default["feedback-baseline", c][1] for c in ("verbal", "ranked", "unary")
    )
    assert verbal >= ranked >= unary
    assert verbal <= 0.93


def test_the_top_levels_stay_out_of_reach(hard):
    assert max(v[1] for v in hard.values()) <= 0.55
