import numpy as np

from fbgym.envs.robot.language import parse_plan
from fbgym.envs.robot.progress import assess, failure
from fbgym.envs.robot.scenes import Goal
from fbgym.envs.robot.skills import run_plan
from fbgym.envs.robot.world import Scene


def scene(bias=((0, 0), (0, 0), (0, 0), (0, 0))):
    names = ("red_block", "blue_block", "green_ball", "green_bowl")
    return Scene(
        names,
        ("block", "block", "ball", "bowl"),
        ("red", "blue", "green", "green"),
        np.array([[10.0, 10.0, 0], [30.0, 10.0, 0], [10.0, 25.0, 0], [25.0, 25.0, 0]]),
        np.array(bias, dtype=float),
        ["table"] * 4,
        np.array([30.0, 20.0]),
    )


def run(s, text, turn=1, noise=0.0):
    return run_plan(s, parse_plan(text, s.names, s.kinds), ("test", turn), noise)


def test_pick_and_place_in_bowl():
    s = scene()
    events = run(s, "pick red_block; place green_bowl")
    assert [e.ok for e in events] == [True, True]
    assert s.support[0] == "green_bowl" and s.held is None
    assert assess(s, Goal("put", "red_block", "green_bowl", "the red block")).success


def test_perception_bias_makes_the_grasp_miss_and_a_correction_fixes_it():
    s = scene(bias=((3.0, 0.0), (0, 0), (0, 0), (0, 0)))
    events = run(s, "pick red_block; place green_bowl")
    assert events[-1].kind == "miss" and len(events) == 1  # the plan stops at the failure
    goal = Goal("put", "red_block", "green_bowl", "the red block")
    fault = failure(s, goal, events)
    assert fault["kind"] == "offset" and fault["offset"] == [-3.0, 0.0]
    assert run(s, "move left 3cm; grasp", turn=2)[-1].ok
    assert s.held == "red_block"


def test_stacking_needs_alignment():
    s = scene()
    run(s, "pick red_block; move to blue_block; move right 1cm; release")
    assert s.support[0] == "blue_block" and s.pos[0, 2] == 4.0
    s = scene()
    events = run(s, "pick red_block; move to blue_block; move right 2.5cm; release")
    assert events[-1].kind == "fell_off" and s.support[0] == "table"
    fault = failure(s, Goal("stack", "red_block", "blue_block", "the red block"), events)
    assert fault["kind"] == "offset" and fault["object"] == "blue_block"
    assert fault["offset"][0] < -2


def test_closed_drawer_and_hands_full():
    s = scene()
    events = run(s, "pick green_ball; place drawer")
    assert events[-1].kind == "drawer_closed" and s.support[2] == "cabinet"
    goal = Goal("drawer", "green_ball", "drawer", "the green ball")
    assert failure(s, goal, events) == {"kind": "drawer_closed"}
    events = run(s, "pick green_ball; open drawer", turn=2)
    assert events[-1].kind == "hands_full"
    assert failure(s, goal, events) == {"kind": "order"}
    run(s, "release; open drawer; pick green_ball; place drawer", turn=3)
    assert assess(s, goal).success


def test_ambiguous_reference_takes_the_nearest_and_is_corrected():
    s = scene()
    s.gripper = np.array([29.0, 11.0])
    events = run(s, "pick the block")
    assert events[0].resolved == "blue_block" and s.held == "blue_block"
    fault = failure(s, Goal("put", "red_block", "green_bowl", "the block"), events)
    assert fault == {"kind": "wrong_object", "object": "blue_block", "want": "red_block"}


def test_noise_is_deterministic_per_key_and_bounded():
    a, b, c = scene(), scene(), scene()
    run(a, "move to red_block", turn=1, noise=0.4)
    run(b, "move to red_block", turn=1, noise=0.4)
    run(c, "move to red_block", turn=2, noise=0.4)
    assert np.array_equal(a.gripper, b.gripper)
    assert not np.array_equal(a.gripper, c.gripper)
    assert np.all(np.abs(a.gripper - [10.0, 10.0]) <= 0.4)


def test_moves_stop_at_the_table_edge():
    s = scene()
    events = run(s, "move left 40cm")
    assert events[0].kind == "edge" and s.gripper[0] == 0.0
