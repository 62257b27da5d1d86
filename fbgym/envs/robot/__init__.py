"""The robot family: a numpy tabletop robot that a simulated person corrects in words."""

from fbgym.core.family import Family, SuiteEntry

FAMILY = Family(
    "robot",
    env="fbgym.envs.robot.env:RobotEnv",
    versions={"fbgym/RobotCorrection-v0": {}, "fbgym/RobotCorrection-v1": {"generation": 1}},
    descriptions={
        "fbgym/RobotCorrection-v0": "Pick-and-place, stacking and drawer tasks with a person's "
        "corrections.",
        "fbgym/RobotCorrection-v1": "Missions of one to ten goals at five levels (clutter, "
        "covered blocks, the drawer), by a robot that changes from stream to stream and drifts "
        "within one.",
    },
    baseline="fbgym.envs.robot.baseline:robot_policy",
    prompt="fbgym.envs.robot.prompt:TEMPLATE",
    critic_prompt="fbgym.envs.robot.prompt:CRITIC",
    metrics="fbgym.envs.robot.metrics:robot_metrics",
    tools="fbgym.envs.robot.tools:ROBOT_TOOLS",
    suites={
        "default": (SuiteEntry("fbgym/RobotCorrection-v1", episodes=200),),
        "hard": (
            SuiteEntry(
                "fbgym/RobotCorrection-v1", episodes=200, kwargs={"levels": [4, 5], "drift": 2.5}
            ),
        ),
        "smoke": (SuiteEntry("fbgym/RobotCorrection-v1", episodes=10),),
    },
)
