"""Control agents: memorising one split must not pay on another once robots change per stream."""

import gymnasium as gym
import pytest

from fbgym.agents.baselines import FeedbackAgent
from fbgym.agents.controls import SplitMemoriser
from fbgym.runner import EpisodeSpec, play_episode
from fbgym.runner.evaluate import STREAM_LENGTH


def studied(env_id, episodes=100, **kwargs):
    agent = SplitMemoriser()
    agent.study(
        gym.make(env_id, feedback="verbal", split="train", **kwargs).unwrapped, range(episodes)
    )
    return agent


def play_streams(agent, env_id, channel, streams, **kwargs):
    """SR@1 and SR@K over ``streams`` runner-aligned streams of the test split."""
    env = gym.make(env_id, feedback=channel, **kwargs).unwrapped
    first = won = 0
    for stream in range(streams):
        agent.new_stream()
        for position in range(STREAM_LENGTH):
            seed = stream * STREAM_LENGTH + position
            record = play_episode(agent, EpisodeSpec(env_id, channel, seed, kwargs), env)
            first += record["attempts_to_success"] == 1
            won += record["success"]
    n = streams * STREAM_LENGTH
    return first / n, won / n


def test_split_memoriser_solves_v0_from_the_first_attempt():
    """The defect v1 removes: v0's robot errs the same way in every split and stream."""
    memoriser, _ = play_streams(
        studied("fbgym/RobotCorrection-v0"), "fbgym/RobotCorrection-v0", "unary", 2
    )
    fresh, _ = play_streams(FeedbackAgent(), "fbgym/RobotCorrection-v0", "unary", 2)
    assert memoriser >= 0.7 and fresh <= 0.2


@pytest.mark.parametrize("channel", ["verbal", "unary", "ranked"])
def test_split_memoriser_gains_nothing_on_v1(channel):
    memoriser = play_streams(
        studied("fbgym/RobotCorrection-v1"), "fbgym/RobotCorrection-v1", channel, 3
    )
    fresh = play_streams(FeedbackAgent(), "fbgym/RobotCorrection-v1", channel, 3)
    assert memoriser[0] <= 0.15  # SR@1, the control's ceiling 0.2 less a margin
    assert memoriser[0] <= fresh[0] + 0.05 and memoriser[1] <= fresh[1] + 0.05


def carried(env_id, channel):
    """SR@1 over streams 2 and 3 of an agent that keeps stream 1's memory, and a fresh one's."""
    carrier = SplitMemoriser()
    carrier.study(gym.make(env_id, feedback="verbal").unwrapped, range(STREAM_LENGTH))
    env = gym.make(env_id, feedback=channel).unwrapped
    rates = []
    for agent in (carrier, FeedbackAgent()):
        first = 0
        for stream in (1, 2):
            agent.new_stream()
            for seed in range(stream * STREAM_LENGTH, (stream + 1) * STREAM_LENGTH):
                record = play_episode(agent, EpisodeSpec(env_id, channel, seed), env)
                first += record["attempts_to_success"] == 1
        rates.append(first / (2 * STREAM_LENGTH))
    return rates


def test_memory_carried_into_the_next_stream_pays_on_v0():
    carrier, fresh = carried("fbgym/RobotCorrection-v0", "unary")
    assert carrier >= 0.6 and fresh <= 0.3


@pytest.mark.parametrize("channel", ["verbal", "unary"])
def test_memory_carried_into_the_next_stream_gains_nothing_on_v1(channel):
    """A stream's robot is not the next stream's: an agent that never forgets gains nothing."""
    carrier, fresh = carried("fbgym/RobotCorrection-v1", channel)
    assert carrier <= 0.15 and carrier <= fresh + 0.05
