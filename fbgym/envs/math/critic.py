"""The math critic: too high or low, which step went wrong, what to check next."""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from fractions import Fraction
from functools import lru_cache

from fbgym.core.types import FeedbackKind as K
from fbgym.core.types import FeedbackPart, Outcome, Problem, Turn
from fbgym.envs.math.program import Mistake, Step, describe, evaluate, mistaken_paths
from fbgym.simulators.base import Critic, Critique
from fbgym.simulators.paraphrase import Paraphrases

BANK = Paraphrases(
    {
        "correct": [
            "Correct: {answer} is right.",
            "Yes, {answer} is the answer.",
            "That's right, it is {answer}.",
        ],
        "high": [
            "{answer} is too high.",
            "{answer} is more than the answer.",
            "Your answer, {answer}, overshoots.",
        ],
        "low": [
            "{answer} is too low.",
            "{answer} is less than the answer.",
            "Your answer, {answer}, falls short.",
        ],
        "little": ["It is close, though.", "You are not far off.", "It is near the answer."],
        "far": ["It is far off.", "It is a long way from the answer."],
        "wrong": ["{answer} is not the answer.", "That is not right.", "{answer} is incorrect."],
        "steps_ok": [
            "Your working up to {text} looks right.",
            "Everything up to {text} seems fine.",
        ],
        "steps_ok_n": [
            "Your working up to step {n} looks right.",
            "Everything up to step {n} seems fine.",
        ],
        "step": [
            "Step {n} ({text}) is where it goes wrong: {why}.",
            "The slip is in step {n}, {text}: {why}.",
        ],
        "step_n": [
            "Step {n} is where it goes wrong: {why}.",
            "The slip is in step {n}, where {why}.",
        ],
        "recheck": ["Re-check {text}.", "Work out {text} again.", "Look again at {text}."],
        "recheck_n": ["Re-check step {n}.", "Work out step {n} again.", "Look again at step {n}."],
        "recheck_all": [
            "Go through each step again, starting with {text}.",
            "Check your working again from the start: {text}.",
        ],
        "recheck_any": ["Go through your working again.", "Check each step of your working."],
        "repeat": [
            "You gave {answer} before, and it is still not right.",
            "{answer} was already ruled out.",
        ],
        "no_repeat": [
            "Don't give an answer that was already wrong.",
            "Avoid repeating an earlier answer.",
        ],
        "format": [
            "Finish with one final answer, e.g. 'The answer is 42'.",
            "State a single final answer at the end, like 'The answer is 42'.",
        ],
        "expr": ["Re-check your final expression.", "Look at how you simplified the result."],
    }
)


_NUMBER = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")
_RATIO = re.compile(r"(\d+)\s*/\s*(\d+)")


@lru_cache(maxsize=2048)
def _paths(steps: tuple[Step, ...]) -> dict[Mistake, tuple[Fraction, ...]]:
    return mistaken_paths(steps)


@lru_cache(maxsize=2048)
def _values(steps: tuple[Step, ...]) -> tuple[Fraction, ...] | None:
    return evaluate(steps)


def locate_mistake(steps: tuple[Step, ...], answer: Fraction) -> Mistake | None:
    """The earliest single slip in ``steps`` that yields ``answer``, if any."""
    matches = [m for m, values in _paths(steps).items() if values[-1] == answer]
    return min(matches, key=lambda m: (m.step, m.node)) if matches else None


def quotable(steps: tuple[Step, ...], index: int, gold: Fraction | None) -> bool:
    """Whether feedback may quote step ``index``'s text: it neither results in nor states the gold.

    A GSM8K step's text is its solution line, which states its result, and one line may
    hold several steps; so a text that mentions the gold's value is never quoted either.
    """
    if gold is None:
        return False
    values = _values(steps)
    if values is None or values[index] == gold:
        return False
    stated = [Fraction(n.replace(",", "")) for n in _NUMBER.findall(steps[index].text)]
    for num, den in _RATIO.findall(steps[index].text):
        if int(den):
            stated.append(Fraction(int(num), int(den)))
    return abs(gold) not in {abs(v) for v in stated}


def step_parts(
    steps: tuple[Step, ...], index: int, gold: Fraction | None, why: str, rng: random.Random
) -> list[FeedbackPart]:
    """The sentences that blame step ``index``: earlier steps are fine, its slip, re-check it.

    A step is named by its text only when :func:`quotable`, else by its number, so the
    critique never states the answer.
    """
    n = index + 1
    parts = []
    if index > 0:
        if quotable(steps, index - 1, gold):
            ok = BANK.say("steps_ok", rng, text=steps[index - 1].text)
        else:
            ok = BANK.say("steps_ok_n", rng, n=index)
        parts.append(FeedbackPart(K.HINDSIGHT_POSITIVE, ok))
    if quotable(steps, index, gold):
        text = steps[index].text
        parts.append(FeedbackPart(K.STEP, BANK.say("step", rng, n=n, text=text, why=why)))
        parts.append(FeedbackPart(K.FUTURE_POSITIVE, BANK.say("recheck", rng, text=text)))
    else:
        parts.append(FeedbackPart(K.STEP, BANK.say("step_n", rng, n=n, why=why)))
        parts.append(FeedbackPart(K.FUTURE_POSITIVE, BANK.say("recheck_n", rng, n=n)))
    return parts


class MathCritic(Critic):
    """Verbal feedback on a math answer, from the problem's worked solution.

    Hindsight: right or wrong, too high or too low, near or far, a repeated answer.
    Step: when the answer is what a typical slip in one step produces, that step and the slip.
    Future: what to check next, and not to repeat a wrong answer.
    """

    def critique(
        self, problem: Problem, history: Sequence[Turn], outcome: Outcome, rng: random.Random
    ) -> Critique:
        """Feedback parts for one graded answer; meta holds direction and faulty step."""
        answer = outcome.diagnosis.get("answer", "")
        if outcome.success:
            return Critique(
                (FeedbackPart(K.HINDSIGHT_POSITIVE, BANK.say("correct", rng, answer=answer)),)
            )
        if not outcome.valid:
            return Critique((FeedbackPart(K.FUTURE_POSITIVE, BANK.say("format", rng)),))
        value = outcome.diagnosis.get("value")
        gold = problem.data.get("gold_value")
        if value is None or gold is None:
            return Critique(
                (
                    FeedbackPart(K.HINDSIGHT_NEGATIVE, BANK.say("wrong", rng, answer=answer)),
                    FeedbackPart(K.FUTURE_POSITIVE, BANK.say("expr", rng)),
                )
            )
        value = Fraction(value)
        parts: list[FeedbackPart] = []
        earlier = {t.outcome.diagnosis.get("value") for t in history}
        if str(value) in earlier:
            parts.append(FeedbackPart(K.HINDSIGHT_NEGATIVE, BANK.say("repeat", rng, answer=answer)))
            parts.append(FeedbackPart(K.FUTURE_NEGATIVE, BANK.say("no_repeat", rng)))
        direction = "high" if value > gold else "low"
        parts.append(FeedbackPart(K.HINDSIGHT_NEGATIVE, BANK.say(direction, rng, answer=answer)))
        closeness = abs(value - gold) / max(abs(gold), 1)
        parts.append(
            FeedbackPart(
                K.HINDSIGHT_NEGATIVE, BANK.say("little" if closeness <= 0.1 else "far", rng)
            )
        )
        steps: tuple[Step, ...] = problem.data.get("steps", ())
        mistake = locate_mistake(steps, value) if steps else None
        if mistake is not None:
            why = describe(steps, mistake)
            parts += step_parts(steps, mistake.step, gold, why, rng)
        elif steps and quotable(steps, 0, gold):
            parts.append(
                FeedbackPart(K.FUTURE_POSITIVE, BANK.say("recheck_all", rng, text=steps[0].text))
            )
        else:
            parts.append(FeedbackPart(K.FUTURE_POSITIVE, BANK.say("recheck_any", rng)))
        meta = {"direction": direction, "step": None if mistake is None else mistake.step + 1}
        return Critique(tuple(parts), meta)
