"""Generation 1 (fbgym/RobotCorrection-v1): missions, levels, per-stream robots, settings."""

import json

import gymnasium as gym
import numpy as np
import pytest

from fbgym.envs.robot.missions import LEVELS
from fbgym.envs.robot.robots import ROBOT_EPISODES, robot_for
from fbgym.envs.robot.task import RobotConfig, RobotTask
from fbgym.errors import ConfigError
from fbgym.registration import registry
from fbgym.runner.evaluate import STREAM_LENGTH

V1 = "fbgym/RobotCorrection-v1"
ROBOT = {"episodes": 20, "offset_rate": 0.7, "max_offset": 6.0, "drift": 1.5, "warp": 0.02}
TASK = RobotTask(RobotConfig(generation=1))


def make(**kwargs):
    return gym.make(V1, **kwargs).unwrapped


def test_v1_is_the_same_class_with_generation_1():
    info = registry.get(V1)
    assert info.kwargs == {"generation": 1}
    assert info.entry_point == registry.get("fbgym/RobotCorrection-v0").entry_point


def test_robots_last_as_long_as_the_runners_streams():
    assert ROBOT_EPISODES == STREAM_LENGTH


@pytest.mark.parametrize("level", sorted(LEVELS))
@pytest.mark.parametrize("split", ["test", "train"])
def test_reference_plan_succeeds_at_every_level_even_at_the_limits(level, split):
    limits = {"reach_noise": 0.5, "max_bias": 6.5, "bias_rate": 1.0, "drift": 3.0, "warp": 0.05}
    for kwargs in ({}, limits):
        env = make(levels=(level,), split=split, seed=3, **kwargs)
        for index in range(25):
            env.reset(seed=index)
            _, _, terminated, _, info = env.step(env.task.reference_action(env.problem))
            assert info["success"] and terminated, (
                index,
                env.unwrapped.history[-1].outcome.diagnosis["failure"],
            )


@pytest.mark.parametrize("level", sorted(LEVELS))
def test_levels_set_the_number_of_goals_and_clutter(level):
    env = make(levels=(level,))
    for index in range(10):
        _, info = env.reset(seed=index)
        problem = info["problem"]
        assert problem["level"] == level and len(problem["goals"]) == LEVELS[level].goals
        pickable = [k for k in problem["kinds"] if k != "bowl"]
        assert LEVELS[level].things[0] <= len(pickable)
        sentence = env.problem.instruction.split(" Control the robot")[0]
        assert sentence.count(".") == len(problem["goals"]) + problem["close_drawer"]


def test_a_robot_is_shared_within_a_stream_and_nowhere_else():
    first = robot_for(0, "test", 0, **ROBOT)
    assert all(robot_for(0, "test", i, **ROBOT).offsets == first.offsets for i in range(20))
    assert robot_for(0, "test", 20, **ROBOT).offsets != first.offsets
    assert robot_for(0, "train", 0, **ROBOT).offsets != first.offsets
    assert robot_for(1, "test", 0, **ROBOT).offsets != first.offsets
    drifts = {robot_for(0, "test", i, **ROBOT).drift for i in range(20)}
    assert len(drifts) == 20  # the arm drifts from episode to episode


def test_robot_episodes_sets_how_long_a_robot_lasts():
    short = {**ROBOT, "episodes": 5}
    assert robot_for(0, "test", 4, **short).offsets == robot_for(0, "test", 0, **short).offsets
    assert robot_for(0, "test", 5, **short).offsets != robot_for(0, "test", 0, **short).offsets


def test_scenes_show_the_robots_errors():
    """What the robot perceives is the object plus its offset, the drift and the warp."""
    env = make()
    for index in (0, 7, 33):
        env.reset(seed=index)
        scene = env.problem.data["scene"]
        robot = TASK.robot("test", index, 0)
        for name, kind in zip(scene.names, scene.kinds):
            i = scene.index[name]
            warped = robot.warp_matrix @ (scene.pos[i, :2] - np.array([30.0, 20.0]))
            expected = scene.pos[i, :2] + np.array(robot.error(name, kind)) + warped
            assert np.allclose(scene.perceived(name), expected)


def test_train_and_test_splits_share_no_problem():
    def signature(split, index):
        env = make(split=split)
        obs, info = env.reset(seed=index)
        public = {k: v for k, v in info["problem"].items() if k != "id"}
        return json.dumps([obs["observation"], public], sort_keys=True)

    test = {signature("test", i) for i in range(150)}
    train = {signature("train", i) for i in range(150)}
    assert len(test) == 150 and len(train) == 150 and not test & train


def test_noise_is_called_reach_noise_in_v1():
    with pytest.raises(ConfigError, match="reach_noise.*user=\\{'noise'"):
        make(noise=0.2)
    with pytest.raises(ConfigError, match="once"):
        gym.make("fbgym/RobotCorrection-v0", noise=0.2, reach_noise=0.2)


def test_v0_keeps_noise_as_the_reach_noise():
    old, new = (
        gym.make("fbgym/RobotCorrection-v0", **kw).unwrapped
        for kw in ({"noise": 0.1}, {"reach_noise": 0.1})
    )
    assert old.robot_task.config == new.robot_task.config
    assert old.robot_task.config.reach_noise == 0.1


@pytest.mark.parametrize(
    "name,value", [("levels", (2,)), ("robot_episodes", 5), ("drift", 0.5), ("warp", 0.0)]
)
def test_generation_1_settings_are_refused_by_v0(name, value):
    with pytest.raises(ConfigError, match=f"{name} need generation 1"):
        gym.make("fbgym/RobotCorrection-v0", **{name: value})


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"levels": (0,)}, "levels must be"),
        ({"levels": ()}, "levels must be"),
        ({"robot_episodes": 0}, "robot_episodes must be"),
        ({"drift": 4.0}, "drift must be"),
        ({"warp": 0.2}, "warp must be"),
        ({"tasks": ("fly",)}, "unknown robot tasks"),
        ({"reach_noise": 0.8}, "reach_noise must be"),
        ({"tasks": ("stack", "fetch"), "levels": (4,)}, "allow at most 4"),
    ],
)
def test_generation_1_settings_are_checked(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        make(**kwargs)


def test_fetch_is_a_generation_1_task():
    with pytest.raises(ConfigError, match="unknown robot tasks"):
        gym.make("fbgym/RobotCorrection-v0", tasks=("fetch",))
    env = make(tasks=("fetch",), levels=(1,))
    obs, info = env.reset(seed=0)
    assert info["problem"]["goals"][0]["task"] == "fetch"
    assert "in the closed drawer" in obs["observation"]


@pytest.mark.parametrize(
    "tasks",
    [("put",), ("stack",), ("drawer",), ("fetch",), ("stack", "fetch"), ("drawer", "fetch")],
)
def test_every_task_mix_either_plays_or_says_why_not(tasks):
    for level in sorted(LEVELS):
        try:
            env = make(tasks=tasks, levels=(level,))
        except ConfigError as exc:
            assert "add 'put'" in str(exc)
            continue
        for index in range(8):
            env.reset(seed=index)
            kinds = {g["task"] for g in env.problem.public["goals"]}
            assert kinds <= set(tasks)
            _, _, _, _, info = env.step(env.task.reference_action(env.problem))
            assert info["success"], (tasks, level, index)
