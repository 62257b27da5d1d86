"""Every ordinary mistake on the command line: a short message, exit code 2, no traceback."""

from __future__ import annotations

import pytest

RAY_MISSING = "import sys; sys.modules['ray'] = None\n"


def _short_error(result, *needles: str) -> None:
    err = result.stderr
    assert result.returncode == 2, (result.returncode, err)
    assert "Traceback" not in err and "Traceback" not in result.stdout
    lines = [line for line in err.splitlines() if line.strip()]
    assert 1 <= len(lines) <= 4, err
    for needle in needles:
        assert needle in err, (needle, err)


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["play", "fbgym/Math-v0", "--feedback", "verbl"], ["verbl", "verbal", "unary"]),
        (["play", "fbgym/Mat-v0"], ["no fbgym environment", "fbgym/Math-v0"]),
        (["run", "--agent", ":Guesser"], ["module:Class", ":Guesser"]),
        (["run", "--agent", "nosuchmodule:Guesser"], ["nosuchmodule", "looked in"]),
        (["run", "--agent", "nobody"], ["no agent 'nobody'", "feedback-baseline"]),
        (["run", "--suite", "nope"], ["no suite 'nope'", "smoke"]),
        (["run", "--executor", "batched", "--suite", "smoke"], ["act_batch", "serial"]),
        (["run", "--executor", "sideways"], ["sideways", "process"]),
        (["run", "--agent-arg", "no-equals"], ["KEY=VALUE"]),
        (["run", "--agent-arg", "colour=1"], ["colour"]),
        (["run", "--channel", "verbal"], ["--channel", "--env"]),
        (["run", "--env", "fbgym/Mat-v0"], ["fbgym/Math-v0"]),
        (["run", "--episodes", "3"], ["--episodes", "--env"]),
        (["run", "--workers", "0"], ["--workers", "0"]),
        (["envs", "--family", "nosuch"], ["no family 'nosuch'", "math"]),
    ],
)
def test_a_bad_command_gets_a_short_message_and_exit_2(fbgym_cmd, args, needles):
    _short_error(fbgym_cmd(*args), *needles)


def test_the_ray_executor_without_ray_says_how_to_install_it(launcher, tmp_path):
    import subprocess

    from tests.cli.conftest import fbgym_env

    script = tmp_path / "no_ray.py"
    script.write_text(RAY_MISSING + open(launcher[1]).read())
    result = subprocess.run(
        [launcher[0], str(script), "run", "--suite", "smoke", "--executor", "ray"],
        cwd=tmp_path,
        env=fbgym_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    _short_error(result, "needs Ray", "pip install")
    assert not (tmp_path / "runs").exists()  # refused before any run folder was written


def test_debug_shows_the_traceback(fbgym_cmd):
    result = fbgym_cmd("--debug", "play", "fbgym/Mat-v0")
    assert result.returncode != 0 and "Traceback" in result.stderr
