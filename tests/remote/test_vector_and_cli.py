"""make_vec over local and served envs, chat messages over a served env, and `fbgym serve`."""

import subprocess
import sys

import gymnasium as gym
import httpx
import pytest

import fbgym
from fbgym.errors import ConfigError, UnknownIdError
from fbgym.remote import make
from fbgym.wrappers import ChatEnv


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("served", [False, True])
def test_make_vec_plays_each_copy_as_a_single_env(env_url, mode, served):
    url = env_url if served else None
    envs = fbgym.make_vec("fbgym/Math-v0", 3, vectorization_mode=mode, url=url, feedback="unary")
    try:
        obs, info = envs.reset(seed=10)
        actions = ["The answer is 1", "", "The answer is 3"]
        obs, reward, terminated, truncated, info = envs.step(actions)
    finally:
        envs.close()
    for i in range(3):
        single = gym.make("fbgym/Math-v0", feedback="unary")
        single.reset(seed=10 + i)
        expected, *_ = single.step(actions[i])
        assert {k: obs[k][i] for k in expected} == expected
        assert info["turn"][i] == 1


def test_make_vec_says_what_is_wrong():
    with pytest.raises(UnknownIdError, match="did you mean"):
        fbgym.make_vec("fbgym/Maths-v0", 2)
    with pytest.raises(ConfigError, match="num_envs"):
        fbgym.make_vec("fbgym/Math-v0", 0)
    with pytest.raises(ConfigError, match="vectorization_mode"):
        fbgym.make_vec("fbgym/Math-v0", 2, vectorization_mode="ray")


def test_chat_messages_over_a_served_env_equal_local_ones(env_url):
    local = ChatEnv(gym.make("fbgym/RobotCorrection-v0", feedback="verbal"), tools=True)
    remote = ChatEnv(make(env_url, "fbgym/RobotCorrection-v0", feedback="verbal"), tools=True)
    try:
        assert remote.reset(seed=3) == local.reset(seed=3)
        for reply in ["pick red_block", "move left 2cm; release", "open drawer"]:
            assert remote.step(reply)[:4] == local.step(reply)[:4]
    finally:
        remote.close()


def test_fbgym_serve_starts_and_serves(tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-m", "fbgym.cli", "serve", "fbgym/Math-v0", "--port", "0"],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stderr.readline()
        assert "serving 1 envs at http://127.0.0.1:" in line, line
        url = line.rsplit(" ", 1)[1].strip()
        assert [e["id"] for e in httpx.get(url + "/envs", timeout=30).json()] == ["fbgym/Math-v0"]
        env = make(url, "fbgym/Math-v0", feedback="verbal")
        assert env.reset(seed=0)[1]["channel"] == "verbal"
        env.close()
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_fbgym_serve_refuses_unknown_ids():
    result = subprocess.run(
        [sys.executable, "-m", "fbgym.cli", "serve", "fbgym/Maths-v0"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2 and "did you mean 'fbgym/Math-v0'" in result.stderr
