"""Every registered env id × channel honours the FeedbackEnv contract (fbgym's own checker)."""

import gymnasium as gym
import pytest
from gymnasium.vector import AsyncVectorEnv, SyncVectorEnv

import fbgym
from fbgym.utils import check_feedback_env

CASES = [(e.id, ch) for e in fbgym.list_envs() for ch in e.channels]


def make(env_id, channel):
    return gym.make(env_id, feedback=channel)


@pytest.mark.parametrize("env_id,channel", CASES)
def test_contract(env_id, channel):
    report = check_feedback_env(env_id, channels=[channel], across_processes=False)
    assert f"{channel}: oracle, seed 2" in report.checks and report.episodes >= 10


@pytest.mark.parametrize("env_id", sorted({e for e, _ in CASES}))
def test_transcripts_are_identical_across_processes(env_id):
    report = check_feedback_env(env_id, seeds=(), across_processes=True)
    assert report.checks[-1] == "identical across processes"


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
