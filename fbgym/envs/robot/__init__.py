"""The robot family: a numpy tabletop robot that a simulated person corrects in words."""

from fbgym.registry import registry

with registry._builtin():
    registry.register(
        "fbgym/RobotCorrection-v0",
        "fbgym.envs.robot.env:RobotEnv",
        family="robot",
        channels=("verbal", "unary", "ranked", "scalar"),
        description="Pick-and-place, stacking and drawer tasks with a person's corrections.",
    )
    registry.register(
        "fbgym/RobotCorrection-v1",
        "fbgym.envs.robot.env:RobotEnv",
        family="robot",
        channels=("verbal", "unary", "ranked", "scalar"),
        kwargs={"generation": 1},
        description=(
            "Missions of one to ten goals at five levels (clutter, covered blocks, the drawer),"
            " by a robot that changes from stream to stream and drifts within one."
        ),
    )
