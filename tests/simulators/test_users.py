"""Users by knobs or by name through gymnasium.make: validation, registry, determinism, checker."""

from __future__ import annotations

import runpy
from pathlib import Path

import gymnasium as gym
import pytest
from gymnasium.utils.env_checker import check_env

import fbgym  # noqa: F401
from fbgym.errors import ConfigError, RegistrationError, UnknownIdError
from fbgym.simulators import PRESETS, FidelityUser, UserConfig, get_user, register_user, users

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.mark.parametrize(
    "spec, message",
    [
        ({"nosie": 0.2}, r"unknown user knob\(s\) 'nosie' \(did you mean 'noise'\?\)"),
        ({"noise": 1.2}, r"noise must be a probability in \[0, 1\], got 1.2"),
        ({"delay": -1}, "delay must be a whole number"),
        ({"patience": 0}, "patience must be None or an integer >= 1"),
        ({"informativeness": "full"}, "informativeness must be one of"),
        ({"persona": "pirate"}, "persona must be one of"),
        ({"preset": "nope"}, "unknown user preset 'nope'"),
        ({"annotators": -2}, "annotators must be an integer >= 0"),
    ],
)
def test_bad_knobs_fail_with_clear_errors(spec, message):
    with pytest.raises(ConfigError, match=message):
        gym.make("fbgym/Math-v0", user=spec)


def test_unknown_user_names_get_suggestions_and_duplicates_are_rejected():
    with pytest.raises(UnknownIdError, match="did you mean 'noisy'"):
        gym.make("fbgym/Math-v0", user="noisi")
    with pytest.raises(RegistrationError, match="'noisy' is already registered"):
        register_user("noisy", lambda sim: sim)
    with pytest.raises(ConfigError, match="preset name, a dict of knobs or a UserConfig"):
        gym.make("fbgym/Math-v0", user=3)


def test_presets_are_registered_users_and_overrides_compose():
    names = {u.name for u in users()}
    assert set(PRESETS) <= names
    config = UserConfig.from_spec({"preset": "tutor", "patience": 3})
    assert config.informativeness == "edit" and config.patience == 3
    env = gym.make("fbgym/Math-v0", user="alpacafarm", feedback="ranked")
    assert isinstance(env.unwrapped.simulator, FidelityUser)
    assert len(env.unwrapped.simulator.pool) == 13


def play(env_id, channel, user, seed, actions):
    env = gym.make(env_id, feedback=channel, user=user, max_turns=len(actions))
    obs, info = env.reset(seed=seed)
    out = [repr(obs)]
    for action in actions:
        obs, reward, terminated, truncated, info = env.step(action)
        out.append(repr((obs, reward, terminated, truncated, info["feedback"].to_json())))
        if terminated or truncated:
            break
    return out


@pytest.mark.parametrize("channel", ["verbal", "unary", "ranked", "scalar"])
def test_same_seed_and_actions_give_the_same_transcript(channel):
    user = {
        "noise": 0.3,
        "sycophancy": 0.2,
        "dropout": 0.2,
        "delay": 1,
        "persona": "friendly",
        "anchoring": 0.3,
        "annotators": 5,
        "annotator_bias": 0.1,
    }
    actions = ["The answer is 3", "The answer is 77", "nonsense", "The answer is -4"]
    first = play("fbgym/Math-v0", channel, user, 12, actions)
    assert first == play("fbgym/Math-v0", channel, user, 12, actions)
    assert first != play("fbgym/Math-v0", channel, user, 13, actions)


@pytest.mark.parametrize("channel", ["verbal", "unary", "ranked", "scalar"])
@pytest.mark.parametrize("user", ["noisy", "alpacafarm", "distracted", "impatient", "tutor"])
def test_env_checker_passes_with_users(channel, user):
    check_env(
        gym.make("fbgym/Math-v0", feedback=channel, user=user).unwrapped, skip_render_check=True
    )


def test_feedback_with_knobs_stays_json_serialisable():
    from fbgym.core.types import Feedback

    env = gym.make("fbgym/Math-v0", user={"delay": 2, "informativeness": "edit"})
    env.reset(seed=4)
    for _ in range(4):
        *_, info = env.step("The answer is 1")
        assert Feedback.from_json(info["feedback"].to_json()) == info["feedback"]


def test_registered_example_user_plays_and_changes_results():
    module = runpy.run_path(str(EXAMPLES / "custom_user.py"), run_name="example")
    assert get_user("forgetful-teacher") is module["ForgetfulTeacher"]
    env = gym.make("fbgym/Math-v0", user="forgetful-teacher")
    env.reset(seed=1)
    forgot = 0
    for seed in range(40):
        env.reset(seed=seed)
        *_, info = env.step("The answer is -98765")
        forgot += bool(env.unwrapped.history[-1].feedback.notes.get("forgot"))
    assert 8 <= forgot <= 32
    assert module["success_rate"]("forgetful-teacher", episodes=60) <= module["success_rate"](
        None, episodes=60
    )
