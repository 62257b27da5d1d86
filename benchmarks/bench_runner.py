"""Runner throughput: episodes/s with 2 workers vs 1, and Ray vs the process pool."""

import statistics
import time

import pytest

import fbgym
from fbgym.agents import FeedbackAgent
from fbgym.runner import Suite, SuiteEntry

WORKLOAD = Suite(
    "bench",
    1,
    tuple(
        SuiteEntry(env_id, ("verbal", "unary", "ranked"), 400)
        for env_id in ("fbgym/Math-v0", "fbgym/ConvSearch-v0", "fbgym/RobotCorrection-v0")
    ),
)
EPISODES = len(WORKLOAD.specs())


def episodes_per_second(tmp_path, name, **kwargs):
    start = time.perf_counter()
    fbgym.evaluate(FeedbackAgent(), WORKLOAD, run_dir=tmp_path / name, **kwargs)
    return EPISODES / (time.perf_counter() - start)


def test_two_workers_vs_one(benchmark, tmp_path, rounds=3):
    """1 and 2 workers in alternating rounds, so a change in the machine's load hits both alike."""
    pairs = [
        (
            episodes_per_second(tmp_path, f"one-{i}", executor="process", workers=1),
            episodes_per_second(tmp_path, f"two-{i}", executor="process", workers=2),
        )
        for i in range(rounds)
    ]
    ratios = sorted(two / one for one, two in pairs)
    one = statistics.median(one for one, _ in pairs)
    two = statistics.median(two for _, two in pairs)
    speedup = statistics.median(ratios)
    benchmark.pedantic(
        episodes_per_second,
        args=(tmp_path, "timed"),
        kwargs={"executor": "process", "workers": 2},
        rounds=1,
        iterations=1,
    )
    benchmark.extra_info.update(
        {
            "episodes": EPISODES,
            "one_worker_eps": one,
            "two_workers_eps": two,
            "speedup": speedup,
            "speedup_range": [ratios[0], ratios[-1]],
        }
    )
    print(
        f"\n1 worker {one:.0f} ep/s, 2 workers {two:.0f} ep/s: {speedup:.2f}x "
        f"(rounds {ratios[0]:.2f}-{ratios[-1]:.2f}x)"
    )


def test_ray_vs_process_pool(benchmark, tmp_path):
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, ignore_reinit_error=True)
    episodes_per_second(tmp_path, "warm", executor="ray", workers=2)  # start the Ray workers
    pool = episodes_per_second(tmp_path, "pool", executor="process", workers=2)
    on_ray = benchmark.pedantic(
        episodes_per_second,
        args=(tmp_path, "ray"),
        kwargs={"executor": "ray", "workers": 2},
        rounds=1,
        iterations=1,
    )
    benchmark.extra_info.update(
        {"pool_eps": pool, "ray_eps": on_ray, "pool_over_ray": pool / on_ray}
    )
    print(f"\nprocess pool {pool:.0f} ep/s, Ray {on_ray:.0f} ep/s: pool/Ray = {pool / on_ray:.2f}")
