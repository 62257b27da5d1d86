import random
import re
from fractions import Fraction

import pytest

from fbgym.envs.math.generators import GENERATORS, LEVELS
from fbgym.envs.math.grader import parse_number
from fbgym.envs.math.program import Mistake, Step, evaluate, mistaken_paths
from fbgym.envs.math.task import MathConfig, MathTask
from fbgym.errors import ConfigError


@pytest.mark.parametrize("name", sorted(GENERATORS))
@pytest.mark.parametrize("level", LEVELS)
def test_generators_give_consistent_programs(name, level):
    for i in range(40):
        item = GENERATORS[name](random.Random(i), level)
        values = evaluate(item.steps)
        assert values is not None, item.question
        assert item.question.strip() and all(s.text for s in item.steps)
        for k in range(1, len(item.steps)):  # every step feeds a later one: no dead steps
            later = " ".join(s.expr for s in item.steps[k:])
            assert re.search(rf"\bs{k}\b", later), (item.question, item.steps)


def test_higher_levels_take_more_steps():
    def mean_steps(level):
        return sum(len(GENERATORS["word"](random.Random(i), level).steps) for i in range(200)) / 200

    assert mean_steps(1) < mean_steps(3) < mean_steps(5)


def test_problem_depends_only_on_split_index_and_seed():
    task = MathTask()
    a = task.problem("test", 7, 0)
    assert a == task.problem("test", 7, 0) == MathTask().problem("test", 7, 0)
    assert a.observation != task.problem("test", 8, 0).observation
    assert a.observation != task.problem("train", 7, 0).observation
    assert a.observation != task.problem("test", 7, 1).observation


def test_problems_are_varied_and_answers_are_exact():
    task = MathTask(MathConfig(levels=(1, 2, 3, 4, 5)))
    problems = [task.problem("test", i, 0) for i in range(300)]
    assert len({p.observation for p in problems}) >= 295
    assert {p.public["kind"] for p in problems} == set(GENERATORS)
    for p in problems:
        assert parse_number(p.answer) == p.data["gold_value"]
        assert "answer" not in p.public


def test_statements_never_hold_values():
    p = MathTask().problem("test", 3, 0)
    assert set(p.public) == {"kind", "level"} and set(p.privileged) == {"steps"}
    assert all(set(s) == {"expr", "text"} for s in p.privileged["steps"])


def test_config_is_validated():
    with pytest.raises(ConfigError, match="unknown math kinds"):
        MathConfig(kinds=("geometry",))
    with pytest.raises(ConfigError, match="levels must be in"):
        MathConfig(levels=(0,))
    with pytest.raises(ConfigError, match="data_format"):
        MathConfig(data_format="csv")


def test_mistakes_propagate_through_later_steps():
    steps = (Step("12 * 3", "the cost"), Step("s1 - 5", "what is left"))
    assert evaluate(steps)[-1] == 31
    assert evaluate(steps, Mistake(0, "swap_op"))[-1] == Fraction(12, 3) - 5
    assert evaluate(steps, Mistake(1, "reverse"))[-1] == 5 - 36
    assert evaluate(steps, Mistake(1, "skip"))[-1] == 36
    assert evaluate(steps, Mistake(1, "plus_one"))[-1] == 32
    assert all(v[-1] != 31 for v in mistaken_paths(steps).values())


def test_division_by_zero_is_no_path():
    assert evaluate((Step("4 - 4", "a"), Step("3 / s1", "b"))) is None
