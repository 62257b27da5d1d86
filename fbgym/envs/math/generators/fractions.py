"""Fractions and percentages: parts of quantities, discounts, sums of fractions, changes."""

from __future__ import annotations

import random

from fbgym.envs.math.generators import MathItem, generator
from fbgym.envs.math.program import Step


def _percent_of(rng: random.Random, level: int) -> MathItem:
    pct = rng.choice((10, 20, 25, 50, 75) if level <= 2 else (5, 12, 15, 35, 40, 60, 85))
    n = rng.randint(2, 10 * level) * 20
    return MathItem(f"What is {pct}% of {n}?", (Step(f"{n} * {pct} / 100", f"{pct}% of {n}"),))


def _discount(rng: random.Random, level: int) -> MathItem:
    price = rng.randint(4, 20 * level) * 5
    pct = rng.choice((10, 20, 25, 30, 40, 50))
    steps = [
        Step(f"{price} * {pct} / 100", "the discount"),
        Step(f"{price} - s1", "the sale price"),
    ]
    text = f"A jacket costs ${price}. It is on sale for {pct}% off."
    if level >= 3:
        tax = rng.choice((5, 8, 10))
        text += f" A sales tax of {tax}% is added to the sale price."
        steps += [Step(f"s2 * {tax} / 100", "the tax"), Step("s2 + s3", "the price with tax")]
    return MathItem(text + " What do you pay, in dollars?", tuple(steps), "dollars")


def _fraction_of(rng: random.Random, level: int) -> MathItem:
    b = rng.randint(2, 4 + level)
    a = rng.randint(1, b - 1)
    n = b * rng.randint(2, 6 * level)
    steps = (Step(f"{n} / {b}", f"{n} ÷ {b}"), Step(f"s1 * {a}", f"{a}/{b} of {n}"))
    return MathItem(f"What is {a}/{b} of {n}?", steps)


def _fraction_sum(rng: random.Random, level: int) -> MathItem:
    b, d = rng.randint(2, 3 + level), rng.randint(2, 4 + level)
    a, c = rng.randint(1, b), rng.randint(1, d)
    op = "+" if level <= 2 or rng.random() < 0.5 else "-"
    sym = "+" if op == "+" else "−"
    steps = (Step(f"{a} / {b} {op} {c} / {d}", f"{a}/{b} {sym} {c}/{d}"),)
    return MathItem(
        f"Compute {a}/{b} {sym} {c}/{d}. Give the answer as a fraction in lowest terms.", steps
    )


def _percent_change(rng: random.Random, level: int) -> MathItem:
    old = rng.choice((20, 40, 80, 120, 200, 400))
    pct = rng.choice((10, 20, 25, 30, 50, 60, 75) if level > 1 else (10, 50))
    new = old + old * pct // 100  # every pair above divides exactly
    steps = (
        Step(f"{new} - {old}", "the increase"),
        Step(f"s1 / {old}", "the increase as a share"),
        Step("s2 * 100", "the increase in percent"),
    )
    return MathItem(
        f"A price rose from ${old} to ${new}. By what percent did it rise?", steps, "percent"
    )


TEMPLATES = (_percent_of, _discount, _fraction_of, _fraction_sum, _percent_change)


@generator("fractions")
def fractions_and_percentages(rng: random.Random, level: int) -> MathItem:
    """Parts, percentages, discounts and sums of fractions."""
    return rng.choice(TEMPLATES)(rng, level)
