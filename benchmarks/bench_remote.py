"""What serving costs: steps/s through `fbgym serve` against in-process, and sessions sustained.

The server is `fbgym serve` in a process of its own on loopback; the reference is the same
episodes (env, seeds, actions) played in this process, measured in the same run. Then as
many sessions as ``FBGYM_BENCH_SESSIONS`` lists are kept in flight at once from one asyncio
client, each playing its episodes to the end.
"""

import asyncio
import os
import subprocess
import sys
import time

import gymnasium as gym
import pytest

import fbgym  # noqa: F401  (registers the ids)

pytest.importorskip("fastapi")

from fbgym.remote import async_make, make  # noqa: E402

ENVS = ("fbgym/Math-v0", "fbgym/RobotCorrection-v0")
ACTIONS = {
    "fbgym/Math-v0": ["The answer is 1", "The answer is 2", "The answer is 3"],
    "fbgym/RobotCorrection-v0": ["pick red_block", "move left 2cm", "release"],
}
EPISODES = 60
SESSIONS = [int(n) for n in os.environ.get("FBGYM_BENCH_SESSIONS", "64,256,512").split(",")]


@pytest.fixture(scope="module")
def server():
    process = subprocess.Popen(
        [sys.executable, "-m", "fbgym.cli", "serve", *ENVS, "--port", "0", "--max-sessions",
         str(max(SESSIONS) + 8)],
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        line = process.stderr.readline()
        assert "serving" in line, line
        yield line.rsplit(" ", 1)[1].strip()
    finally:
        process.terminate()
        process.wait(timeout=30)


def _steps(env, env_id):
    steps = 0
    for seed in range(EPISODES):
        env.reset(seed=seed)
        for action in ACTIONS[env_id]:
            *_, terminated, truncated, _ = env.step(action)
            steps += 1
            if terminated or truncated:
                break
    return steps


def _rate(env, env_id):
    start = time.perf_counter()
    steps = _steps(env, env_id)
    return steps / (time.perf_counter() - start)


@pytest.mark.parametrize("env_id", ENVS)
def test_steps_per_second_served_against_in_process(benchmark, server, env_id):
    local_env = gym.make(env_id, feedback="verbal")
    remote_env = make(server, env_id, feedback="verbal")
    try:
        _steps(remote_env, env_id)  # warm both: imports, caches, the connection
        _steps(local_env, env_id)
        local = max(_rate(local_env, env_id) for _ in range(3))
        served = max(_rate(remote_env, env_id) for _ in range(3))
        benchmark.pedantic(_steps, args=(remote_env, env_id), rounds=3, iterations=1)
    finally:
        remote_env.close()
    benchmark.extra_info.update(
        {"in_process_steps_s": local, "served_steps_s": served, "served_over_local": served / local}
    )
    print(
        f"\n{env_id}: {local:,.0f} steps/s in-process, {served:,.0f} steps/s served "
        f"({served / local:.2f} x; {1e3 / served - 1e3 / local:.2f} ms per step to cross)"
    )


async def _session(url, seed):
    env = await async_make(url, "fbgym/Math-v0", feedback="verbal")
    steps = 0
    try:
        for episode in range(3):
            await env.reset(seed=seed * 3 + episode)
            for action in ACTIONS["fbgym/Math-v0"]:
                *_, terminated, truncated, _ = await env.step(action)
                steps += 1
                if terminated or truncated:
                    break
    finally:
        await env.close()
    return steps


async def _in_flight(url, sessions):
    start = time.perf_counter()
    results = await asyncio.gather(
        *(_session(url, s) for s in range(sessions)), return_exceptions=True
    )
    elapsed = time.perf_counter() - start
    failed = [r for r in results if isinstance(r, BaseException)]
    steps = sum(r for r in results if not isinstance(r, BaseException))
    return steps / elapsed, len(failed)


def test_concurrent_sessions_sustained(benchmark, server):
    rows = {}
    for sessions in SESSIONS:  # the better of two rounds: the machine may be shared
        runs = [asyncio.run(_in_flight(server, sessions)) for _ in range(2)]
        rate, failed = max(r for r, _ in runs), max(f for _, f in runs)
        rows[sessions] = (rate, failed)
        print(f"\n{sessions} sessions in flight: {rate:,.0f} steps/s, {failed} failed")
    benchmark.pedantic(lambda: asyncio.run(_in_flight(server, SESSIONS[0])), rounds=1)
    sustained = max((n for n, (_, failed) in rows.items() if failed == 0), default=0)
    benchmark.extra_info.update(
        {"sustained_sessions": sustained, **{f"steps_s_{n}": r for n, (r, _) in rows.items()}}
    )
    print(f"sustained: {sustained} concurrent sessions without a failure")
