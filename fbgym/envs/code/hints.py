"""The code family's hint model: wrong failing calls or values, and ground-truth corrections.

What each rung of the informativeness ladder adds for generation-1 problems (``Code-v1``),
whose verbal critic names the failing call but not its expected value:

- ``ground_truth``: the expected value of the failing call ("f(x) should return y").
- ``edit``: that, and the reference function to put in place of the attempt.

Generation-0 problems (``Code-v0``) keep the generic corrections (the reference program).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from fbgym.core.types import Feedback, FeedbackKind, FeedbackPart, Outcome, Problem, Turn
from fbgym.envs.code.critic import BANK
from fbgym.envs.code.grader import show_call
from fbgym.simulators.hints import HintModel
from fbgym.simulators.paraphrase import Paraphrases

EDIT = Paraphrases(
    {
        "edit": [
            "Replace your function with this one:\n```python\n{reference}```",
            "Put this in place of your function:\n```python\n{reference}```",
        ]
    }
)


class CodeHints(HintModel):
    """A wrong hint names a wrong expected value, or (without one) a wrong failing call.

    The wrong value is a real output of the function on some other input, and the wrong
    call a real hidden test, so both look plausible; a learner that trusts them keeps the
    wrong programs. Wrong calls are given for generation-1 problems only.
    """

    future_keys = frozenset()

    def wrong(
        self,
        problem: Problem,
        history: Sequence[Turn],
        outcome: Outcome,
        feedback: Feedback,
        rng: random.Random,
    ) -> Feedback | None:
        """``feedback`` with the expected value (or call) replaced, or ``None`` if it has none."""
        expected = feedback.meta.get("expected")
        failure = outcome.diagnosis.get("failure") or {}
        if not failure.get("call"):
            return None
        if expected is None:
            return self._wrong_call(problem, feedback, failure["call"], rng)
        others = sorted({repr(t.expected) for t in problem.data.get("tests", ())} - {expected})
        if not others:
            return None
        wrong = others[rng.randrange(len(others))]
        if "got" in failure and failure.get("got") is not None:
            text = BANK.say(
                "expected", rng, call=failure["call"], expected=wrong, got=failure["got"]
            )
        else:
            text = BANK.say("expected_error", rng, call=failure["call"], expected=wrong)
        parts = tuple(
            FeedbackPart(FeedbackKind.CORRECTION, text) if p.kind is FeedbackKind.CORRECTION else p
            for p in feedback.parts
        )
        meta: dict[str, Any] = {**feedback.meta, "expected": wrong}
        return _rebuilt(feedback, parts, meta)

    def _wrong_call(
        self, problem: Problem, feedback: Feedback, call: str, rng: random.Random
    ) -> Feedback | None:
        """Generation 1: another hidden test's call named as the failing one."""
        if not problem.data.get("generation") or feedback.meta.get("call") != call:
            return None
        entry = problem.data["entry_point"]
        tests = [t for t in problem.data.get("tests", ()) if show_call(entry, t.args) != call]
        if not tests:
            return None
        other = tests[rng.randrange(len(tests))]
        shown = show_call(entry, other.args)
        parts = tuple(FeedbackPart(p.kind, p.text.replace(call, shown)) for p in feedback.parts)
        meta = {**feedback.meta, "call": shown, "args": [repr(a) for a in other.args]}
        return _rebuilt(feedback, parts, meta)

    def correction(
        self,
        problem: Problem,
        history: Sequence[Turn],
        outcome: Outcome,
        level: str,
        rng: random.Random,
    ) -> tuple[FeedbackPart, dict[str, Any]] | None:
        """Generation 1: the failing call's expected value, and at ``edit`` the reference."""
        if not problem.data.get("generation"):
            return super().correction(problem, history, outcome, level, rng)
        failure = outcome.diagnosis.get("failure") or {}
        if not failure.get("call"):
            return None
        call, expected = failure["call"], failure["expected"]
        text = BANK.say("expected_error", rng, call=call, expected=expected)
        meta: dict[str, Any] = {"call": call, "expected": expected}
        if level == "edit":
            text = f"{text} {EDIT.say('edit', rng, reference=problem.answer)}"
            meta["solution"] = problem.answer
        return FeedbackPart(FeedbackKind.CORRECTION, text), meta


def _rebuilt(feedback: Feedback, parts: tuple[FeedbackPart, ...], meta: dict) -> Feedback:
    return Feedback(
        feedback.channel,
        " ".join(p.text for p in parts),
        parts=parts,
        meta=meta,
        notes={**feedback.notes, "wrong_hint": True},
    )
