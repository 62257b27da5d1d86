"""Every family × channel played remotely and locally: the same seeds and actions give the same bytes."""

import asyncio

import gymnasium as gym
import httpx
import pytest

import fbgym
from fbgym.remote import async_make, make
from fbgym.remote.protocol import decode_reset, decode_step, dumps, pack_action

from .conftest import local_transcript, play

JSON = {"content-type": "application/json"}
CASES = [(e.id, ch) for e in fbgym.list_envs() for ch in e.channels]


def actions_for(env_id, channel, seed):
    """Garbage, bad actions (non-text, oversized, a lone surrogate), then the right answer."""
    env = gym.make(env_id, feedback=channel)
    env.reset(seed=seed)
    base = env.unwrapped
    env.action_space.seed(seed)
    return [
        env.action_space.sample()[:80],
        42,
        "x" * 25_000,
        "12\ud800 and\x07",
        base.task.reference_action(base.problem),
    ]


@pytest.mark.parametrize("env_id,channel", CASES)
def test_remote_transcripts_are_byte_identical(env_url, env_id, channel):
    for seed in (3, 11):
        actions = actions_for(env_id, channel, seed)
        local = local_transcript(env_id, seed, actions, feedback=channel)
        env = make(env_url, env_id, feedback=channel)
        try:
            assert play(env, seed, actions) == local
        finally:
            env.close()


def test_one_session_plays_many_episodes_like_a_local_env(env_url):
    env = make(env_url, "fbgym/Math-v0", feedback="ranked")
    local = gym.make("fbgym/Math-v0", feedback="ranked")
    try:
        for seed in range(4):
            actions = ["The answer is 5", "The answer is 6"]
            assert play(env, seed, actions) == play(local, seed, actions)
        assert env.state()["turn"] == 2 and env.state()["env_id"] == "fbgym/Math-v0"
    finally:
        env.close()


def test_http_sessions_give_the_same_transcripts(env_url):
    env_id, channel, seed = "fbgym/ConvSearch-v0", "verbal", 2
    actions = actions_for(env_id, channel, seed)
    local = local_transcript(env_id, seed, actions, feedback=channel)

    class HttpEnv:
        def __init__(self, client):
            self.client, self.session = client, None

        def post(self, path, body):  # JSON as the wire writes it: lone surrogates escaped
            reply = self.client.post(path, content=dumps(body), headers=JSON)
            return reply.raise_for_status().json()

        def reset(self, seed):
            body = {"env_id": env_id, "kwargs": {"feedback": channel}, "seed": seed}
            data = self.post("/reset", body)
            self.session = data.pop("session_id")
            return decode_reset(data)

        def step(self, action):
            body = {"session_id": self.session, "action": pack_action(action)}
            data = self.post("/step", body)
            del data["session_id"]
            return decode_step(data)

    with httpx.Client(base_url=env_url, timeout=60) as client:
        assert play(HttpEnv(client), seed, actions) == local


def test_64_concurrent_sessions_complete_with_local_results(env_url):
    seeds = range(64)
    actions = ["The answer is 1", "The answer is 2", "The answer is 3"]
    expected = [local_transcript("fbgym/Math-v0", s, actions, feedback="verbal") for s in seeds]

    async def episode(seed):
        env = await async_make(env_url, "fbgym/Math-v0", feedback="verbal")
        try:
            return await play_async(env, seed, actions)
        finally:
            await env.close()

    async def everything():
        return await asyncio.gather(*(episode(s) for s in seeds))

    assert asyncio.run(everything()) == expected


async def play_async(env, seed, actions):
    from fbgym.remote.protocol import dumps, reset_reply, step_reply

    observation, info = await env.reset(seed=seed)
    out = [reset_reply(observation, info)]
    for action in actions:
        observation, reward, terminated, truncated, info = await env.step(action)
        out.append(step_reply(observation, reward, terminated, truncated, info))
        if terminated or truncated:
            break
    return dumps(out).encode()
