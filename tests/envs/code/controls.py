"""Control agents for the code family: cheaters that must not score.

Each reads only what an agent may: the observation texts, ``info["problem"]`` (public), and
the typed feedback's text, meta and ranking.

- :class:`TemplateMatcher` has read the generator: it holds a catalogue of generated
  problems with their reference solutions, matches the prompt's description (constants
  masked) to the catalogue, and answers the matched reference with the prompt's constants
  filled in.
- :class:`LookupTable` writes no algorithm: it records "f(x) == y" facts from the prompt's
  examples and from the feedback, and answers a table of them.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from typing import Any

import gymnasium as gym

from fbgym.agents.base import BaseAgent
from fbgym.runner import EpisodeSpec, play_episode

CONSTANT = re.compile(r"'[^']*'|(?<![\w.])-?\d+(?![\w.])")
"""A quoted string or an integer: the constants a generator fills into its templates."""


def description(statement: str) -> str:
    """The description part of a generated statement (between signature and examples)."""
    return statement.split("\n\n", 1)[1].split("\n\nExamples:", 1)[0]


def masked(text: str) -> tuple[str, list[str]]:
    """``text`` with its constants replaced by ``#``, and the constants in order."""
    found = CONSTANT.findall(text)
    return " ".join(CONSTANT.sub("#", text).split()), found


class TemplateMatcher(BaseAgent):
    """Matches the prompt to a catalogued template and fills in its constants."""

    name = "template-matcher"

    def __init__(self, catalogue: list[tuple[str, str, str]]):
        """``catalogue``: (statement, reference solution, entry point) of generated problems."""
        self.templates: dict[str, tuple[str, str]] = {}
        for statement, reference, entry in catalogue:
            key, constants = masked(description(statement))
            code = reference
            for index, value in reversed(list(enumerate(constants))):
                code = re.sub(rf"(?<![\w.]){re.escape(value)}(?![\w.])", f"<<{index}>>", code)
            self.templates.setdefault(key, (code, entry))

    def act(self, observation: dict[str, str], info: dict[str, Any]) -> str:
        """The matched template's code with this prompt's constants and entry point."""
        key, constants = masked(description(observation["observation"]))
        match = self.templates.get(key) or self._nearest(key)
        code, entry = match
        for index, value in enumerate(constants):
            code = code.replace(f"<<{index}>>", value)
        code = re.sub(r"<<\d+>>", "0", code)
        target = info.get("problem", {}).get("entry_point", entry)
        return "```python\n" + re.sub(rf"\bdef {entry}\(", f"def {target}(", code) + "```"

    def _nearest(self, key: str) -> tuple[str, str]:
        words = set(key.split())
        best = max(
            self.templates, key=lambda k: len(words & set(k.split())) / len(words | set(k.split()))
        )
        return self.templates[best]


class LookupTable(BaseAgent):
    """Answers a table of the input/output facts it has seen; no algorithm at all."""

    name = "lookup-table"

    def reset(self, instruction: str, *, seed: int | None = None) -> None:
        """Forget the last problem's facts."""
        self.facts: dict[str, Any] = {}
        self.entry = ""

    def act(self, observation: dict[str, str], info: dict[str, Any]) -> str:
        """A function that returns the recorded output for a recorded input."""
        if not self.entry:
            self.entry = info["problem"]["entry_point"]
            for line in observation["observation"].split("Examples:", 1)[-1].splitlines():
                self._example(line.strip())
        feedback = info.get("feedback")
        meta = dict(feedback.meta) if feedback is not None else {}
        if "args" in meta and "expected" in meta:
            try:
                args = tuple(ast.literal_eval(a) for a in meta["args"])
                self.facts[repr(args)] = ast.literal_eval(meta["expected"])
            except (ValueError, SyntaxError):
                pass
        common = Counter(repr(v) for v in self.facts.values()).most_common(1)
        default = common[0][0] if common else "None"
        table = ", ".join(f"{k!r}: {v!r}" for k, v in self.facts.items())
        return (
            f"```python\ndef {self.entry}(*args):\n    table = {{{table}}}\n"
            f"    return table.get(repr(args), {default})\n```"
        )

    def _example(self, line: str) -> None:
        try:
            node = ast.parse(line, mode="eval").body
        except SyntaxError:
            return
        if isinstance(node, ast.Compare) and isinstance(node.left, ast.Call):
            args = tuple(ast.literal_eval(a) for a in node.left.args)
            self.facts[repr(args)] = ast.literal_eval(node.comparators[0])


def catalogue(env_id: str, split: str, seed: int, count: int, **kwargs: Any):
    """(statement, reference, entry point) of ``count`` problems of ``env_id``'s ``split``."""
    task = gym.make(env_id, split=split, seed=seed, **kwargs).unwrapped.task
    out = []
    for index in range(count):
        problem = task.problem(split, index, seed)
        out.append((problem.observation, problem.answer, problem.data["entry_point"]))
    return out


def success_rates(agent, env_id: str, channel: str, seeds: range, **kwargs: Any):
    """(SR@1, SR@K) of ``agent`` over ``seeds`` of ``env_id``'s test split."""
    env = gym.make(env_id, feedback=channel, **kwargs)
    first = within = 0
    for seed in seeds:
        record = play_episode(agent, EpisodeSpec(env_id, channel, seed, kwargs), env)
        first += record["success"] and record["attempts_to_success"] == 1
        within += bool(record["success"])
    return first / len(seeds), within / len(seeds)
