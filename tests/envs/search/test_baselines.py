import statistics

import gymnasium as gym
import pytest

from fbgym.agents.baselines import BlindAgent, FeedbackAgent
from fbgym.core.view import agent_feedback

from .conftest import make, make_v1, results

EPISODES = 40
AGENT_INFO = ("success", "turn", "channel", "problem_id", "problem")


class AgentView(gym.Wrapper):
    """The env as an agent sees it: no outcome or score in ``info``, no judge's notes."""

    def reset(self, **kwargs):
        obs, info = self.env.reset(**kwargs)
        return obs, self._view(info)

    def step(self, action):
        obs, reward, terminated, truncated, info = self.env.step(action)
        return obs, reward, terminated, truncated, self._view(info)

    @staticmethod
    def _view(info):
        view = {k: info[k] for k in AGENT_INFO if k in info}
        view["feedback"] = info["feedback"] and agent_feedback(info["feedback"])
        return view


def actions(agent, env, episodes):
    out = []
    for seed in range(episodes):
        obs, info = env.reset(seed=seed)
        agent.reset(obs["instruction"], seed=seed)
        done = False
        while not done:
            out.append(agent.act(obs, info))
            obs, _, terminated, truncated, info = env.step(out[-1])
            done = terminated or truncated
    return out


@pytest.mark.parametrize("channel", ["verbal", "unary", "ranked", "scalar"])
@pytest.mark.parametrize(("maker", "kwargs"), [(make, {}), (make_v1, {"levels": [2]})])
def test_baseline_needs_no_more_than_the_agents_view(channel, maker, kwargs):
    """The same actions whether or not the env also hands over the grader's outcome."""
    full = actions(FeedbackAgent(), maker(channel, **kwargs), 12)
    seen = actions(FeedbackAgent(), AgentView(maker(channel, **kwargs)), 12)
    assert seen == full and any(a.startswith("search:") and " -D" in a for a in full)


def play(agent, channel, episodes=EPISODES, maker=make, **kwargs):
    """(success rate, mean nDCG@3 of answer rounds 1..4, last score carried forward)."""
    env = maker(channel, **kwargs)
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


@pytest.fixture(scope="module")
def v1_rates():
    """SR@K of both baselines on v1's two easiest levels, per channel."""
    return {
        (agent.name, channel): play(agent, channel, 60, make_v1, levels=[1, 2])[0]
        for agent in (FeedbackAgent(), BlindAgent())
        for channel in ("verbal", "unary", "ranked")
    }


@pytest.mark.parametrize("channel", ["verbal", "unary", "ranked"])
def test_v1_feedback_baseline_beats_the_blind_one(v1_rates, channel):
    assert v1_rates["feedback-baseline", channel] > v1_rates["blind-baseline", channel] + 0.1


def test_v1_richer_feedback_helps_more(v1_rates):
    verbal, ranked, unary = (
        v1_rates["feedback-baseline", c] for c in ("verbal", "ranked", "unary")
    )
    assert verbal >= ranked >= unary and verbal < 1.0
