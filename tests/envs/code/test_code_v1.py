"""Code-v1 as an env: what its feedback says at each level and rung, and what it never says."""

import gymnasium as gym
import pytest

import fbgym.envs.code  # noqa: F401  (registers fbgym/Code-v0 and -v1)
from fbgym.core.view import undisclosed_meta
from fbgym.envs.code.grader import show_call
from fbgym.errors import ConfigError


def make(channel="verbal", version="v1", **kwargs):
    return gym.make(f"fbgym/Code-{version}", feedback=channel, privileged=True, **kwargs)


def feedback_on_drafts(env, seeds=range(8)):
    """(feedback, the failing test's expected value as shown) for drafts played in order."""
    out = []
    for seed in seeds:
        _, info = env.reset(seed=seed)
        for program in info["problem"]["candidates"]:
            _, _, terminated, truncated, info = env.step(f"```python\n{program}```")
            failure = env.unwrapped.history[-1].outcome.diagnosis.get("failure") or {}
            out.append((info["feedback"], failure.get("expected")))
            if terminated or truncated:
                break
    return out


def test_default_verbal_feedback_names_the_failing_call_but_never_its_expected_value():
    said = feedback_on_drafts(make())
    failed = [(fb, expected) for fb, expected in said if expected is not None]
    assert failed and all(fb.meta.get("call") in fb.text for fb, _ in failed)
    assert not any("should return" in fb.text or "the answer is" in fb.text for fb, _ in failed)
    assert all("expected" not in fb.meta for fb, _ in failed)


def test_code_v0_default_verbal_feedback_states_expected_values():
    said = feedback_on_drafts(make(version="v0"))
    assert any(expected and f" {expected}" in fb.text for fb, expected in said)


@pytest.mark.parametrize("rung", ["ground_truth", "edit"])
def test_ground_truth_rungs_state_the_expected_value(rung):
    env = make(user={"informativeness": rung})
    said = [(fb, e) for fb, e in feedback_on_drafts(env, range(4)) if e is not None]
    assert said and all(f"should return {e}" in fb.text or f"is {e}." in fb.text for fb, e in said)
    assert all(fb.meta["expected"] == e for fb, e in said)
    if rung == "edit":
        assert all(env.unwrapped.problem.answer in fb.text for fb, _ in said[-1:])


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"informativeness": 1},
        {"informativeness": 3},
        {"informativeness": 4},
        {"user": {"noise": 1.0}},
        {"user": {"informativeness": "ground_truth"}},
        {"user": {"informativeness": "edit"}},
        {"user": {"informativeness": "hindsight"}},
    ],
)
def test_meta_states_only_what_the_text_says(kwargs):
    said = feedback_on_drafts(make(**kwargs), range(5))
    assert said and all(undisclosed_meta(fb) == [] for fb, _ in said)


def test_code_v0_meta_says_more_than_its_text():
    said = feedback_on_drafts(make(version="v0"), range(3))
    assert any("status" in undisclosed_meta(fb) for fb, _ in said)


def test_wrong_hints_name_another_hidden_tests_call():
    env = make(user={"noise": 1.0})
    _, info = env.reset(seed=2)
    calls = {
        show_call(info["problem"]["entry_point"], t.args)
        for t in env.unwrapped.problem.data["tests"]
    }
    _, _, _, _, info = env.step(f"def {info['problem']['entry_point']}(x):\n    return None\n")
    failing = env.unwrapped.history[-1].outcome.diagnosis["failure"]["call"]
    fb = env.unwrapped.history[-1].feedback
    assert fb.notes["wrong_hint"] is True and not info["feedback"].notes
    assert fb.meta["call"] in calls and fb.meta["call"] != failing and failing not in fb.text


def test_problems_state_level_signature_and_test_count():
    env = make()
    _, info = env.reset(seed=0)
    problem = info["problem"]
    assert problem["level"] in range(1, 7) and problem["tests"] >= 10
    assert env.unwrapped.problem.observation.startswith(f"def {problem['signature']}")
    assert env.unwrapped.problem.observation.count(" == ") <= 2


def test_levels_choose_the_problems():
    env = make(levels=(6,))
    for seed in range(3):
        _, info = env.reset(seed=seed)
        assert info["problem"]["level"] == 6 and info["problem"]["tests"] == 20


def test_bad_generation_levels_and_splits_are_refused():
    with pytest.raises(
        ConfigError, match=r"levels must be in \(1, 2, 3, 4, 5, 6\) for generation 1"
    ):
        make(levels=(7,))
    with pytest.raises(ConfigError, match="generation must be one of"):
        make(generation=2)
    with pytest.raises(ConfigError, match="splits"):
        make(split="dev").reset(seed=0)


@pytest.mark.parametrize("level", range(1, 7))
def test_the_oracle_passes_every_level_in_the_sandbox(level):
    env = make(levels=(level,))
    for seed in range(3):
        env.reset(seed=seed)
        base = env.unwrapped
        _, reward, terminated, _, info = env.step(base.task.reference_action(base.problem))
        assert info["success"] and terminated and reward == 1.0
