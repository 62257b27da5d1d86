"""Runs the ``fbgym`` command as a user's shell would: a process of its own, its own folder."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

LAUNCHER = "import sys\nfrom fbgym.cli import main\nsys.argv[0] = 'fbgym'\nmain()\n"
"""What the installed ``fbgym`` script does; run from its own folder, as the script is, so the
current folder is not on ``sys.path`` unless the command puts it there."""


def fbgym_env(**extra: str) -> dict[str, str]:
    """The environment for a ``fbgym`` process: this checkout's fbgym, no warnings, no colour."""
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PYTHONWARNINGS": "ignore",
        "NO_COLOR": "1",
        **extra,
    }


@pytest.fixture
def launcher(tmp_path_factory) -> list[str]:
    """The command line that starts ``fbgym`` (before its arguments)."""
    folder = tmp_path_factory.mktemp("bin")
    script = folder / "fbgym_main.py"
    script.write_text(LAUNCHER)
    return [sys.executable, str(script)]


@pytest.fixture
def fbgym_cmd(launcher, tmp_path) -> Callable[..., subprocess.CompletedProcess]:
    """``fbgym_cmd("envs", "--family", "x")``: run it in ``tmp_path``, capture its output."""

    def run(*args: str, input: str | None = None, timeout: float = 300):
        return subprocess.run(
            [*launcher, *args],
            cwd=tmp_path,
            env=fbgym_env(),
            input=input,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    return run
