import random

import gymnasium as gym
import pytest

import fbgym.envs.code  # noqa: F401
from fbgym.agents.baselines import BlindAgent, FeedbackAgent
from fbgym.core.types import Channel, Feedback
from fbgym.envs.code.baseline import CodePolicy
from fbgym.runner import EpisodeSpec, play_episode

STEPS = [("x = x + 1", "x = x - 1"), ("x = x * 2", "x = x * 3"), ("x = x - 5", "x = x + 5")]
COMBOS = [
    "def f(x):\n"
    + "".join(f"    {step[pick]}\n" for step, pick in zip(STEPS, picks))
    + "    return x\n"
    for picks in [(a, b, c) for a in (0, 1) for b in (0, 1) for c in (0, 1)]
]


def _success_rate(agent, channel, env_id="fbgym/Code-v0", episodes=16, **kwargs):
    if env_id == "fbgym/Code-v0":
        kwargs = {"kinds": ("string", "list", "dict"), **kwargs}
    env = gym.make(env_id, feedback=channel, privileged=True, **kwargs)
    specs = [EpisodeSpec(env_id, channel, seed) for seed in range(episodes)]
    return sum(play_episode(agent, spec, env)["success"] for spec in specs) / episodes


def test_feedback_baseline_beats_its_blind_twin_with_verbal_feedback():
    assert _success_rate(FeedbackAgent(), "verbal") > _success_rate(BlindAgent(), "verbal")


@pytest.mark.parametrize("channel", ["verbal", "unary", "ranked"])
def test_feedback_baseline_beats_its_blind_twin_on_easy_code_v1(channel):
    # at levels 1-2 nearly every pool holds a right draft, so the gap is wide at 30 episodes
    easy = {"levels": (1, 2)}
    with_feedback = _success_rate(FeedbackAgent(), channel, "fbgym/Code-v1", 30, **easy)
    assert with_feedback > _success_rate(BlindAgent(), channel, "fbgym/Code-v1", 30, **easy)


def test_with_unary_feedback_the_baseline_never_tries_a_candidate_twice():
    env = gym.make("fbgym/Code-v1", feedback="unary", privileged=True)
    agent = FeedbackAgent()
    for seed in range(8):
        record = play_episode(agent, EpisodeSpec("fbgym/Code-v1", "unary", seed), env)
        actions = [turn["action"] for turn in record["transcript"]]
        assert len(set(actions)) == len(actions)


def _policy(candidates, seed):
    problem = {"candidates": candidates, "entry_point": "f"}
    return CodePolicy(problem, use_feedback=True, rng=random.Random(seed), memory={})


def _lines(program):
    return {line.strip() for line in program.splitlines()}


def _play(policy, feedback=None):
    action = policy.act({}, {"feedback": feedback})
    return action.removeprefix("```python\n").removesuffix("```")


def _favoured(candidates, better, worse, tried):
    """The untried candidates with the most of the better attempt's own lines, net."""
    good, bad = _lines(better) - _lines(worse), _lines(worse) - _lines(better)
    score = {c: len(_lines(c) & good) - len(_lines(c) & bad) for c in candidates if c not in tried}
    return {c for c, s in score.items() if s == max(score.values())}


@pytest.mark.parametrize("channel", ["ranked", "verbal"])
def test_the_next_candidate_follows_the_order_of_the_attempts(channel):
    for seed in range(20):
        policy = _policy(COMBOS, seed)
        first = _play(policy)
        second = _play(policy, Feedback(Channel.UNARY, "Let's try again."))
        if channel == "ranked":
            told = Feedback(Channel.RANKED, "attempt 2 > attempt 1", ranking=((2,), (1,)))
            said = [told]
        else:
            said = [Feedback(Channel.VERBAL, "1 of 9 tests pass.", meta={"passed": 1, "total": 9})]
            said.append(
                Feedback(Channel.VERBAL, "4 of 9 tests pass.", meta={"passed": 4, "total": 9})
            )
            policy = _policy(COMBOS, seed)
            first = _play(policy)
            second = _play(policy, said[0])
        third = _play(policy, said[-1])
        assert third in _favoured(COMBOS, second, first, {first, second}), seed


def test_candidates_that_fail_the_failing_call_alike_are_dropped():
    raising = ["def f(x):\n    return 1 // x\n", "def f(x):\n    return 2 // x\n"]
    candidates = [*raising, "def f(x):\n    return x + 1\n"]
    told = Feedback(
        Channel.VERBAL,
        "0 of 3 tests pass. It raises ZeroDivisionError: integer division or modulo by zero. "
        "The failing call is f(0).",
        meta={"status": "exception", "passed": 0, "total": 3, "call": "f(0)", "args": ["0"]},
    )
    checked = 0
    for seed in range(12):
        policy = _policy(candidates, seed)
        if _play(policy) in raising:
            checked += 1
            assert _play(policy, told) == candidates[2], seed
    assert checked
