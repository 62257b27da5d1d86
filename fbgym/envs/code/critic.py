"""The code critic: execution feedback at four levels of informativeness (LeTI/MINT-style)."""

from __future__ import annotations

import random
from collections.abc import Sequence

from fbgym.core.types import FeedbackKind as K
from fbgym.core.types import FeedbackPart, Outcome, Problem, Turn
from fbgym.errors import ConfigError
from fbgym.simulators.base import Critic, Critique
from fbgym.simulators.paraphrase import Paraphrases

LEVELS = {1: "error", 2: "input", 3: "expected", 4: "hint"}
LABELS = {"wrong_answer": "wrong", "load_error": "unloadable"}
"""Generation 1 names a status in ``meta`` by one word (the others are one word already)."""

BANK = Paraphrases(
    {
        "correct": [
            "All {total} tests pass.",
            "Correct: every test passes.",
            "That works: {total} of {total} tests pass.",
        ],
        "score": [
            "{passed} of {total} tests pass.",
            "Your function passes {passed} of {total} tests.",
        ],
        "wrong_answer": ["It returns a wrong value.", "One of its results is wrong."],
        "exception": [
            "It raises {type}: {message}{where}.",
            "It fails with {type}: {message}{where}.",
        ],
        "timeout": ["It did not finish in time.", "It ran past the time limit."],
        "crashed": [
            "The program stopped before returning a result.",
            "The process ended without returning a result.",
        ],
        "load_error": [
            "The code fails before any test runs: {type}: {message}{where}.",
            "Loading the code raises {type}: {message}{where}.",
        ],
        "tampered": [
            "The test harness was interfered with, so no test counts.",
            "The code tampered with the test harness; every test fails.",
        ],
        "input": ["It fails on {call}.", "The failing call is {call}."],
        "expected": [
            "{call} should return {expected}, but it returned {got}.",
            "For {call} the answer is {expected}; yours was {got}.",
        ],
        "expected_error": [
            "{call} should return {expected}.",
            "The right result of {call} is {expected}.",
        ],
        "note": ["Mind the case of {note}.", "Check {note}."],
        "hint_wrong_answer": [
            "Trace your code by hand on that input and compare each step.",
            "Check your comparisons and loop bounds for off-by-one errors.",
        ],
        "hint_exception": ["Guard the operation that raised it.", "Look at line {line} first."],
        "hint_timeout": [
            "Make sure every loop terminates.",
            "Check that each loop makes progress.",
        ],
        "hint_crashed": [
            "Don't exit the process or fork; just return the value.",
            "Avoid exiting or killing the process; return a value.",
        ],
        "hint_load_error": [
            "Fix the error at the top level first.",
            "Make the module load cleanly.",
        ],
        "hint_tampered": ["Return plain values and leave the harness alone."],
        "invalid_hint": [
            "Answer with a complete function definition in a ```python block.",
            "Give the whole function, e.g. ```python\\ndef f(...): ...```.",
        ],
    }
)


class CodeCritic(Critic):
    """Verbal execution feedback; ``informativeness`` 1–4 says how much it reveals.

    1 error only (pass count and what went wrong) → 2 the failing input → 3 input, expected
    and actual value → 4 also a hint at the fix. From ``generation`` 1 on, ``meta`` holds
    only what the text states: the status as one word, the arguments only when the text
    shows them whole.
    """

    def __init__(self, informativeness: int = 3, *, generation: int = 0):
        if informativeness not in LEVELS:
            raise ConfigError(
                f"informativeness must be one of {sorted(LEVELS)}, got {informativeness!r}"
            )
        self.informativeness = informativeness
        self.generation = generation

    def critique(
        self, problem: Problem, history: Sequence[Turn], outcome: Outcome, rng: random.Random
    ) -> Critique:
        """Feedback parts for one graded program; meta holds what the text reveals, typed."""
        d = outcome.diagnosis
        if outcome.success:
            text = BANK.say("correct", rng, total=d.get("total", 0))
            return Critique((FeedbackPart(K.HINDSIGHT_POSITIVE, text),), {"status": "passed"})
        if not outcome.valid:
            return Critique(
                (FeedbackPart(K.FUTURE_POSITIVE, BANK.say("invalid_hint", rng)),),
                {"status": "invalid"},
            )
        status = d.get("status", "wrong_answer")
        failure = d.get("failure") or {}
        error = failure.get("error") or {}
        where = f" on line {error['line']}" if error.get("line") else ""
        fields = {
            "type": error.get("type", "an error"),
            "message": error.get("message", ""),
            "where": where,
            "line": error.get("line") or "?",
        }
        parts = [
            FeedbackPart(
                K.HINDSIGHT_NEGATIVE,
                BANK.say("score", rng, passed=d.get("passed", 0), total=d.get("total", 0)),
            )
        ]
        key = (
            status
            if status
            in ("wrong_answer", "exception", "timeout", "crashed", "load_error", "tampered")
            else "wrong_answer"
        )
        parts.append(FeedbackPart(K.HINDSIGHT_NEGATIVE, BANK.say(key, rng, **fields)))
        meta = {"status": status, "passed": d.get("passed", 0), "total": d.get("total", 0)}
        call = failure.get("call")
        if self.informativeness >= 2 and call and status not in ("load_error", "tampered"):
            parts.append(FeedbackPart(K.HINDSIGHT_NEGATIVE, BANK.say("input", rng, call=call)))
            meta["call"] = call
            meta["args"] = failure.get("args")
        if self.informativeness >= 3 and call and status not in ("load_error", "tampered"):
            if status == "wrong_answer":
                text = BANK.say(
                    "expected", rng, call=call, expected=failure["expected"], got=failure["got"]
                )
            else:
                text = BANK.say("expected_error", rng, call=call, expected=failure["expected"])
            parts.append(FeedbackPart(K.CORRECTION, text))
            meta["expected"] = failure.get("expected")
        if self.informativeness >= 4:
            if failure.get("note"):
                parts.append(
                    FeedbackPart(K.FUTURE_POSITIVE, BANK.say("note", rng, note=failure["note"]))
                )
            parts.append(FeedbackPart(K.FUTURE_POSITIVE, BANK.say(f"hint_{key}", rng, **fields)))
        if self.generation:
            meta["status"] = LABELS.get(status, status)
            text = " ".join(p.text for p in parts)
            if "args" in meta and not all(str(a) in text for a in meta["args"] or ()):
                del meta["args"]
        return Critique(tuple(parts), meta)
