import gymnasium as gym
import pytest

import fbgym.envs.search  # noqa: F401  (registers fbgym/ConvSearch-v0 and -v1)

CHANNELS = ("verbal", "unary", "ranked", "scalar")


def make(feedback: str = "verbal", **kwargs):
    return gym.make("fbgym/ConvSearch-v0", feedback=feedback, **kwargs)


def make_v1(feedback: str = "verbal", **kwargs):
    return gym.make("fbgym/ConvSearch-v1", feedback=feedback, **kwargs)


def results(observation: dict) -> list[str]:
    """Document ids in a search observation, in rank order."""
    ids = []
    for line in observation["observation"].splitlines():
        head = line.split(":", 1)[0].split()
        if len(head) == 2 and head[0].rstrip(".").isdigit():
            ids.append(head[1])
    return ids


@pytest.fixture(params=CHANNELS)
def channel(request):
    return request.param
