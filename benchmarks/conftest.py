"""Shared helpers for speed benchmarks: per-call times measured in the same run, as ratios."""

import timeit

import gymnasium as gym
import pytest


def _per_call(fn, number=2000, repeat=5):
    """Best-of-``repeat`` seconds per call of ``fn`` (the least disturbed measurement)."""
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number


@pytest.fixture(scope="session")
def cartpole_step():
    """Seconds per ``CartPole-v1`` step through ``gymnasium.make`` (with its default wrappers)."""
    env = gym.make("CartPole-v1")
    env.reset(seed=0)
    state = {"done": False}

    def step():
        if state["done"]:
            env.reset()
        _, _, terminated, truncated, _ = env.step(env.action_space.sample())
        state["done"] = terminated or truncated

    env.action_space.seed(0)
    return _per_call(step, number=5000)


@pytest.fixture(scope="session")
def cartpole_reset_step():
    """Seconds per ``CartPole-v1`` reset(seed) + step: an episode start, like a text env's turn."""
    env = gym.make("CartPole-v1")
    env.action_space.seed(0)
    seeds = iter(range(10**9))

    def reset_step():
        env.reset(seed=next(seeds))
        env.step(env.action_space.sample())

    return _per_call(reset_step, number=5000)


def _report(benchmark, name, seconds, reference, label):
    """Attach ``seconds / reference`` to the benchmark record and print it."""
    ratio = seconds / reference
    benchmark.extra_info.update(
        {f"{name}_us": seconds * 1e6, f"{label}_us": reference * 1e6, f"ratio_to_{label}": ratio}
    )
    print(f"\n{name}: {seconds * 1e6:.1f} us = {ratio:.2f} x {label} ({reference * 1e6:.1f} us)")
    return ratio


@pytest.fixture(scope="session")
def per_call():
    """``per_call(fn, number=..., repeat=...)``: best-of-repeats seconds per call."""
    return _per_call


@pytest.fixture(scope="session")
def report():
    """``report(benchmark, name, seconds, reference, label)``: record and print a ratio."""
    return _report
