"""Control agents: what an episode gives away to an agent that does not solve the problem.

Each agent sees only the agent's view (observation texts; ``info`` with success, turn,
channel, problem id, public problem and the feedback as ``agent_feedback`` shows it). On
Math-v0 they exploit its defects; on Math-v1 each stays at or below 0.2 SR@1.
"""

import re
from collections import Counter
from fractions import Fraction

import gymnasium as gym
import pytest

import fbgym  # noqa: F401
from fbgym.core.view import agent_feedback
from fbgym.envs.math.grader import parse_number
from fbgym.envs.math.program import format_number
from fbgym.envs.math.task import MathConfig, MathTask

VIEW = ("success", "turn", "channel", "problem_id", "problem")
SEEDS = range(150)
CEILING = 0.2


def play(agent, env_id, seeds=SEEDS, channel="verbal", **kwargs):
    """SR@1 and SR@K of ``agent``, shown nothing but the agent's view."""
    env = gym.make(env_id, feedback=channel, **kwargs)
    first = within = 0
    for seed in seeds:
        obs, info = env.reset(seed=seed)
        agent.reset(info["problem"])
        done = False
        while not done:
            obs, _, terminated, truncated, info = env.step(agent.act(obs, view(info)))
            done = terminated or truncated
        if info["success"]:
            first += info["turn"] == 1
            within += 1
    return first / len(seeds), within / len(seeds)


def view(info):
    shown = {k: info[k] for k in VIEW if k in info}
    feedback = info.get("feedback")
    shown["feedback"] = None if feedback is None else agent_feedback(feedback)
    return shown


def answer(value):
    return f"The answer is {format_number(value)}."


class Pruned:
    """Guesses in order of preference, skipping what "too high/too low" has ruled out."""

    def reset(self, problem):
        self.problem, self.low, self.high, self.tried, self.last = problem, None, None, set(), None

    def act(self, observation, info):
        feedback = info.get("feedback")
        direction = feedback.meta.get("direction") if feedback is not None else None
        if direction == "high":
            self.high = self.last if self.high is None else min(self.high, self.last)
        elif direction == "low":
            self.low = self.last if self.low is None else max(self.low, self.last)
        for value in self.preferences(observation, info):
            if value in self.tried:
                continue
            if (self.low is None or value > self.low) and (self.high is None or value < self.high):
                break
        else:
            value = Fraction(len(self.tried))
        self.tried.add(value)
        self.last = value
        return answer(value)


class AnswerPrior(Pruned):
    """Never reads the problem: the most common train answers of its kind and level first."""

    def __init__(self, table):
        self.table = table

    def preferences(self, observation, info):
        counts = self.table.get((self.problem["kind"], self.problem["level"]), Counter())
        return [v for v, _ in counts.most_common()]


class TrainLookup(AnswerPrior):
    """Remembers every train problem's answer and looks the statement up."""

    def __init__(self, table, answers):
        super().__init__(table)
        self.answers = answers

    def preferences(self, observation, info):
        known = self.answers.get(observation["observation"])
        return ([known] if known is not None else []) + super().preferences(observation, info)


class StatementNumbers(Pruned):
    """Answers with the numbers the problem states, in order."""

    def preferences(self, observation, info):
        return [Fraction(n) for n in re.findall(r"\d+", observation["observation"])]


class FeedbackEcho(Pruned):
    """Answers with the numbers the feedback states, newest first."""

    def reset(self, problem):
        super().reset(problem)
        self.heard = []

    def preferences(self, observation, info):
        said = re.findall(r"-?\d+(?:/\d+|\.\d+)?", observation["feedback"])
        self.heard = [parse_number(n) for n in reversed(said)] + self.heard
        return [v for v in self.heard if v is not None]


class IdReplayer(Pruned):
    """Reads (split, dataset seed, index) off the problem id and regenerates the problem."""

    def __init__(self, config):
        self.task = MathTask(config)

    def preferences(self, observation, info):
        found = re.fullmatch(r"math/\w+/L\d+/(\w+)/(\d+)/(\d+)", info["problem_id"])
        if found is None:
            return []
        split, seed, index = found[1], int(found[2]), int(found[3])
        return [self.task.problem(split, index, seed).data["gold_value"]]


def train_data(config, n):
    """Per (kind, level), the train answers; and every train statement's answer."""
    task = MathTask(config)
    table, answers = {}, {}
    for i in range(n):
        p = task.problem("train", i, 0)
        key = (p.public["kind"], p.public["level"])
        table.setdefault(key, Counter())[p.data["gold_value"]] += 1
        answers[p.observation] = p.data["gold_value"]
    return table, answers


@pytest.fixture(scope="module")
def v1_train():
    return train_data(MathConfig(generation=1), 1200)


@pytest.fixture(scope="module")
def v0_train():
    return train_data(MathConfig(), 4000)


def test_answer_prior_guessing_solves_math_v0_but_not_math_v1(v0_train, v1_train):
    old_first, old_within = play(AnswerPrior(v0_train[0]), "fbgym/Math-v0")
    assert old_within >= 0.5  # the defect: the answer distribution alone passes most episodes
    first, within = play(AnswerPrior(v1_train[0]), "fbgym/Math-v1")
    assert first <= CEILING and within <= CEILING, (first, within)


def test_train_lookup_finds_math_v0_test_problems_but_no_math_v1_ones(v0_train, v1_train):
    old_first, _ = play(TrainLookup(*v0_train), "fbgym/Math-v0")
    assert old_first > CEILING  # the defect: test problems are train problems
    first, within = play(TrainLookup(*v1_train), "fbgym/Math-v1")
    assert first <= CEILING and within <= CEILING, (first, within)


def test_numbers_of_the_statement_are_not_the_answer():
    first, within = play(StatementNumbers(), "fbgym/Math-v1")
    assert first <= CEILING and within <= CEILING, (first, within)


@pytest.mark.parametrize("channel", ["verbal", "ranked", "unary"])
def test_default_feedback_never_states_the_answer(channel):
    first, within = play(FeedbackEcho(), "fbgym/Math-v1", channel=channel)
    assert first <= CEILING and within <= CEILING, (first, within)


def test_the_edit_rung_states_the_corrected_answer():
    """``edit`` corrects the faulty step in place; on one-line problems that is the answer."""
    _, within = play(
        FeedbackEcho(), "fbgym/Math-v1", levels=(7, 8), user={"informativeness": "edit"}
    )
    assert within >= 0.9


def test_problem_ids_give_away_no_problem_in_either_version():
    secret = {"seed": 424242}  # a dataset seed the agent is not told
    first, within = play(IdReplayer(MathConfig()), "fbgym/Math-v0", range(50), **secret)
    assert first <= CEILING, (first, within)  # public ids are keyed hashes in every version
    first, within = play(IdReplayer(MathConfig(generation=1)), "fbgym/Math-v1", **secret)
    assert first <= CEILING and within <= CEILING, (first, within)
