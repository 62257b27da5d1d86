"""Sandbox throughput against one ``subprocess.run([python, "-c", ...])`` per program.

Run: ``pytest benchmarks/bench_sandbox.py --benchmark-only``. Both sides run the same
fixed programs (a function and its checks); the ratio is recorded in ``extra_info``.
"""

import subprocess
import sys
import time

import pytest

from fbgym.sandbox import Limits, Sandbox

PROGRAMS = [
    ("def f(xs):\n    return sorted(set(xs))\n", [([3, 1, 2, 3],), ([],)]),
    ("def f(s):\n    return s[::-1].upper()\n", [("hello",), ("",)]),
    ("import math\ndef f(n):\n    return sum(math.isqrt(i) for i in range(n))\n", [(1000,), (10,)]),
    ("def f(d):\n    return {v: k for k, v in d.items()}\n", [({"a": 1, "b": 2},)]),
    (
        "from collections import Counter\ndef f(s):\n    return Counter(s).most_common(1)[0][0]\n",
        [("abracadabra",)],
    ),
    (
        "def f(n):\n    a, b = 0, 1\n    for _ in range(n):\n"
        "        a, b = b, a + b\n    return a\n",
        [(30,), (1,)],
    ),
    ("import re\ndef f(s):\n    return re.findall(r'\\d+', s)\n", [("a1b22c333",)]),
    ("def f(xs, k):\n    return xs[k:] + xs[:k]\n", [([1, 2, 3, 4], 1), ([5], 0)]),
]


def _as_script(source, calls):
    checks = "".join(f"print(repr(f(*{args!r})))\n" for args in calls)
    return source + checks


def run_subprocess_each():
    for source, calls in PROGRAMS:
        subprocess.run(
            [sys.executable, "-c", _as_script(source, calls)],
            capture_output=True,
            timeout=10,
            check=True,
        )


@pytest.fixture(scope="module")
def box():
    with Sandbox(Limits(wall_s=5)) as sandbox:
        sandbox.run("pass")
        yield sandbox


def run_sandbox_each(box):
    for source, calls in PROGRAMS:
        result = box.run(source, entry="f", calls=calls)
        if not all(c.returned and c.error is None for c in result.calls):
            raise RuntimeError(f"benchmark program failed: {result}")


def _rate(fn, seconds):
    start, rounds = time.perf_counter(), 0
    while time.perf_counter() - start < seconds:
        fn()
        rounds += 1
    return rounds * len(PROGRAMS) / (time.perf_counter() - start)


def test_sandbox_throughput(benchmark, box):
    benchmark.pedantic(run_sandbox_each, args=(box,), rounds=30, warmup_rounds=2)
    benchmark.extra_info["programs_per_round"] = len(PROGRAMS)
    benchmark.extra_info["isolation"] = box.isolation.to_dict()


def test_subprocess_throughput(benchmark):
    benchmark.pedantic(run_subprocess_each, rounds=5, warmup_rounds=1)
    benchmark.extra_info["programs_per_round"] = len(PROGRAMS)


def test_sandbox_vs_subprocess_ratio(benchmark, box, rounds=3, seconds=1.0):
    """Both sides in alternating rounds, so a change in the machine's load hits both alike."""
    pairs = [
        (_rate(lambda: run_sandbox_each(box), seconds), _rate(run_subprocess_each, seconds))
        for _ in range(rounds)
    ]
    ratios = sorted(s / p for s, p in pairs)
    sandbox_rate = sum(s for s, _ in pairs) / rounds
    subprocess_rate = sum(p for _, p in pairs) / rounds
    benchmark.extra_info.update(
        sandbox_exec_per_s=round(sandbox_rate, 1),
        subprocess_exec_per_s=round(subprocess_rate, 1),
        ratio=round(sandbox_rate / subprocess_rate, 2),
        ratio_range=[round(ratios[0], 2), round(ratios[-1], 2)],
        isolation=box.isolation.level,
    )
    print(
        f"\nsandbox {sandbox_rate:.1f}/s, subprocess {subprocess_rate:.1f}/s, "
        f"ratio {sandbox_rate / subprocess_rate:.2f}x (rounds {ratios[0]:.2f}-{ratios[-1]:.2f}x), "
        f"isolation {box.isolation.to_dict()}"
    )
    benchmark.pedantic(run_sandbox_each, args=(box,), rounds=5)
