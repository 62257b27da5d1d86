"""The symbolic checker: math-verify in a worker that a slow answer cannot hang."""

import json
import os
import signal
import subprocess
import sys
import threading

import pytest

from fbgym.envs.math import symbolic
from fbgym.envs.math.symbolic import equivalent
from fbgym.envs.math.task import MathConfig, MathTask


def test_equal_different_and_unreadable():
    assert equivalent("\\frac 43", "\\frac{4}{3}").status == "equal"
    assert equivalent("43", "\\frac 43").status == "different"
    assert equivalent("", "3").status == "unreadable"


def test_a_stuck_worker_is_killed_and_replaced():
    assert equivalent("\\sqrt{12}", "2\\sqrt{3}").equal
    pid = symbolic._WORKER._proc.pid
    os.kill(pid, signal.SIGSTOP)  # it can no longer answer, not even its own alarm
    try:
        verdict = equivalent("\\sqrt{27}", "3\\sqrt{3}", timeout=0.5)
    finally:
        if symbolic._WORKER._proc is not None and symbolic._WORKER._proc.pid == pid:
            os.kill(pid, signal.SIGCONT)
    assert verdict.status == "timeout" and not verdict.equal
    assert symbolic._WORKER._proc is None  # killed
    assert equivalent("\\sqrt{27}", "3\\sqrt{3}").equal  # a fresh worker; timeouts not memoised


def test_a_pathological_answer_is_a_failed_attempt(tmp_path, monkeypatch):
    monkeypatch.setattr(symbolic, "TIMEOUT_S", 1.0)
    path = tmp_path / "math.jsonl"
    path.write_text(json.dumps({"problem": "p", "solution": "$\\boxed{10}$"}) + "\n")
    task = MathTask(MathConfig(data_path=str(path), data_format="math"))
    problem = task.problem("test", 0, 0)
    outcome = task.grade(problem, "\\boxed{(10^{10^{10}}+10)-10^{10^{10}}}", ())
    assert not outcome.success and not outcome.valid
    assert "took longer than 1 s" in outcome.message
    assert task.grade(problem, "\\boxed{\\sqrt{100}}", ()).success  # and the next one is checked


def test_overlong_answers_are_refused_without_checking():
    assert equivalent("1+" * symbolic.MAX_CHARS + "1", "2").status == "too_long"


def test_works_outside_the_main_thread():
    out = []
    worker = threading.Thread(target=lambda: out.append(equivalent("(x+1)^2", "x^2+2x+1")))
    worker.start()
    worker.join()
    assert out[0].equal


def test_import_fbgym_loads_no_symbolic_library():
    code = (
        "import sys, fbgym, fbgym.envs.math.task, fbgym.envs.math.grader; "
        "print([m for m in ('math_verify', 'sympy', 'latex2sympy2_extended') if m in sys.modules])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "[]", done.stderr


def test_math_files_need_math_verify(tmp_path, monkeypatch):
    import importlib.util

    from fbgym.errors import ConfigError

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "math_verify" else real(name)
    )
    path = tmp_path / "math.jsonl"
    path.write_text(json.dumps({"problem": "p", "solution": "$\\boxed{1}$"}) + "\n")
    with pytest.raises(ConfigError, match="pip install math-verify"):
        MathTask(MathConfig(data_path=str(path), data_format="math")).problem("test", 0, 0)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_uses_its_own_worker():
    assert equivalent("\\sqrt{4}", "2").equal
    parent_worker = symbolic._WORKER._proc.pid
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never the parent's pipes, never the parent's lock
        try:
            verdict = equivalent("\\sqrt{9}", "3")
            os.write(write, f"{verdict.equal} {symbolic._WORKER._proc.pid}".encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        equal, child_worker = pipe.read().split()
    os.waitpid(pid, 0)
    assert equal == "True" and int(child_worker) != parent_worker
    assert equivalent("\\sqrt{16}", "4").equal and symbolic._WORKER._proc.pid == parent_worker


def test_the_working_directory_cannot_shadow_the_worker(tmp_path):
    (tmp_path / "math_verify.py").write_text("raise SystemExit('shadowed')\n")
    code = (
        "from fbgym.envs.math.symbolic import equivalent; print(equivalent('\\\\frac 43', '4/3'))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert "status='equal'" in done.stdout, done.stderr


def test_a_worker_that_cannot_start_is_a_clear_error(monkeypatch):
    from fbgym.errors import FbgymError

    symbolic._WORKER.close()
    monkeypatch.setattr(symbolic, "_LAUNCH", "import sys; sys.exit(3)  # {path}")
    with pytest.raises(FbgymError, match="exited with status 3.*pip install math-verify"):
        equivalent("\\sqrt{49}", "7")
    monkeypatch.undo()
    assert equivalent("\\sqrt{49}", "7").equal
