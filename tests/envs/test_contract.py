"""Every registered env id × channel honours the FeedbackEnv contract."""

import json
import subprocess
import sys

import gymnasium as gym
import pytest
from gymnasium.utils.env_checker import check_env
from gymnasium.vector import AsyncVectorEnv, SyncVectorEnv

import fbgym

CASES = [(e.id, ch) for e in fbgym.list_envs() for ch in e.channels]
BAD_ACTIONS = ["", "   ", "x" * 1_000_000, "12\ud800", "ans\x00wer\x07", 42, None, b"bytes", ["a"]]


def make(env_id, channel):
    return gym.make(env_id, feedback=channel)


def rollout(env_id, channel, seed, actions):
    """The transcript of an episode as JSON: every observation and the typed info."""
    env = make(env_id, channel)
    obs, info = env.reset(seed=seed)
    out = [obs, {k: v for k, v in info.items() if k not in ("feedback", "outcome")}]
    for action in actions:
        obs, reward, terminated, truncated, info = env.step(action)
        out.append(
            [
                obs,
                reward,
                terminated,
                truncated,
                info["feedback"].to_dict(),
                env.unwrapped.history[-1].outcome.to_dict(),
                info["turn"],
            ]
        )
        if terminated or truncated:
            break
    return json.dumps(out, sort_keys=True, default=str)


def garbage(env_id, channel, n=3):
    space = make(env_id, channel).action_space
    space.seed(7)
    return [space.sample()[:200] for _ in range(n)]


@pytest.mark.parametrize("env_id,channel", CASES)
def test_check_env(env_id, channel):
    check_env(make(env_id, channel).unwrapped, skip_render_check=True)


@pytest.mark.parametrize("env_id,channel", CASES)
def test_privileged_structure_only_on_request(env_id, channel):
    plain = make(env_id, channel).reset(seed=2)[1]["problem"]
    env = gym.make(env_id, feedback=channel, privileged=True)
    full = env.reset(seed=2)[1]["problem"]
    hidden = set(env.unwrapped.problem.privileged)
    assert not hidden & set(plain) and hidden <= set(full)
    assert str(env.unwrapped.problem.answer) not in {str(v) for v in plain.values()}


@pytest.mark.parametrize("env_id,channel", CASES)
def test_reference_action_succeeds_on_turn_one(env_id, channel):
    env = make(env_id, channel)
    for seed in range(5):
        env.reset(seed=seed)
        base = env.unwrapped
        _, reward, terminated, truncated, info = env.step(base.task.reference_action(base.problem))
        assert info["success"] and terminated and not truncated, (seed, info["feedback"].text)
        assert info["turn"] == 1 and reward == 1.0


@pytest.mark.parametrize("env_id,channel", CASES)
def test_garbage_fails_and_feedback_is_given(env_id, channel):
    env = make(env_id, channel)
    env.reset(seed=3)
    for action in garbage(env_id, channel):
        obs, reward, terminated, truncated, info = env.step(action)
        assert not info["success"]
        assert info["feedback"] is not None and info["feedback"].channel.value == channel
        if terminated or truncated:
            break


@pytest.mark.parametrize("env_id,channel", CASES)
def test_bad_actions_are_failed_attempts_with_feedback(env_id, channel):
    env = make(env_id, channel)
    env.unwrapped.max_turns = len(BAD_ACTIONS) + 1
    obs, _ = env.reset(seed=1)
    for action in BAD_ACTIONS:
        obs, reward, terminated, truncated, info = env.step(action)
        assert not info["success"] and not terminated
        assert not env.unwrapped.history[-1].outcome.valid, repr(action)[:40]
        assert (
            "not accepted" in obs["feedback"]
            and env.unwrapped.history[-1].outcome.message in obs["feedback"]
        )
        assert env.observation_space.contains(obs)


@pytest.mark.parametrize("env_id,channel", CASES)
def test_same_seed_and_actions_give_identical_transcripts(env_id, channel):
    actions = garbage(env_id, channel, 2) + ["The answer is 3", ""]
    first = rollout(env_id, channel, 11, actions)
    assert first == rollout(env_id, channel, 11, actions)
    assert first != rollout(env_id, channel, 12, actions)


def test_transcripts_are_identical_across_processes():
    script = (
        "import sys, json; sys.path.insert(0, 'tests/envs'); "
        "from test_contract import CASES, rollout, garbage; "
        "print(json.dumps([rollout(e, c, 5, garbage(e, c, 2) + ['The answer is 7']) for e, c in CASES]))"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": str(h), "PATH": ""},
        ).stdout
        for h in (1, 2)
    ]
    assert runs[0] == runs[1] and len(json.loads(runs[0])) == len(CASES)


@pytest.mark.parametrize("env_id,channel", CASES)
@pytest.mark.parametrize("vector", ["sync", "async"])
def test_vector_envs(env_id, channel, vector):
    fns = [lambda: make(env_id, channel) for _ in range(2)]
    envs = SyncVectorEnv(fns) if vector == "sync" else AsyncVectorEnv(fns, shared_memory=False)
    try:
        obs, info = envs.reset(seed=[4, 5])
        single = [make(env_id, channel).reset(seed=s)[0] for s in (4, 5)]
        assert list(obs["observation"]) == [o["observation"] for o in single]
        obs, reward, terminated, truncated, info = envs.step(["The answer is 0", ""])
        assert len(obs["feedback"]) == 2 and all(isinstance(f, str) and f for f in obs["feedback"])
    finally:
        envs.close()
