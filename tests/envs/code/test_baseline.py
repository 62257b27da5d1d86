import gymnasium as gym

import fbgym.envs.code  # noqa: F401
from fbgym.agents.baselines import BlindAgent, FeedbackAgent
from fbgym.runner import EpisodeSpec, play_episode


def _success_rate(agent, channel, episodes=16):
    env = gym.make(
        "fbgym/Code-v0",
        feedback=channel,
        wall_s=0.5,
        kinds=("string", "list", "dict"),
        privileged=True,
    )
    specs = [EpisodeSpec("fbgym/Code-v0", channel, seed) for seed in range(episodes)]
    return sum(play_episode(agent, spec, env)["success"] for spec in specs) / episodes


def test_feedback_baseline_beats_its_blind_twin_with_verbal_feedback():
    assert _success_rate(FeedbackAgent(), "verbal") > _success_rate(BlindAgent(), "verbal")


def test_feedback_baseline_is_no_worse_than_blind_with_unary_feedback():
    assert _success_rate(FeedbackAgent(), "unary") >= _success_rate(BlindAgent(), "unary")
