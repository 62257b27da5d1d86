"""Sandbox throughput against a reference that runs programs the way human-eval's harness does.

Run: ``pytest benchmarks/bench_sandbox.py --benchmark-only -s``. The reference is written
here after human-eval's ``check_correctness``: per program a ``multiprocessing.Manager``
for the result, a forked ``multiprocessing.Process`` that changes into a fresh temporary
directory, swallows the program's output and ``exec``\\ s it (the function and asserts on
its results) under a ``SIGALRM`` timer, and a ``join`` with a timeout that kills it. Both
sides run the same programs, one worker each, in alternating rounds; the ratio of their
rates goes to ``extra_info`` and is printed.
"""

import contextlib
import io
import multiprocessing
import os
import signal
import tempfile
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
TIMEOUT = 5.0


class _TimedOut(Exception):
    pass


@contextlib.contextmanager
def _time_limit(seconds):
    def expire(signum, frame):
        raise _TimedOut("timed out")

    signal.setitimer(signal.ITIMER_REAL, seconds)
    signal.signal(signal.SIGALRM, expire)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def _execute(program, timeout, result):
    with tempfile.TemporaryDirectory() as scratch:
        os.chdir(scratch)
        try:
            sink = io.StringIO()
            with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
                with _time_limit(timeout):
                    exec(program, {})  # noqa: S102 (the reference runs programs unjailed)
            result.append("passed")
        except _TimedOut:
            result.append("timed out")
        except BaseException as exc:
            result.append(f"failed: {exc}")


def check_like_human_eval(program, timeout=TIMEOUT):
    """One program, the way human-eval's ``check_correctness`` runs it: its verdict."""
    manager = multiprocessing.Manager()
    try:
        result = manager.list()
        process = multiprocessing.Process(target=_execute, args=(program, timeout, result))
        process.start()
        process.join(timeout=timeout + 1)
        if process.is_alive():
            process.kill()
        return result[0] if result else "timed out"
    finally:
        manager.shutdown()


@pytest.fixture(scope="module")
def box():
    with Sandbox(Limits(wall_s=TIMEOUT)) as sandbox:
        sandbox.run("pass")
        yield sandbox


@pytest.fixture(scope="module")
def checked(box):
    """Each program with its calls' expected values, and as a script of asserts."""
    out = []
    for source, calls in PROGRAMS:
        run = box.run(source, entry="f", calls=calls)
        expected = [c.value for c in run.calls]
        asserts = "".join(f"assert f(*{a!r}) == {e!r}\n" for a, e in zip(calls, expected))
        out.append((source, calls, expected, source + asserts))
    return out


def run_sandbox_each(box, checked):
    for source, calls, expected, _ in checked:
        result = box.run(source, entry="f", calls=calls)
        if [c.value for c in result.calls] != expected:
            raise RuntimeError(f"benchmark program failed: {result}")


def run_reference_each(checked):
    for *_, script in checked:
        verdict = check_like_human_eval(script)
        if verdict != "passed":
            raise RuntimeError(f"benchmark program failed in the reference: {verdict}")


def _rate(fn, seconds):
    start, rounds = time.perf_counter(), 0
    while time.perf_counter() - start < seconds or rounds < 2:
        fn()
        rounds += 1
    return rounds * len(PROGRAMS) / (time.perf_counter() - start)


def test_sandbox_throughput(benchmark, box, checked):
    benchmark.pedantic(run_sandbox_each, args=(box, checked), rounds=30, warmup_rounds=2)
    benchmark.extra_info["programs_per_round"] = len(PROGRAMS)
    benchmark.extra_info["isolation"] = box.isolation.to_dict()


def test_human_eval_style_throughput(benchmark, checked):
    benchmark.pedantic(run_reference_each, args=(checked,), rounds=3, warmup_rounds=1)
    benchmark.extra_info["programs_per_round"] = len(PROGRAMS)


def test_sandbox_vs_human_eval_style_ratio(benchmark, box, checked, rounds=5, seconds=1.0):
    """Both sides in alternating rounds, so a change in the machine's load hits both alike."""
    pairs = [
        (
            _rate(lambda: run_sandbox_each(box, checked), seconds),
            _rate(lambda: run_reference_each(checked), seconds),
        )
        for _ in range(rounds)
    ]
    ratios = sorted(s / r for s, r in pairs)
    median = ratios[len(ratios) // 2]
    sandbox_rate = sum(s for s, _ in pairs) / rounds
    reference_rate = sum(r for _, r in pairs) / rounds
    benchmark.extra_info.update(
        sandbox_programs_per_s=round(sandbox_rate, 1),
        human_eval_style_programs_per_s=round(reference_rate, 1),
        ratio=round(median, 2),
        ratio_range=[round(ratios[0], 2), round(ratios[-1], 2)],
        isolation=box.isolation.level,
    )
    print(
        f"\nsandbox {sandbox_rate:.1f}/s, human-eval-style {reference_rate:.1f}/s, "
        f"ratio {median:.2f}x (median of {rounds} rounds, {ratios[0]:.2f}-{ratios[-1]:.2f}x), "
        f"isolation {box.isolation.to_dict()}"
    )
    benchmark.pedantic(run_sandbox_each, args=(box, checked), rounds=5)
