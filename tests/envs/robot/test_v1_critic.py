"""The person's corrections on generation 1 missions: covers, neighbours, the drawer, no answers."""

import re

import gymnasium as gym
import pytest

from fbgym.agents.baselines import FeedbackAgent
from fbgym.core.view import undisclosed_meta
from fbgym.envs.robot.judging import _reach, covers
from fbgym.runner import EpisodeSpec, play_episode

V1 = "fbgym/RobotCorrection-v1"


def make(channel="verbal", **kwargs):
    return gym.make(V1, feedback=channel, **kwargs).unwrapped


def first_with(env, want, seeds=range(200)):
    """The first problem (after reset) for which ``want(scene, mission)`` is true."""
    for seed in seeds:
        env.reset(seed=seed)
        data = env.problem.data
        if want(data["scene"], data["mission"]):
            return data["scene"], data["mission"]
    raise AssertionError("no such problem")


def covered(scene, mission):
    goal = mission.goals[0]
    return scene.support[scene.index[goal.obj]] == "table" and any(
        scene.support[scene.index[c]] == goal.obj for c in covers(scene, goal)
    )


def test_a_covered_object_has_to_be_cleared_first():
    env = make(levels=(2, 3))
    scene, mission = first_with(env, covered)
    goal, cover = mission.goals[0], covers(scene, mission.goals[0])[0]
    obs, _, _, _, info = env.step("move left 1cm")
    fault = env.unwrapped.history[-1].outcome.diagnosis["failure"]
    assert fault["kind"] == "clear" and fault["object"] == cover and fault["under"] == goal.obj
    assert (
        cover.replace("_", " ") in obs["feedback"] and goal.obj.replace("_", " ") in obs["feedback"]
    )


def test_a_cover_taken_for_the_object_is_to_be_set_aside():
    env = make(levels=(2, 3))
    scene, mission = first_with(env, covered)
    goal, cover = mission.goals[0], covers(scene, mission.goals[0])[0]
    obs, _, _, _, info = env.step("; ".join([*_reach(scene, goal.obj), "grasp"]))
    assert env.scene.held == cover  # the gripper closes on what lies on top
    assert env.unwrapped.history[-1].outcome.diagnosis["failure"]["kind"] == "set_aside"
    assert cover.replace("_", " ") in obs["feedback"] and "first" in obs["feedback"]


def test_missing_a_cover_is_corrected_like_any_reach():
    env = make(levels=(3,), bias_rate=1.0)
    scene, mission = first_with(env, lambda s, m: any(covers(s, g) for g in m.goals))
    cover = next(covers(scene, g)[0] for g in mission.goals if covers(scene, g))
    obs, _, _, _, info = env.step(f"move to {cover}; grasp")
    fault = env.unwrapped.history[-1].outcome.diagnosis["failure"]
    assert fault["kind"] == "offset" and fault["object"] == cover
    assert cover.replace("_", " ") in obs["feedback"]
    assert re.search(r"to the (left|right)|from me|closer to me", obs["feedback"])


def test_closing_on_a_neighbour_says_which_it_was_and_where_the_object_is():
    env = make(levels=(1,))
    env.reset(seed=0)
    scene = env.problem.data["scene"]
    goal = env.problem.data["mission"].goals[0]
    other = next(n for n, k in zip(scene.names, scene.kinds) if k != "bowl" and n != goal.obj)
    if goal.kind == "fetch":
        pytest.skip("the object starts in the drawer")
    scene.pos[scene.index[other], :2] = scene.perceived(goal.obj)  # a neighbour where it looks
    obs, _, _, _, info = env.step(f"move to {goal.obj}; grasp")
    fault = env.unwrapped.history[-1].outcome.diagnosis["failure"]
    assert fault == {**fault, "kind": "offset", "object": goal.obj, "grabbed": other}
    assert f"that's the {other.replace('_', ' ')}" in obs["feedback"].lower()
    assert goal.obj.replace("_", " ") in obs["feedback"].lower().split("that's the")[1]


def test_an_open_drawer_left_behind_is_pointed_out():
    env = make(levels=(3, 4, 5))
    scene, mission = first_with(env, lambda s, m: m.close_drawer)
    plan = env.task.reference_action(env.problem).split("; ")
    assert plan[-1] == "close drawer"
    obs, _, terminated, _, info = env.step("; ".join(plan[:-1]))
    assert (
        not info["success"]
        and env.unwrapped.history[-1].outcome.diagnosis["subgoal"] == "close drawer"
    )
    assert "close the drawer" in obs["feedback"].lower()
    _, _, terminated, _, info = env.step("close drawer")
    assert info["success"] and terminated


@pytest.mark.parametrize("channel", ["verbal", "unary", "ranked"])
def test_feedback_says_no_more_than_its_text_and_never_the_plan(channel):
    env = make(channel)
    agent = FeedbackAgent()
    for seed in range(30):
        play_episode(agent, EpisodeSpec(V1, channel, seed), env)
        for turn in env.history:
            assert undisclosed_meta(turn.feedback) == []
            if channel == "verbal" and turn.outcome.valid:
                assert not re.search(r"\d", turn.feedback.text), turn.feedback.text
