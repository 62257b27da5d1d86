"""The README's Python examples run as written, each as a script in a fresh process."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
NEEDS_A_MODEL = ("HFAgent(", "OpenAIAgent(", "MyAgent(", "GRPOTrainer(model")


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_example(index, tmp_path):
    code = BLOCKS[index]
    if any(marker in code for marker in NEEDS_A_MODEL):
        pytest.skip("needs a language model or the reader's own agent")
    if "gym.make" in code and "import gymnasium" not in code:
        code = "import gymnasium as gym\nimport fbgym\n" + code
    script = tmp_path / "example.py"
    script.write_text(code)
    done = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]


def test_readme_has_the_two_commands_and_ci_runs_the_test_command():
    text = README.read_text()
    assert "pip install . && fbgym run" in text
    assert 'pip install -e ".[dev]" && pytest' in text
    assert 'pip install -e ".[dev]" && pytest' in (ROOT / ".ci" / "run").read_text()
