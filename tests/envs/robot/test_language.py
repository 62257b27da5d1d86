import pytest

from fbgym.envs.robot.language import MAX_COMMANDS, PlanError, parse_plan, split_plan

NAMES = ["red_block", "blue_block", "red_ball", "green_bowl"]
KINDS = ["block", "block", "ball", "bowl"]


def parse(text):
    return parse_plan(text, NAMES, KINDS)


def test_splits_on_semicolons_new_lines_and_then():
    assert split_plan("1. pick red_block\n2) place green_bowl; grasp then release") == [
        "pick red_block",
        "place green_bowl",
        "grasp",
        "release",
    ]


def test_forms_of_reference():
    assert parse("pick red_block")[0].refs == ("red_block",)
    assert parse("pick up the red block")[0].refs == ("red_block",)
    assert parse("pick the block")[0].refs == ("red_block", "blue_block")
    assert parse("pick the red one")[0].refs == ("red_block", "red_ball")
    assert parse("put it in the green bowl")[0].refs == ("green_bowl",)
    assert parse("place drawer")[0].refs == ("drawer",)


def test_moves_in_the_persons_frame():
    assert parse("move left 2cm")[0].delta == (-2.0, 0.0)
    assert parse("move 15 mm forward")[0].delta == (0.0, 1.5)
    assert parse("move back by 3.5 cm")[0].delta == (0.0, -3.5)
    assert parse("move to red_ball")[0].verb == "move_to"


def test_gripper_and_drawer_commands():
    verbs = [
        c.verb
        for c in parse("grasp; close the gripper; release; let go; open drawer; close the drawer")
    ]
    assert verbs == ["grasp", "grasp", "release", "release", "open", "close"]


@pytest.mark.parametrize(
    "text,message",
    [
        ("pick green_bowl", "cannot pick green_bowl"),
        ("place red_ball", "cannot place on or in red_ball"),
        ("pick drawer", "cannot pick the drawer"),
        ("pick red_block; dance", "command 2 ('dance'): unknown command"),
        ("move left -2cm", "more than 0"),
        (" ; ;", "holds no command"),
    ],
)
def test_errors_name_the_command_and_the_problem(text, message):
    with pytest.raises(PlanError) as caught:
        parse(text)
    assert message in str(caught.value)


def test_too_many_commands():
    with pytest.raises(PlanError, match=f"at most {MAX_COMMANDS}"):
        parse("; ".join(["grasp"] * (MAX_COMMANDS + 1)))
