"""Code step throughput: reset + one graded attempt, against a bare sandbox run of the same code;
and the cost of drawing a Code-v1 problem against a Code-v0 one.

Run: ``pytest benchmarks/bench_code.py --benchmark-only``; the env's overhead over the sandbox
(problem generation, assembling, judging, feedback) is recorded as ``overhead_ratio``.
"""

import time

import gymnasium as gym
import pytest

import fbgym.envs.code  # noqa: F401


@pytest.fixture(scope="module")
def env():
    env = gym.make("fbgym/Code-v0", feedback="verbal", wall_s=2.0)
    env.reset(seed=0)
    return env


def episode(env, seed):
    env.reset(seed=seed)
    problem = env.unwrapped.problem
    return env.step(env.unwrapped.task.reference_action(problem))


def bare_run(env, seed):
    env.reset(seed=seed)
    problem = env.unwrapped.problem
    task = env.unwrapped.task
    return task.sandbox.run(
        problem.answer,
        entry=problem.data["entry_point"],
        calls=[t.args for t in problem.data["tests"]],
    )


def test_code_env_step_throughput(benchmark, env):
    seeds = iter(range(10**6))
    benchmark.pedantic(lambda: episode(env, next(seeds) % 50), rounds=100, warmup_rounds=5)


def test_code_env_overhead_over_bare_sandbox(benchmark, env):
    def rate(fn, n=100):
        start = time.perf_counter()
        for i in range(n):
            fn(env, i % 50)
        return n / (time.perf_counter() - start)

    env_rate, bare_rate = rate(episode), rate(bare_run)
    benchmark.extra_info.update(
        env_steps_per_s=round(env_rate, 1),
        bare_runs_per_s=round(bare_rate, 1),
        overhead_ratio=round(bare_rate / env_rate, 2),
    )
    print(f"\nenv {env_rate:.1f} steps/s, bare sandbox {bare_rate:.1f} runs/s")
    benchmark.pedantic(lambda: episode(env, 1), rounds=5)


@pytest.mark.parametrize("level", [1, 6])
def test_code_v1_problem_generation(benchmark, per_call, report, level):
    """Drawing a Code-v1 problem (walk, tests that catch misreadings, drafts) against Code-v0's."""
    v1 = gym.make("fbgym/Code-v1", levels=(level,)).unwrapped.task
    v0 = gym.make("fbgym/Code-v0").unwrapped.task
    indices = iter(range(10**9))

    def draw_v1():
        v1.problem("test", next(indices), 0)

    def draw_v0():
        v0.problem("test", next(indices), 0)

    benchmark(draw_v1)
    seconds = per_call(draw_v1, number=20, repeat=3)
    report(
        benchmark,
        f"code_v1_L{level}_problem",
        seconds,
        per_call(draw_v0, 200, 3),
        "code_v0_problem",
    )
