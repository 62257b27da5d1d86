"""The math family's hint model: wrong directions and steps, step values, in-place edits."""

from __future__ import annotations

import random
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from fbgym.core.types import Feedback, FeedbackKind, FeedbackPart, Outcome, Problem, Turn
from fbgym.envs.math.critic import BANK, locate_mistake, step_parts
from fbgym.envs.math.program import MISTAKES, Mistake, Step, describe, evaluate, format_number
from fbgym.simulators.hints import HintModel
from fbgym.simulators.paraphrase import Paraphrases

_OPPOSITE = {"high": "low", "low": "high"}
_STEP_KINDS = {FeedbackKind.STEP, FeedbackKind.FUTURE_POSITIVE, FeedbackKind.HINDSIGHT_POSITIVE}

CORRECTIONS = Paraphrases(
    {
        "values": ["The steps come to: {values}.", "Worked through, the steps give {values}."],
        "edit": [
            "Step {n} ({text}) should come to {right}, not {wrong}.",
            "In step {n}, {text} is {right}; you had {wrong}.",
        ],
        "edit_final": [
            "The final answer should read {right}, not {wrong}.",
            "Change the final answer from {wrong} to {right}.",
        ],
    }
)


class MathHints(HintModel):
    """Wrong hints flip "too high/low" and blame another step; corrections give step values."""

    future_keys = frozenset({"step"})

    def wrong(
        self,
        problem: Problem,
        history: Sequence[Turn],
        outcome: Outcome,
        feedback: Feedback,
        rng: random.Random,
    ) -> Feedback | None:
        """The opposite direction and, when there are two steps or more, a wrongly named step."""
        direction = feedback.meta.get("direction")
        if direction not in _OPPOSITE:
            return None
        answer = outcome.diagnosis.get("answer", "")
        said = {t.format(answer=answer) for t in BANK.templates[direction]}
        flipped = _OPPOSITE[direction]
        parts = [
            FeedbackPart(p.kind, BANK.say(flipped, rng, answer=answer)) if p.text in said else p
            for p in feedback.parts
        ]
        meta: dict[str, Any] = {**feedback.meta, "direction": flipped}
        steps: tuple[Step, ...] = problem.data.get("steps", ())
        if len(steps) >= 2:
            true_step = feedback.meta.get("step")
            others = [i for i in range(len(steps)) if true_step is None or i != true_step - 1]
            k = others[rng.randrange(len(others))]
            slip = Mistake(k, MISTAKES[rng.randrange(len(MISTAKES))])
            parts = [p for p in parts if p.kind not in _STEP_KINDS]
            gold = problem.data.get("gold_value")
            parts += step_parts(steps, k, gold, describe(steps, slip), rng)
            meta["step"] = k + 1
        text = " ".join(p.text for p in parts)
        return Feedback(
            feedback.channel,
            text,
            parts=tuple(parts),
            meta=meta,
            notes={**feedback.notes, "wrong_hint": True},
        )

    def correction(
        self,
        problem: Problem,
        history: Sequence[Turn],
        outcome: Outcome,
        level: str,
        rng: random.Random,
    ) -> tuple[FeedbackPart, dict[str, Any]] | None:
        """``ground_truth``: every step's value but the last; ``edit``: the faulty step fixed."""
        steps: tuple[Step, ...] = problem.data.get("steps", ())
        gold = problem.data.get("gold_value")
        right = evaluate(steps) if steps else None
        if right is None or gold is None:
            return super().correction(problem, history, outcome, level, rng)
        if level == "ground_truth":
            if len(steps) < 2:
                return None
            shown = {str(i + 1): format_number(v) for i, v in enumerate(right[:-1])}
            values = "; ".join(
                f"{steps[i].text} = {format_number(v)}" for i, v in enumerate(right[:-1])
            )
            text = CORRECTIONS.say("values", rng, values=values)
            return FeedbackPart(FeedbackKind.CORRECTION, text), {"step_values": shown}
        value = outcome.diagnosis.get("value")
        if value is None:
            return super().correction(problem, history, outcome, level, rng)
        mistake = locate_mistake(steps, Fraction(value))
        wrong = evaluate(steps, mistake) if mistake is not None else None
        if mistake is None or wrong is None:
            text = CORRECTIONS.say(
                "edit_final",
                rng,
                right=format_number(gold),
                wrong=outcome.diagnosis.get("answer", value),
            )
            edit = {"step": len(steps), "value": format_number(gold)}
        else:
            k = mistake.step
            text = CORRECTIONS.say(
                "edit",
                rng,
                n=k + 1,
                text=steps[k].text,
                right=format_number(right[k]),
                wrong=format_number(wrong[k]),
            )
            edit = {"step": k + 1, "value": format_number(right[k])}
        return FeedbackPart(FeedbackKind.CORRECTION, text), {"edit": edit}
