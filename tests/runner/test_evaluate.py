import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

import fbgym
from fbgym.agents import FeedbackAgent
from fbgym.agents.base import BaseAgent
from fbgym.errors import FbgymError, UnknownIdError
from fbgym.runner import RunDir, get_suite


def test_rows_and_run_directory(tmp_path):
    df = fbgym.evaluate(
        FeedbackAgent(),
        ["fbgym/Math-v0"],
        channels=["verbal", "unary"],
        episodes=5,
        run_dir=tmp_path / "run",
    )
    assert len(df) == 10 and set(df.channel) == {"verbal", "unary"}
    assert df.attrs["run_dir"] == str(tmp_path / "run")
    meta = RunDir(tmp_path / "run").read_meta()
    assert meta["agent"]["name"] == "feedback-baseline" and meta["agent"]["privileged"]
    records = list(RunDir(tmp_path / "run").episodes())
    assert sorted(r["key"] for r in records) == sorted(meta["episodes"])  # completion order
    first = next(r for r in records if r["key"] == meta["episodes"][0])
    assert first["transcript"][0]["action"].startswith("The answer is")
    assert first["transcript"][-1]["feedback"]["channel"] == "verbal"
    assert df.success.sum() == sum(r["success"] for r in records)


class Crashy(BaseAgent):
    """Raises in every second episode it plays; returns a number in the others."""

    name = "crashy"
    episodes = 0

    def reset(self, instruction, *, seed=None):
        self.episodes += 1

    def act(self, observation, info):
        if self.episodes % 2 == 0:
            raise RuntimeError("boom")
        return 42  # a non-string action: a failed attempt, recorded as such


def test_an_agent_that_raises_fails_its_episode_not_the_run(tmp_path):
    df = fbgym.evaluate(
        Crashy(), ["fbgym/Math-v0"], channels=["unary"], episodes=4, run_dir=tmp_path
    )
    assert len(df) == 4 and not df.success.any()
    assert df.error.notna().tolist() == [False, True, False, True]
    assert "RuntimeError: boom" in df.error[1]
    record = next(RunDir(tmp_path).episodes())
    assert (
        record["transcript"][0]["action"] is None
        and record["transcript"][0]["action_type"] == "int"
    )


def test_resume_skips_recorded_episodes_and_drops_a_torn_line(tmp_path):
    run = tmp_path / "run"
    full = fbgym.evaluate(FeedbackAgent(), ["fbgym/Math-v0"], episodes=6, run_dir=run)
    lines = (run / "episodes.jsonl").read_bytes().splitlines(keepends=True)
    (run / "episodes.jsonl").write_bytes(b"".join(lines[:7]) + lines[7][:50])  # killed mid-write
    again = fbgym.evaluate(FeedbackAgent(), ["fbgym/Math-v0"], episodes=6, run_dir=run)
    keys = [r["key"] for r in RunDir(run).episodes()]
    assert len(keys) == len(set(keys)) == 18
    assert again.drop(columns="elapsed_s").equals(full.drop(columns="elapsed_s"))


def test_resume_refuses_a_different_run(tmp_path):
    fbgym.evaluate(FeedbackAgent(), ["fbgym/Math-v0"], episodes=2, run_dir=tmp_path)
    with pytest.raises(FbgymError, match="holds a different run"):
        fbgym.evaluate(FeedbackAgent(), ["fbgym/Math-v0"], episodes=3, run_dir=tmp_path)


def test_sigkill_midway_then_resume_gives_the_same_episode_set(tmp_path):
    run = tmp_path / "run"
    script = textwrap.dedent(f"""
        import time, fbgym
        from fbgym.agents import FeedbackAgent

        class Slow(FeedbackAgent):
            def act(self, observation, info):
                time.sleep(0.01)
                return super().act(observation, info)

        fbgym.evaluate(Slow(), ["fbgym/Math-v0"], episodes=40, run_dir={str(run)!r})
    """)
    proc = subprocess.Popen([sys.executable, "-c", script])
    path = run / "episodes.jsonl"
    deadline = time.time() + 60
    while time.time() < deadline and (not path.exists() or path.read_bytes().count(b"\n") < 10):
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.time() + 10  # its worker processes die with it
    while time.time() < deadline and _processes_mentioning(str(run)):
        time.sleep(0.1)
    assert not _processes_mentioning(str(run))
    partial = path.read_bytes().count(b"\n")
    assert 10 <= partial < 120
    subprocess.run([sys.executable, "-c", script], check=True)  # the same run, resumed
    resumed = [json.loads(x) for x in path.read_bytes().splitlines()]
    reference = fbgym.evaluate(
        FeedbackAgent(), ["fbgym/Math-v0"], episodes=40, run_dir=tmp_path / "ref"
    )
    assert sorted(r["key"] for r in resumed) == sorted(
        RunDir(tmp_path / "ref").read_meta()["episodes"]
    )
    by_key = {r["key"]: r["success"] for r in resumed}
    assert [
        by_key[k] for k in RunDir(tmp_path / "ref").read_meta()["episodes"]
    ] == reference.success.tolist()


def _processes_mentioning(text):
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                if text.encode() in handle.read():
                    found.append(int(pid))
        except OSError:
            continue
    return found


def test_named_suites_are_assembled_from_every_family_and_matched_by_label():
    smoke = get_suite("smoke")
    assert len(smoke.specs()) == 120
    assert {e.env_id for e in smoke.entries} == {
        "fbgym/Math-v1", "fbgym/Code-v1", "fbgym/ConvSearch-v1", "fbgym/RobotCorrection-v1"
    }  # fmt: skip
    assert get_suite("default").label == "default@2"
    assert get_suite("default@2") is not None
    with pytest.raises(UnknownIdError, match="default@2"):
        get_suite("default@1")  # an old version is not silently the new one
    with pytest.raises(UnknownIdError, match="did you mean 'smoke'"):
        get_suite("smok")
    hard = get_suite("hard")
    assert all(e.kwargs.get("levels") for e in hard.entries)


class Sleepy(BaseAgent):
    """Hangs in the second episode it plays, after writing down its process id."""

    name = "sleepy"
    episodes = 0

    def __init__(self, pid_file):
        self.pid_file = str(pid_file)

    def reset(self, instruction, *, seed=None):
        self.episodes += 1

    def act(self, observation, info):
        if self.episodes == 2:
            with open(self.pid_file, "w") as handle:
                handle.write(str(os.getpid()))
            time.sleep(600)
        return "The answer is 1"


@pytest.mark.parametrize("executor", ["serial", "process"])
def test_an_agent_that_overruns_the_step_timeout_fails_its_episode(tmp_path, executor):
    pid_file = tmp_path / "sleeper.pid"
    df = fbgym.evaluate(
        Sleepy(pid_file),
        ["fbgym/Math-v0"],
        channels=["unary"],
        episodes=3,
        run_dir=tmp_path / "run",
        executor=executor,
        step_timeout=0.2,
    )
    assert df.error.notna().tolist() == [False, True, False]
    assert "step timeout" in df.error[1]
    assert df.turns[1] == 0  # the overrunning call never returned an action
    with pytest.raises(ProcessLookupError):  # the hung agent's process was killed
        os.kill(int(pid_file.read_text()), 0)
    assert df.turns[2] >= 1  # and a fresh copy of the agent played on


class Learner(BaseAgent):
    """Remembers across episodes: answers with how many episodes it has seen in its stream."""

    name = "learner"

    def new_stream(self):
        self.seen = 0

    def reset(self, instruction, *, seed=None):
        self.seen += 1

    def act(self, observation, info):
        return f"The answer is {self.seen}"


def test_streams_start_fresh_and_carry_memory_within(tmp_path):
    df = fbgym.evaluate(
        Learner(),
        ["fbgym/Math-v0"],
        channels=["unary"],
        episodes=7,
        run_dir=tmp_path,
        executor="serial",
        stream_length=3,
    )
    assert df.stream.tolist() == [0, 0, 0, 1, 1, 1, 2]
    assert df.position.tolist() == [0, 1, 2, 0, 1, 2, 0]
    actions = [r["transcript"][0]["action"] for r in RunDir(tmp_path).episodes()]
    assert actions == [f"The answer is {n}" for n in (1, 2, 3, 1, 2, 3, 1)]
