"""Speed of the robot tabletop simulator against gymnasium's CartPole-v1, measured in the same run.

    pytest benchmarks/bench_robot.py --benchmark-only

Each benchmark runs ``STEPS`` steps per round; ``extra_info`` holds steps per second and the
ratio to CartPole-v1 (timed in the same test, best of five), and the ratios are printed.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import gymnasium as gym
import pytest

import fbgym.envs.robot  # noqa: F401  (registers the robot ids)
from fbgym.core.seeding import make_random
from fbgym.envs.robot.language import parse_plan
from fbgym.envs.robot.skills import execute

STEPS = 1000


def cartpole_steps() -> Callable[[], None]:
    env = gym.make("CartPole-v1")
    env.reset(seed=0)
    env.action_space.seed(0)
    actions = [env.action_space.sample() for _ in range(STEPS)]

    def run() -> None:
        for action in actions:
            _, _, terminated, truncated, _ = env.step(action)
            if terminated or truncated:
                env.reset()

    return run


def robot_skill_steps() -> Callable[[], None]:
    """``STEPS`` skill executions on the numpy scene, cycling through a pick-and-place plan."""
    env = gym.make("fbgym/RobotCorrection-v0").unwrapped
    env.reset(seed=0)
    start = env.scene
    p = env.problem.public
    obj = next(n for n, k in zip(p["objects"], p["kinds"]) if k in ("block", "ball"))
    bowl = next(n for n, k in zip(p["objects"], p["kinds"]) if k == "bowl")
    plan = parse_plan(
        f"move to {obj}; move left 1cm; move right 1cm; grasp; place {bowl}; "
        "open drawer; close drawer",
        start.names,
        start.kinds,
    )
    rngs = [make_random("bench", i) for i in range(len(plan))]

    def run() -> None:
        scene = start.copy()
        for i in range(STEPS):
            if i % len(plan) == 0:
                scene = start.copy()
            execute(scene, plan[i % len(plan)], rngs[i % len(plan)], 0.4)

    return run


def robot_env_steps() -> Callable[[], None]:
    """``STEPS`` env steps (parse, replay, execute, grade, critique) of four-turn episodes."""
    env = gym.make("fbgym/RobotCorrection-v0", max_turns=4)
    turns = [
        "pick block; place drawer",
        "open drawer",
        "move to ball; move left 2cm; grasp",
        "release",
    ]

    def run() -> None:
        env.reset(seed=0)
        for i in range(STEPS):
            _, _, terminated, truncated, _ = env.step(turns[i % 4])
            if terminated or truncated:
                env.reset(seed=i)

    return run


def robot_mission_steps() -> Callable[[], None]:
    """``STEPS`` env steps of ``-v1`` level-5 missions: a plan that misses, the expert's plan."""
    env = gym.make("fbgym/RobotCorrection-v1", levels=(5,), max_turns=2).unwrapped
    plans = []
    for seed in range(4):
        env.reset(seed=seed)
        expert = env.task.reference_action(env.problem)
        hasty = "; ".join(c for c in expert.split("; ") if not c.startswith("move ") or " to " in c)
        plans.append((seed, hasty, expert))

    def run() -> None:
        for i in range(STEPS // 2):
            seed, hasty, expert = plans[i % len(plans)]
            env.reset(seed=seed)
            env.step(hasty)
            env.step(expert)

    return run


def _best_rate(run: Callable[[], None], repeats: int = 5) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return STEPS / best


def test_cartpole_v1(benchmark):
    run = cartpole_steps()
    benchmark(run)
    benchmark.extra_info["steps_per_s"] = _best_rate(run)


@pytest.mark.parametrize(
    "name,make",
    [("skill", robot_skill_steps), ("env", robot_env_steps), ("mission", robot_mission_steps)],
)
def test_robot(benchmark, name, make):
    benchmark(make())
    reference = _best_rate(cartpole_steps())
    own = _best_rate(make())
    benchmark.extra_info.update(
        steps_per_s=own, cartpole_steps_per_s=reference, ratio_to_cartpole=own / reference
    )
    print(
        f"\nrobot {name} steps/s {own:,.0f}; CartPole-v1 {reference:,.0f}; "
        f"ratio {own / reference:.3f}"
    )
