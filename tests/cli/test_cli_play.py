"""``fbgym play``: a fenced block of code is one attempt, as the task says it may be."""

from __future__ import annotations

import re

import gymnasium as gym
from click.testing import CliRunner

import fbgym  # noqa: F401  (registers the ids)
from fbgym.cli import main


def test_a_fenced_block_is_one_attempt():
    env = gym.make("fbgym/Code-v0", feedback="verbal")
    obs, _ = env.reset(seed=1)
    name = re.search(r"def (\w+)\(", obs["observation"]).group(1)
    block = f"```python\ndef {name}(*args):\n    value = None\n    return value\n```\n"
    result = CliRunner().invoke(
        main, ["play", "fbgym/Code-v0", "--feedback", "verbal", "--seed", "1"], input=block
    )
    assert result.exit_code == 0, result.output
    assert result.output.count("\n> ") == 2  # one attempt, then the prompt that reads Ctrl-D
    assert "no function named" not in result.output and "bye" in result.output


def test_play_refuses_an_unknown_channel_with_the_accepted_ones():
    result = CliRunner().invoke(main, ["play", "fbgym/Math-v0", "--feedback", "verbl"])
    assert result.exit_code == 2 and "'verbal', 'unary', 'ranked', 'scalar'" in result.output
