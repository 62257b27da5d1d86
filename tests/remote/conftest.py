"""Servers on loopback for the remote tests: envs and agents, each in a thread of this process."""

from __future__ import annotations

import json

import gymnasium as gym
import pytest

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")

from fbgym.remote.protocol import dumps, reset_reply, step_reply  # noqa: E402
from fbgym.remote.server import ServeConfig, create_app  # noqa: E402
from fbgym.remote.serving import BackgroundServer  # noqa: E402


@pytest.fixture(scope="module")
def env_url():
    """Every registered env, served on loopback for the module's tests."""
    with BackgroundServer(create_app(ServeConfig())) as url:
        yield url


def play(env, seed, actions):
    """The transcript of one episode as bytes: every reply as the wire encodes it."""
    observation, info = env.reset(seed=seed)
    out = [reset_reply(observation, info)]
    for action in actions:
        observation, reward, terminated, truncated, info = env.step(action)
        out.append(step_reply(observation, reward, terminated, truncated, info))
        if terminated or truncated:
            break
    return dumps(out).encode()


def local_transcript(env_id, seed, actions, **kwargs):
    env = gym.make(env_id, **kwargs)
    try:
        return play(env, seed, actions)
    finally:
        env.close()


def decoded(transcript: bytes):
    return json.loads(transcript)
