import statistics

import pytest

from fbgym.agents.baselines import BlindAgent, FeedbackAgent

from .conftest import make, results

EPISODES = 40


def play(agent, channel, episodes=EPISODES, **kwargs):
    """(success rate, mean nDCG@3 of answer rounds 1..4, last score carried forward)."""
    env = make(channel, **kwargs)
    wins, rounds = 0, {r: [] for r in range(1, 5)}
    for seed in range(episodes):
        obs, info = env.reset(seed=seed)
        agent.reset(obs["instruction"], seed=seed)
        scores = []
        while True:
            obs, _, terminated, truncated, info = env.step(agent.act(obs, info))
            if env.unwrapped.history[-1].outcome.diagnosis.get("action") == "answer":
                scores.append(env.unwrapped.history[-1].outcome.diagnosis["ndcg@3"])
            if terminated or truncated:
                break
        wins += info["success"]
        for r in rounds:
            rounds[r].append(scores[min(r, len(scores)) - 1] if scores else 0.0)
    return wins / episodes, [statistics.mean(rounds[r]) for r in rounds]


@pytest.mark.parametrize("channel", ["verbal", "unary", "ranked", "scalar"])
def test_feedback_baseline_beats_the_blind_one(channel):
    fed, fed_rounds = play(FeedbackAgent(), channel)
    blind, blind_rounds = play(BlindAgent(), channel)
    assert fed > blind + 0.2
    assert max(fed_rounds) > max(blind_rounds) + 0.3


@pytest.mark.parametrize("channel", ["verbal", "ranked"])
def test_ndcg_rises_round_by_round_with_content_feedback(channel):
    _, rounds = play(FeedbackAgent(), channel)
    assert all(b >= a for a, b in zip(rounds, rounds[1:]))
    assert rounds[-1] > rounds[0] + 0.1


def test_blind_baseline_does_not_improve():
    _, rounds = play(BlindAgent(), "verbal")
    assert max(rounds) - min(rounds) == 0.0


def test_oracle_searching_with_the_facet_reaches_ndcg_one(channel):
    env = make(channel)
    for seed in range(EPISODES):
        env.reset(seed=seed)
        problem = env.unwrapped.problem
        facet, topic = problem.data["facet"], problem.data["topic"]
        obs, _, _, _, _ = env.step(f"search: {topic.name} {' '.join(facet.terms)}")
        _, _, terminated, _, info = env.step("answer: " + " ".join(results(obs)[:3]))
        assert (
            info["success"]
            and terminated
            and env.unwrapped.history[-1].outcome.diagnosis["ndcg@3"] == 1.0
        )


def test_baseline_episodes_are_reproducible():
    assert play(FeedbackAgent(), "verbal", 10) == play(FeedbackAgent(), "verbal", 10)
