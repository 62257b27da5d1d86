"""Simple linear equations in one unknown, stated in symbols or in words."""

from __future__ import annotations

import random

from fbgym.envs.math.generators import MathItem, generator
from fbgym.envs.math.program import Step

_WORDS = {2: "Twice", 3: "Three times", 4: "Four times", 5: "Five times", 6: "Six times"}


@generator("algebra")
def linear_equation(rng: random.Random, level: int) -> MathItem:
    """Solve for x: ax + b = c (level 1), in words (2), a(x + b) = c (3), ax + b = cx + d (4+)."""
    x = rng.randint(-5 if level >= 3 else 1, 6 + 3 * level)
    a = rng.randint(2, 3 + level)
    b = rng.randint(1, 5 * level + 5)
    if level == 1:
        c = a * x + b
        return MathItem(
            f"Solve for x: {a}x + {b} = {c}.",
            (Step(f"{c} - {b}", f"{c} minus {b}"), Step(f"s1 / {a}", f"dividing by {a}")),
        )
    if level == 2:
        a = min(a, 6)
        c = a * x - b
        return MathItem(
            f"{_WORDS[a]} a number, minus {b}, is {c}. What is the number?",
            (Step(f"{c} + {b}", f"adding {b} back"), Step(f"s1 / {a}", f"dividing by {a}")),
        )
    if level == 3:
        c = a * (x + b)
        return MathItem(
            f"Solve for x: {a}(x + {b}) = {c}.",
            (
                Step(f"{c} / {a}", f"dividing both sides by {a}"),
                Step(f"s1 - {b}", f"subtracting {b}"),
            ),
        )
    c = rng.randint(1, a - 1)
    d = (a - c) * x + b
    cx = "x" if c == 1 else f"{c}x"
    return MathItem(
        f"Solve for x: {a}x + {b} = {cx} + {d}.",
        (
            Step(f"{d} - {b}", "collecting the numbers on one side"),
            Step(f"{a} - {c}", "collecting the x terms"),
            Step("s1 / s2", "dividing to find x"),
        ),
    )
