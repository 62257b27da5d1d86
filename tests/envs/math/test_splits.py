"""Math-v1 splits: disjoint by construction, no duplicates within one, names that say nothing.

``examples/diversity_math.py`` checks the same over 10,000 seeds per level.
"""

import gymnasium as gym
import pytest

import fbgym  # noqa: F401
from fbgym.envs.math.multistep import LEVELS
from fbgym.envs.math.program import Step
from fbgym.envs.math.splits import SPLITS, canonical_form, problem_key, split_of
from fbgym.envs.math.task import MathConfig, MathTask
from fbgym.errors import ConfigError

SEEDS = 120


@pytest.fixture(scope="module", params=LEVELS)
def forms(request):
    """The canonical forms of the first problems of each split, at one level."""
    task = MathTask(MathConfig(levels=(request.param,), generation=1))
    return {
        split: [canonical_form(task.problem(split, i, 0).data["steps"]) for i in range(SEEDS)]
        for split in SPLITS
    }


def test_math_v0_shares_problems_between_train_and_test():
    """The defect Math-v1 fixes: the same problem appears in both splits."""
    task = MathTask()
    train = {task.problem("train", i, 0).observation for i in range(2000)}
    test = [task.problem("test", i, 0).observation for i in range(2000)]
    assert sum(q in train for q in test) > 100


def test_math_v0_repeats_problems_within_a_split():
    task = MathTask()
    test = [task.problem("test", i, 0).observation for i in range(1000)]
    assert len(set(test)) < 950


def test_math_v1_splits_never_share_a_problem(forms):
    assert not set(forms["train"]) & set(forms["test"])
    for split in SPLITS:
        assert {split_of([Step(e, "") for e in f.split("\n")]) for f in forms[split]} == {split}


def test_math_v1_has_no_duplicates_within_a_split(forms):
    for split in SPLITS:
        assert len(set(forms[split])) == SEEDS


def test_every_dataset_seed_keeps_the_splits_apart():
    task = MathTask(MathConfig(generation=1))
    for seed in (1, 99):
        train = {canonical_form(task.problem("train", i, seed).data["steps"]) for i in range(60)}
        test = {canonical_form(task.problem("test", i, seed).data["steps"]) for i in range(60)}
        assert not train & test


def test_canonical_form_ignores_names_and_wording():
    task = MathTask(MathConfig(kinds=("word",), generation=1))
    steps = task.problem("test", 3, 0).data["steps"]
    renamed = [Step(s.expr, "other words") for s in steps]
    assert canonical_form(renamed) == canonical_form(steps)
    assert split_of(renamed) == split_of(steps) == "test"


def test_math_v1_problem_ids_name_the_content_only():
    task = MathTask(MathConfig(generation=1))
    problems = [task.problem("test", i, 5) for i in range(100)]
    assert len({p.id for p in problems}) == 100
    p = problems[17]
    assert p.id == f"math/v1/{problem_key(p.data['steps'])}"
    assert "test" not in p.id and "/5/" not in p.id and not p.id.endswith("/17")


def test_unknown_split_is_refused_with_the_known_ones():
    with pytest.raises(ConfigError, match=r"splits are \['train', 'test'\], got 'dev'"):
        gym.make("fbgym/Math-v1", split="dev")
    with pytest.raises(ConfigError, match="splits are"):
        MathTask(MathConfig(generation=1)).problem("validation", 0, 0)
