"""Nothing fails quietly: an agent that only raises, a compare file that says nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.cli.conftest import ROOT, fbgym_env

RAISER = """
from fbgym.agents import BaseAgent


class Raiser(BaseAgent):
    name = "raiser"

    def act(self, observation, info):
        raise RuntimeError("out of ideas")
"""


def test_an_agent_that_raises_in_every_episode_fails_the_command(fbgym_cmd, tmp_path):
    (tmp_path / "myagents.py").write_text(RAISER)  # found in the current folder
    result = fbgym_cmd(
        "run", "--env", "fbgym/Math-v0", "--channel", "unary", "--episodes", "2",
        "--agent", "myagents:Raiser", "--executor", "serial", "--no-progress",
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert "every episode of raiser failed because the agent raised" in result.stderr
    assert "out of ideas" in result.stderr and "Traceback" not in result.stderr


TEST_FILE = """
import pytest
from fbgym.agents import FeedbackAgent


@pytest.mark.fbgym
def test_agent(fbgym_evaluate):
    fbgym_evaluate(FeedbackAgent(), ["fbgym/Math-v0"], channels=["unary"], episodes=2)
"""


def _pytest(folder: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "--benchmark", "--benchmark-disable", *args, str(folder / "test_it.py")],
        cwd=folder, env=fbgym_env(PYTHONPATH=str(ROOT)), capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip


def test_fbgym_compare_fails_on_a_missing_file_or_agent(tmp_path):
    (tmp_path / "test_it.py").write_text(TEST_FILE)
    missing = _pytest(tmp_path, "--fbgym-compare", str(tmp_path / "nonexistent"))
    assert missing.returncode != 0 and "no such file or folder" in missing.stdout + missing.stderr
    other = tmp_path / "other.json"
    other.write_text('{"benchmarks": [{"extra_info": {"fbgym_agent": "someone-else"}}]}')
    absent = _pytest(tmp_path, "--fbgym-compare", str(other))
    assert absent.returncode == 1 and "holds no scores of feedback-baseline" in absent.stdout
