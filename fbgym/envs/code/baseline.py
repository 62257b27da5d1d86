"""The code baseline: pick among candidate programs (drafts, or the reference and mutants).

Every channel drops what was tried. Beyond that, with feedback:

- verbal: a failing call with its expected value keeps only the candidates that return it;
  a failing call alone drops the candidates that behave there as the failed attempt did
  (same value, same error, or no answer in time), since they fail that test too. The pass
  counts order the attempts, as a ranking does.
- ranked: the ordering of the attempts. Lines that a better attempt has and a worse one
  lacks are likely right, the others likely wrong; the next candidate is the one whose
  lines score best.
- unary: only *not yet*.

Without feedback it resamples every turn. Each candidate runs in the sandbox, never here.
"""

from __future__ import annotations

import ast
import random
from collections import Counter
from typing import Any

from fbgym.sandbox import Limits, shared_sandbox, values_equal

_LIMITS = Limits(wall_s=1.0)
_SEVERITY = {"wrong": 0, "wrong_answer": 0, "exception": 1, "timeout": 2, "crashed": 3}
"""How bad each verbal status is (the worse ranks lower at equal passes; unknown: worst)."""


def _literal(text: Any) -> Any:
    if not isinstance(text, str):
        raise ValueError("not a literal")
    return ast.literal_eval(text)


class CodePolicy:
    """One episode of choosing, and with feedback pruning and ordering, candidate programs."""

    def __init__(
        self, problem: dict[str, Any], *, use_feedback: bool, rng: random.Random, memory: dict
    ):
        self.candidates: list[str] = list(problem.get("candidates") or [])
        self.entry = str(problem.get("entry_point", ""))
        self.use_feedback = use_feedback
        self.rng = rng
        self.remaining = list(range(len(self.candidates)))
        self.tried: list[int] = []
        """The candidate of each attempt, in order (attempt k is ``tried[k - 1]``)."""
        self.standing: dict[int, tuple[int, int]] = {}
        """Verbal: attempt → (tests passed, minus severity); higher is better."""
        self.prefers: dict[frozenset[int], tuple[int, int]] = {}
        """Attempt pair → (better, worse), from the latest judgment of that pair."""
        self._lines = [frozenset(line.strip() for line in c.splitlines()) for c in self.candidates]
        self._seen: dict[tuple[int, str], tuple[Any, ...] | None] = {}

    def act(self, observation: dict[str, str], info: dict[str, Any]) -> str:
        """The next candidate, as a fenced block."""
        if not self.candidates:
            return "```python\npass\n```"
        feedback = info.get("feedback")
        if self.use_feedback and self.tried and feedback is not None:
            self._learn(dict(feedback.meta), feedback.ranking)
        if self.use_feedback and self.remaining:
            choice = self._next()
        else:
            choice = self.rng.randrange(len(self.candidates))
        self.tried.append(choice)
        return f"```python\n{self.candidates[choice]}```"

    def _learn(self, meta: dict[str, Any], ranking: Any) -> None:
        last = self.tried[-1]
        if last in self.remaining:
            self.remaining.remove(last)
        if ranking:
            self._judged([list(group) for group in ranking])
        if "passed" in meta:
            status = str(meta.get("status", ""))
            self.standing[len(self.tried)] = (int(meta["passed"]), -_SEVERITY.get(status, 4))
            levels = sorted(set(self.standing.values()), reverse=True)
            self._judged([[a for a, s in self.standing.items() if s == v] for v in levels])
        try:
            args = tuple(_literal(a) for a in meta["args"])
        except (KeyError, TypeError, ValueError, SyntaxError):
            return
        if "expected" in meta:
            try:
                expected = _literal(meta["expected"])
            except (ValueError, SyntaxError):
                return
            self.remaining = [
                i for i in self.remaining if _same(self._behaviour(i, args), ("value", expected))
            ]
            return
        failed = self._behaviour(last, args)
        if failed is not None:
            self.remaining = [
                i for i in self.remaining if not _same(self._behaviour(i, args), failed)
            ]

    def _judged(self, groups: list[list[int]]) -> None:
        """Record the order of attempts (best group first) that a judgment gives."""
        for high, better in enumerate(groups):
            for worse in groups[high + 1 :]:
                for b in better:
                    for w in worse:
                        if 1 <= b <= len(self.tried) and 1 <= w <= len(self.tried):
                            self.prefers[frozenset((b, w))] = (b, w)

    def _next(self) -> int:
        """The remaining candidate whose lines the judgments favour most (ties at random)."""
        score: Counter[str] = Counter()
        for better, worse in self.prefers.values():
            good, bad = self._lines[self.tried[better - 1]], self._lines[self.tried[worse - 1]]
            score.update(good - bad)
            score.subtract(bad - good)
        value = {i: sum(score[line] for line in self._lines[i]) for i in self.remaining}
        top = max(value.values())
        best = [i for i in self.remaining if value[i] == top]
        return best[self.rng.randrange(len(best))]

    def _behaviour(self, index: int, args: tuple[Any, ...]) -> tuple[Any, ...] | None:
        """What candidate ``index`` does on ``args``: ("value", v), ("error", type), or None.

        ("no answer", None) when it ran out of time or memory, or died: a candidate that
        loops does so on any machine, but how far it gets first, or whether it fills its
        memory before its time is up, depends on the machine's speed, so these are one.
        """
        key = (index, repr(args))
        if key not in self._seen:
            box = shared_sandbox(_LIMITS)
            run = box.run(self.candidates[index], entry=self.entry, calls=[args])
            call = run.calls[0] if run.calls else None
            if not run.loaded:
                self._seen[key] = None
            elif call is None or not call.returned or _out_of_memory(call.error):
                self._seen[key] = ("no answer", None)
            elif call.error is not None:
                self._seen[key] = ("error", call.error.type)
            else:
                self._seen[key] = ("value", call.value)
        return self._seen[key]


def _out_of_memory(error: Any) -> bool:
    return error is not None and error.type == "MemoryError"


def _same(a: tuple[Any, ...] | None, b: tuple[Any, ...] | None) -> bool:
    if a is None or b is None or a[0] != b[0]:
        return False
    return values_equal(a[1], b[1]) if a[0] == "value" else a[1] == b[1]
