"""The code family's hint model: a wrong expected value for the failing call."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from fbgym.core.types import Feedback, FeedbackKind, FeedbackPart, Outcome, Problem, Turn
from fbgym.envs.code.critic import BANK
from fbgym.simulators.hints import HintModel


class CodeHints(HintModel):
    """A wrong hint names another hidden test's expected value as the failing call's.

    The wrong value is a real output of the function on some other input, so it has the right
    type and looks plausible; a learner that trusts it keeps the wrong programs.
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
        """``feedback`` with the expected value replaced, or ``None`` without one to replace."""
        expected = feedback.meta.get("expected")
        failure = outcome.diagnosis.get("failure") or {}
        if expected is None or not failure.get("call"):
            return None
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
        return Feedback(
            feedback.channel,
            " ".join(p.text for p in parts),
            parts=parts,
            meta=meta,
            notes={**feedback.notes, "wrong_hint": True},
        )
