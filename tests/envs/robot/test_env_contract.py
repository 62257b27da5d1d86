import json
import random

import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

from fbgym.registration import registry

from .conftest import CHANNELS


def test_registered_in_robot_family():
    info = registry.get("fbgym/RobotCorrection-v0")
    assert info.family == "robot"
    assert set(info.channels) == set(CHANNELS)
    assert isinstance(info.entry_point, str)


@pytest.mark.parametrize("channel", CHANNELS)
def test_check_env(make_env, channel):
    check_env(make_env(channel))


@pytest.mark.parametrize("channel", CHANNELS)
def test_reference_action_succeeds_on_turn_one(make_env, channel):
    env = make_env(channel)
    for seed in range(60):
        env.reset(seed=seed)
        _, reward, terminated, truncated, info = env.step(env.task.reference_action(env.problem))
        assert (terminated, info["success"], reward) == (True, True, 1.0), (
            seed,
            env.unwrapped.history[-1].outcome,
        )
        assert env.unwrapped.history[-1].outcome.diagnosis["corrections"] == 0


def test_reference_succeeds_with_other_robots_and_max_noise(make_env):
    for robot in range(3):
        env = make_env(seed=robot, noise=0.5, max_bias=6.5, bias_rate=1.0)
        for index in range(40):
            env.reset(seed=index)
            _, _, terminated, _, info = env.step(env.task.reference_action(env.problem))
            assert info["success"], (robot, index, env.unwrapped.history[-1].outcome.diagnosis)


def _play(env, seed, actions):
    obs, info = env.reset(seed=seed)
    record = [json.dumps(obs, sort_keys=True), json.dumps(info["problem"], sort_keys=True)]
    for action in actions:
        obs, reward, terminated, truncated, info = env.step(action)
        record.append(
            json.dumps(
                [
                    obs,
                    reward,
                    terminated,
                    truncated,
                    env.unwrapped.history[-1].outcome.to_dict(),
                    info["feedback"].to_dict(),
                ],
                sort_keys=True,
            )
        )
        if terminated or truncated:
            break
    return record


@pytest.mark.parametrize("channel", CHANNELS)
def test_episode_is_a_pure_function_of_seed_and_actions(make_env, channel):
    actions = [
        "pick block; place drawer",
        "open drawer",
        "move left 3cm; grasp",
        "release",
        "pick ball; move right 2cm; release",
        "close drawer",
    ]
    kwargs = {"vague": 0.3, "wrong": 0.3, "missing": 0.2}
    first = _play(make_env(channel, **kwargs), 5, actions)
    env = make_env(channel, **kwargs)
    _play(env, 9, actions[:2])  # another episode in between must not leak into the next
    assert _play(env, 5, actions) == first


def test_different_seeds_give_different_problems(make_env):
    env = make_env()
    observations = {env.reset(seed=s)[0]["observation"] for s in range(20)}
    assert len(observations) == 20


@pytest.mark.parametrize("bad", [None, 42, "", "   ", "x" * 30_000, "pick\x00red_block", ["pick"]])
def test_bad_actions_are_failed_attempts(make_env, bad):
    env = make_env()
    env.reset(seed=1)
    obs, reward, terminated, truncated, info = env.step(bad)
    assert not info["success"] and reward == 0.0 and not terminated
    assert "not accepted" in obs["feedback"]


@pytest.mark.parametrize(
    "action,expected",
    [
        ("jump over the moon", "unknown command"),
        ("pick pink_block", "no object matches 'pink_block'"),
        ("move left", "needs a distance"),
        ("move 2cm", "one direction"),
        ("move left 500cm", "at most 60 cm"),
        ("pick", "say what to pick"),
    ],
)
def test_unparsable_plans_say_what_is_wrong(make_env, action, expected):
    env = make_env()
    env.reset(seed=3)
    obs, _, _, _, info = env.step(action)
    assert not env.unwrapped.history[-1].outcome.valid
    assert expected in env.unwrapped.history[-1].outcome.message
    assert expected in obs["feedback"]


def test_invalid_plan_executes_nothing(make_env):
    env = make_env()
    env.reset(seed=2)
    before = env.scene
    env.step("move left 5cm; fly away")
    after = env.scene
    assert np.array_equal(before.gripper, after.gripper)


def test_random_garbage_never_succeeds(make_env):
    env = make_env()
    rng = random.Random(0)
    alphabet = "abcdefghijklmnopqrstuvwxyz _;0123456789.\n"
    for i in range(200):
        env.reset(seed=i % 20)
        action = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 80)))
        _, _, _, _, info = env.step(action)
        assert not info["success"]


def test_state_carries_across_turns(make_env):
    env = make_env(tasks=("put",), bias_rate=0.0)
    obs, info = env.reset(seed=0)
    obj = next(n for n in info["problem"]["objects"] if n.split("_")[1] in ("block", "ball"))
    env.step(f"pick {obj}")
    assert env.scene.held == obj
    obs, *_ = env.step(f"place {info['problem']['target']}")
    assert env.scene.held is None
    assert "Gripper:" in obs["observation"] and "Last plan:" in obs["observation"]


def test_turn_budget_truncates(make_env):
    env = make_env(max_turns=2)
    env.reset(seed=0)
    assert env.step("move left 1cm")[3] is False
    assert env.step("move left 1cm")[3] is True
