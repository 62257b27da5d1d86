"""Family hint models: how a family's feedback is made wrong, and what a correction says.

Fidelity knobs are generic, but a *wrong* hint and a *ground-truth* correction depend on the
family (for math: "too high" becomes "too low" and another step is blamed). A family says
how through a :class:`HintModel` subclass its declaration names (``Family.hints``);
families without one get :class:`HintModel`'s generic behaviour (false praise as the wrong
hint, the reference answer as the correction).

>>> type(hints_for("math")).__name__
'MathHints'
>>> type(hints_for("no-such-family")).__name__
'HintModel'
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from fbgym.core.types import Feedback, FeedbackKind, FeedbackPart, Outcome, Problem, Turn
from fbgym.registration import registry
from fbgym.simulators.paraphrase import Paraphrases

GENERIC = Paraphrases(
    {
        "praise": ["That looks right.", "Well done, that seems correct.", "Good, that works."],
        "answer": ["The answer is {answer}.", "It should come out as {answer}."],
        "solution": ["A worked solution: {steps}.", "Here is how it goes: {steps}."],
        "edit": ["Replace your final answer with: {answer}.", "Change the result to {answer}."],
    }
)


class HintModel:
    """A family's knowledge of its own feedback, as the fidelity knobs need it.

    ``future_keys`` names the ``Feedback.meta`` keys that only step/future sentences carry
    (dropped at the ``hindsight`` level of the informativeness ladder).
    """

    future_keys: frozenset[str] = frozenset()

    def wrong(
        self,
        problem: Problem,
        history: Sequence[Turn],
        outcome: Outcome,
        feedback: Feedback,
        rng: random.Random,
    ) -> Feedback | None:
        """``feedback`` made wrong (text and meta alike), or ``None`` if it cannot be.

        Generic: praise a failed attempt as if it were right.
        """
        text = GENERIC.say("praise", rng)
        part = FeedbackPart(FeedbackKind.HINDSIGHT_POSITIVE, text)
        return Feedback(feedback.channel, text, parts=(part,), notes={"wrong_hint": "praise"})

    def correction(
        self,
        problem: Problem,
        history: Sequence[Turn],
        outcome: Outcome,
        level: str,
        rng: random.Random,
    ) -> tuple[FeedbackPart, dict[str, Any]] | None:
        """The sentence a ``ground_truth`` or ``edit`` level adds, and its meta.

        Generic: the worked solution without its final line (near-complete ground truth) or,
        for ``edit`` and problems without a solution, the reference answer.
        """
        if level == "ground_truth" and len(problem.solution) > 1:
            steps = "; ".join(problem.solution[:-1])
            text = GENERIC.say("solution", rng, steps=steps)
            return FeedbackPart(FeedbackKind.CORRECTION, text), {
                "solution": list(problem.solution[:-1])
            }
        key = "edit" if level == "edit" else "answer"
        text = GENERIC.say(key, rng, answer=problem.answer)
        return FeedbackPart(FeedbackKind.CORRECTION, text), {"answer": str(problem.answer)}


_HINTS: dict[str, HintModel] = {}
_DEFAULT = HintModel()


def hints_for(family: str) -> HintModel:
    """The hint model ``family`` declares (``Family.hints``), else the generic one."""
    if family not in _HINTS:
        model = registry.declared(family, "hints")
        _HINTS[family] = _DEFAULT if model is None else model()
    return _HINTS[family]
