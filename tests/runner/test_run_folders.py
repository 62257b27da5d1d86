"""Run folders survive misuse: one writer at a time, and a full or read-only disk loses nothing."""

import errno
import json
import os
import subprocess
import sys
import textwrap
import time

import pytest
from click.testing import CliRunner

import fbgym
from fbgym.agents import AGENTS, FeedbackAgent
from fbgym.agents.base import BaseAgent
from fbgym.cli import main
from fbgym.errors import RunDirError
from fbgym.runner import RunDir

PLAN = {"envs": ["fbgym/Math-v0"], "channels": ["verbal", "unary"], "episodes": 4}

HOLDER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    import fbgym
    from fbgym.agents import FeedbackAgent

    class Waiting(FeedbackAgent):
        def __init__(self, started, release):
            super().__init__()
            self.started, self.release = Path(started), Path(release)

        def act(self, observation, info):
            self.started.touch()
            while not self.release.exists():
                time.sleep(0.02)
            return super().act(observation, info)

    fbgym.evaluate(Waiting(sys.argv[2], sys.argv[3]), ["fbgym/Math-v0"], channels=["verbal", "unary"],
                   episodes=4, run_dir=sys.argv[1], executor="serial")
    """
)


def _evaluate(run_dir, agent=None, **kwargs):
    return fbgym.evaluate(
        agent or FeedbackAgent(), PLAN["envs"], channels=PLAN["channels"],
        episodes=PLAN["episodes"], run_dir=run_dir, executor="serial", **kwargs,
    )  # fmt: skip


def _wait_for(path, process):
    deadline = time.monotonic() + 120
    while not path.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the holder never started playing"
        time.sleep(0.02)


def _keys(run_dir):
    return [r["key"] for r in RunDir(run_dir).episodes()]


def test_second_writer_on_a_run_folder_fails_at_once_naming_the_first(tmp_path):
    run, started, release = tmp_path / "run", tmp_path / "started", tmp_path / "release"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(run), str(started), str(release)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        _wait_for(started, holder)
        with pytest.raises(RunDirError) as caught:
            _evaluate(run)
        assert str(run) in str(caught.value) and f"pid {holder.pid}" in str(caught.value)
    finally:
        release.touch()
        output, _ = holder.communicate(timeout=300)
    assert holder.returncode == 0, output
    keys = _keys(run)
    assert sorted(keys) == sorted(RunDir(run).read_meta()["episodes"]) and len(keys) == 8
    with RunDir(run).writing():  # the folder is free again once its writer is done
        assert len(_keys(run)) == 8


def _failing_writes(monkeypatch, target, error, after):
    """Make ``os.write`` to the file ``target`` write half, then fail, from call ``after`` on."""
    real_write = os.write
    calls = []

    def write(fd, data):
        if os.readlink(f"/proc/self/fd/{fd}").endswith(target):
            calls.append(len(data))
            if len(calls) > after:
                real_write(fd, bytes(data[: len(data) // 2]))
                raise OSError(error, os.strerror(error))
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", write)
    return calls


@pytest.mark.skipif(not os.path.exists("/proc/self/fd"), reason="needs /proc/self/fd")
@pytest.mark.parametrize("error", [errno.ENOSPC, errno.EROFS, errno.EIO])
def test_run_interrupted_by_a_failing_disk_resumes_to_exactly_the_planned_episodes(
    tmp_path, monkeypatch, error
):
    reference = _evaluate(tmp_path / "reference")
    run = tmp_path / "run"
    with monkeypatch.context() as patch:
        calls = _failing_writes(patch, "episodes.jsonl", error, after=3)
        with pytest.raises(RunDirError) as caught:
            _evaluate(run)
    assert len(calls) == 4
    assert os.strerror(error) in str(caught.value) and str(run) in str(caught.value)
    assert (run / "episodes.jsonl").read_bytes().endswith(b"\n")  # the half line was cut
    assert len(_keys(run)) == 3
    resumed = _evaluate(run)
    keys = _keys(run)
    assert len(keys) == len(set(keys)) == 8
    assert sorted(keys) == sorted(RunDir(run).read_meta()["episodes"])
    assert resumed.drop(columns="elapsed_s").equals(reference.drop(columns="elapsed_s"))


def test_run_interrupted_by_a_read_only_folder_resumes_once_writable(tmp_path, monkeypatch):
    reference = _evaluate(tmp_path / "reference")
    run = tmp_path / "run"
    real_open = os.open
    state = {"appends": 0, "read_only": False}
    writing = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND

    def open_(path, flags, *args, **kwargs):
        if flags & writing and str(path).startswith(str(run)):
            if str(path).endswith("episodes.jsonl"):
                state["appends"] += 1
                state["read_only"] |= state["appends"] > 3
            if state["read_only"]:
                raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real_open(path, flags, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(os, "open", open_)
        with pytest.raises(RunDirError, match="Read-only file system"):
            _evaluate(run)
        written = (run / "episodes.jsonl").read_bytes()
        with pytest.raises(RunDirError, match="Read-only file system"):
            _evaluate(run)  # still read-only: refused before anything is played
        assert (run / "episodes.jsonl").read_bytes() == written
    assert len(_keys(run)) == 3
    resumed = _evaluate(run)
    keys = _keys(run)
    assert len(keys) == len(set(keys)) == 8
    assert resumed.drop(columns="elapsed_s").equals(reference.drop(columns="elapsed_s"))


def _fbgym_run(out, agent="feedback-baseline"):
    """``fbgym run`` on the smoke suite in this process; the exit code is checked here."""
    return CliRunner().invoke(
        main, ["run", "--suite", "smoke", "--agent", agent, "--out", str(out), "--no-progress",
               "--executor", "serial"],
    )  # fmt: skip


def _exited(result, code):
    assert result.exit_code == code, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output


def test_fbgym_run_on_an_unwritable_folder_exits_2_without_a_traceback(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n")
    result = _fbgym_run(blocker / "runs")
    _exited(result, 2)
    assert str(blocker) in result.output and "Not a directory" in result.output


@pytest.mark.skipif(not os.path.exists("/proc/self/fd"), reason="needs /proc/self/fd")
def test_fbgym_run_on_a_full_disk_exits_2_without_a_traceback(tmp_path, monkeypatch):
    _failing_writes(monkeypatch, "meta.json.tmp", errno.ENOSPC, after=0)
    result = _fbgym_run(tmp_path / "runs")
    _exited(result, 2)
    assert "No space left on device" in result.output
    (run,) = (tmp_path / "runs").iterdir()
    assert not (run / "meta.json").exists()
    assert not [p for p in run.iterdir() if p.name.endswith(".tmp")]  # nothing half-written


class Raiser(BaseAgent):
    name = "raiser"

    def act(self, observation, info):
        raise RuntimeError("out of ideas")


def test_fbgym_run_where_every_episode_failed_exits_nonzero_with_the_first_error(
    tmp_path, monkeypatch
):
    monkeypatch.setitem(AGENTS, "raiser", Raiser)
    result = _fbgym_run(tmp_path, agent="raiser")
    _exited(result, 1)
    assert "every episode" in result.output and "RuntimeError: out of ideas" in result.output
    (run,) = tmp_path.iterdir()
    meta = json.loads((run / "meta.json").read_text())
    assert len(_keys(run)) == len(meta["episodes"])  # the run itself is complete
