"""Ctrl-C on ``fbgym run`` keeps what is done and prints the command that finishes the run."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

from tests.cli.conftest import fbgym_env

EPISODES = 10
ARGS = [
    "run", "--env", "fbgym/Code-v0", "--channel", "verbal", "--episodes", str(EPISODES),
    "--agent", "feedback-baseline", "--executor", "serial", "--no-progress",
]  # fmt: skip


def _lines(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.endswith("}")]


def test_sigint_saves_episodes_and_the_printed_command_resumes(launcher, tmp_path):
    run_dir = tmp_path / "myrun"
    episodes = run_dir / "episodes.jsonl"
    proc = subprocess.Popen(
        [*launcher, *ARGS, "--run-dir", str(run_dir)],
        cwd=tmp_path,
        env=fbgym_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    while len(_lines(episodes)) < 2 and proc.poll() is None:  # wait until some are saved
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    saved = len(_lines(episodes))
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert f"interrupted: {saved} of {EPISODES} episodes saved in {run_dir}" in err
    assert 2 <= saved < EPISODES
    command = err.split("resume with: ")[1].strip()
    assert command.startswith("fbgym run ") and f"--run-dir {run_dir}" in command

    again = subprocess.run(
        [*launcher, *command.split()[1:]],
        cwd=tmp_path,
        env=fbgym_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert again.returncode == 0, again.stderr
    records = _lines(episodes)
    meta = json.loads((run_dir / "meta.json").read_text())
    assert sorted(r["key"] for r in records) == sorted(meta["episodes"])
    assert len(records) == EPISODES == len(meta["episodes"])


def test_resume_continues_the_newest_run_under_out(fbgym_cmd, tmp_path):
    args = [*ARGS[:6], "2", *ARGS[7:]]
    first = fbgym_cmd(*args, "--out", "runs")
    assert first.returncode == 0, first.stderr
    (folder,) = (tmp_path / "runs").iterdir()
    again = fbgym_cmd(*args, "--out", "runs", "--resume")
    assert again.returncode == 0, again.stderr
    assert f"wrote {Path('runs') / folder.name}" in again.stderr
    assert len(list((tmp_path / "runs").iterdir())) == 1
    nothing = fbgym_cmd(*args, "--out", "elsewhere", "--resume")
    assert nothing.returncode == 2 and "no run envs-feedback-baseline-" in nothing.stderr
