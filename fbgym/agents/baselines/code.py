"""The code baseline: pick among candidate programs (the reference and injected-bug mutants).

With feedback it prunes: a failing call with its expected value keeps only the candidates
that return it (each candidate is run in the sandbox on that input); a failing call alone
drops the candidates that return what the failed attempt returned; unary and ranked
feedback drop what was tried. Without feedback it resamples every turn.
"""

from __future__ import annotations

import ast
import random
from typing import Any

from fbgym.agents.baselines import policy
from fbgym.sandbox import Limits, shared_sandbox, values_equal

_LIMITS = Limits(wall_s=1.0)


def _literal(text: Any) -> Any:
    if not isinstance(text, str):
        raise ValueError("not a literal")
    return ast.literal_eval(text)


@policy("code")
class CodePolicy:
    """One episode of choosing, and with feedback pruning, candidate programs."""

    def __init__(
        self, problem: dict[str, Any], *, use_feedback: bool, rng: random.Random, memory: dict
    ):
        self.candidates: list[str] = list(problem.get("candidates") or [])
        self.entry = str(problem.get("entry_point", ""))
        self.use_feedback = use_feedback
        self.rng = rng
        self.remaining = list(range(len(self.candidates)))
        self.last: int | None = None

    def act(self, observation: dict[str, str], info: dict[str, Any]) -> str:
        """The next candidate, as a fenced block."""
        if not self.candidates:
            return "```python\npass\n```"
        feedback = info.get("feedback")
        if self.use_feedback and self.last is not None and feedback is not None:
            self._prune(dict(feedback.meta))
        if self.use_feedback and self.remaining:
            choice = self.remaining[self.rng.randrange(len(self.remaining))]
        else:
            choice = self.rng.randrange(len(self.candidates))
        self.last = choice
        return f"```python\n{self.candidates[choice]}```"

    def _prune(self, meta: dict[str, Any]) -> None:
        if self.last in self.remaining:
            self.remaining.remove(self.last)
        try:
            args = tuple(_literal(a) for a in meta["args"])
        except (KeyError, TypeError, ValueError, SyntaxError):
            return
        if "expected" in meta:
            try:
                expected = _literal(meta["expected"])
            except (ValueError, SyntaxError):
                return
            self.remaining = [i for i in self.remaining if self._returns(i, args, expected)]
        elif self.last is not None:
            failed = self._output(self.last, args)
            if failed is not None:
                self.remaining = [
                    i for i in self.remaining if not self._returns(i, args, failed[0])
                ]

    def _output(self, index: int, args: tuple[Any, ...]) -> tuple[Any] | None:
        box = shared_sandbox(_LIMITS)
        run = box.run(self.candidates[index], entry=self.entry, calls=[args])
        call = run.calls[0] if run.calls else None
        if call is None or not call.returned or call.error is not None:
            return None
        return (call.value,)

    def _returns(self, index: int, args: tuple[Any, ...], expected: Any) -> bool:
        out = self._output(index, args)
        return out is not None and values_equal(out[0], expected)
