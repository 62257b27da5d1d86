import gymnasium as gym

from fbgym.agents.baselines import BlindAgent, FeedbackAgent
from fbgym.runner import EpisodeSpec, play_episode
from fbgym.runner.evaluate import STREAM_LENGTH


def play(env, agent, seed):
    record = play_episode(agent, EpisodeSpec(env.spec.id, env.channel, seed), env)
    return record["success"], record["metrics"]["corrections"]


def score(env, make_agent, episodes, fresh=True):
    agent = make_agent()
    results = []
    for seed in range(episodes):
        results.append(play(env, make_agent() if fresh else agent, seed))
    return (sum(s for s, _ in results) / episodes, sum(c for _, c in results) / episodes)


def test_feedback_baseline_needs_fewer_corrections_than_blind(make_env):
    env = make_env("verbal")
    fb_success, fb_corrections = score(env, FeedbackAgent, 40)
    blind_success, blind_corrections = score(env, BlindAgent, 40)
    assert fb_success >= 0.9 and fb_success > blind_success + 0.4
    assert fb_corrections < blind_corrections / 2


def test_memory_across_episodes_reduces_corrections(make_env):
    totals = {"remembering": 0, "forgetting": 0}
    for person in range(4):
        env = make_env("verbal", seed=person)
        totals["remembering"] += score(env, FeedbackAgent, 20, fresh=False)[1]
        totals["forgetting"] += score(env, FeedbackAgent, 20, fresh=True)[1]
    assert totals["remembering"] < 0.75 * totals["forgetting"]


def test_memory_holds_learnt_offsets_and_rules(make_env):
    env = make_env("verbal", tasks=("drawer",), ambiguity=0.0)
    agent = FeedbackAgent()
    for seed in range(6):
        play(env, agent, seed)
    memory = agent.memory["robot"]
    assert memory["drawer_first"] is True
    assert memory["offsets"]
    blind = BlindAgent()
    for seed in range(3):
        play(env, blind, seed)
    assert blind.memory["robot"] == {}


def test_ranked_and_unary_beat_blind(make_env):
    for channel in ("ranked", "unary"):
        env = make_env(channel)
        assert score(env, FeedbackAgent, 40)[0] > score(env, BlindAgent, 40)[0]


V1 = "fbgym/RobotCorrection-v1"


def v1_rates(channel, agent_class, episodes, **kwargs):
    """SR@K and mean corrections of runner-aligned streams of v1 (a fresh agent per stream)."""
    env = gym.make(V1, feedback=channel, **kwargs).unwrapped
    won, corrections = 0, 0.0
    for seed in range(episodes):
        if seed % STREAM_LENGTH == 0:
            agent = agent_class()
        record = play_episode(agent, EpisodeSpec(V1, channel, seed, kwargs), env)
        won += record["success"]
        corrections += record["metrics"]["corrections"]
    return won / episodes, corrections / episodes


def test_v1_feedback_beats_blind_in_every_channel_and_words_say_most():
    rates = {
        channel: v1_rates(channel, FeedbackAgent, 60, levels=(1,))[0]
        for channel in ("verbal", "ranked", "unary")
    }
    blind = v1_rates("verbal", BlindAgent, 60, levels=(1,))[0]
    assert rates["verbal"] >= rates["ranked"] >= rates["unary"] >= blind + 0.1
    assert v1_rates("verbal", FeedbackAgent, 40)[0] >= blind + 0.5


def test_v1_memory_within_a_stream_reduces_corrections():
    remembering = v1_rates("verbal", FeedbackAgent, 40)[1]
    forgetting = 0.0
    env = gym.make(V1, feedback="verbal").unwrapped
    for seed in range(40):
        forgetting += play_episode(FeedbackAgent(), EpisodeSpec(V1, "verbal", seed), env)[
            "metrics"
        ]["corrections"]
    assert remembering < 0.9 * forgetting / 40


def test_v1_top_levels_leave_headroom():
    assert v1_rates("verbal", FeedbackAgent, 40, levels=(4, 5), drift=2.5)[0] < 0.5
