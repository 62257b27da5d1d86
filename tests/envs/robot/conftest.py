import gymnasium as gym
import pytest

import fbgym.envs.robot  # noqa: F401  (registers fbgym/RobotCorrection-v0)

ENV_ID = "fbgym/RobotCorrection-v0"
CHANNELS = ("verbal", "unary", "ranked", "scalar")


@pytest.fixture
def make_env():
    def make(feedback: str = "verbal", **kwargs):
        return gym.make(ENV_ID, feedback=feedback, **kwargs).unwrapped

    return make
