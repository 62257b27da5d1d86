"""Multi-step word problems with quantities and units, in the style of GSM8K."""

from __future__ import annotations

import random

from fbgym.envs.math.generators import MathItem, generator
from fbgym.envs.math.program import Step

NAMES = ("Maya", "Omar", "Lena", "Tariq", "Priya", "Jonas", "Amara", "Kenji", "Sofia", "Diego")
ITEMS = (
    ("notebook", "notebooks"),
    ("pen", "pens"),
    ("apple", "apples"),
    ("candle", "candles"),
    ("ticket", "tickets"),
    ("plant", "plants"),
    ("book", "books"),
    ("mug", "mugs"),
)


def _shopping(rng: random.Random, level: int) -> MathItem:
    name = rng.choice(NAMES)
    (one_a, many_a), (one_b, many_b) = rng.sample(ITEMS, 2)
    n1, p1 = rng.randint(2, 4 + 2 * level), rng.randint(2, 5 * level + 3)
    steps = [Step(f"{n1} * {p1}", f"the cost of the {many_a}")]
    text = f"{name} buys {n1} {many_a} at ${p1} each"
    if level >= 2:
        n2, p2 = rng.randint(2, 6 + level), rng.randint(1, 4 * level + 2)
        text += f" and {n2} {many_b} at ${p2} each"
        steps += [
            Step(f"{n2} * {p2}", f"the cost of the {many_b}"),
            Step("s1 + s2", "the total cost"),
        ]
    if level >= 4:
        off = rng.choice((5, 10, 15, 20))
        total = len(steps)
        text += f". The shop takes ${off} off the total"
        steps.append(Step(f"s{total} - {off}", "the cost after the discount"))
    if level >= 3:
        cost_ref = f"s{len(steps)}"
        paid = rng.choice((50, 100, 200)) * (1 + level // 4)
        text += f". {name} pays with ${paid}. How much change, in dollars, does {name} get back?"
        steps.append(Step(f"{paid} - {cost_ref}", "the change"))
    else:
        text += ". How much does " + name + " spend, in dollars?"
    return MathItem(text, tuple(steps), "dollars")


def _travel(rng: random.Random, level: int) -> MathItem:
    v1, t1 = rng.choice((40, 50, 60, 70, 80, 90)), rng.randint(2, 3 + level)
    steps = [Step(f"{v1} * {t1}", "the distance of the first part")]
    text = f"A train travels at {v1} km/h for {t1} hours"
    if level >= 2:
        v2, t2 = rng.choice((30, 45, 60, 75, 100)), rng.randint(1, 2 + level)
        text += f", then at {v2} km/h for {t2} hours"
        steps += [
            Step(f"{v2} * {t2}", "the distance of the second part"),
            Step("s1 + s2", "the total distance"),
        ]
    if level >= 3:
        trips = rng.randint(2, 4)
        text += f". It makes the same journey {trips} times in a week"
        steps.append(Step(f"s{len(steps)} * {trips}", "the distance over the week"))
    if level >= 4:
        left = rng.choice((100, 150, 200, 250))
        text += f", and then another {left} km"
        steps.append(Step(f"s{len(steps)} + {left}", "the distance including the extra trip"))
    text += ". How many kilometres does it travel in all?"
    return MathItem(text, tuple(steps), "km")


def _baking(rng: random.Random, level: int) -> MathItem:
    name = rng.choice(NAMES)
    per, batches = rng.choice((150, 200, 250, 300, 350)), rng.randint(2, 3 + level)
    stock = per * batches + rng.randint(1, 20) * 50
    steps = [Step(f"{per} * {batches}", "the flour the batches need")]
    text = f"A bread recipe needs {per} grams of flour per batch. {name} bakes {batches} batches"
    if level >= 2:
        extra = rng.choice((100, 120, 180, 240))
        text += f" and uses another {extra} grams to dust the table"
        steps.append(Step(f"s1 + {extra}", "all the flour used"))
        stock += extra
    steps.append(Step(f"{stock} - s{len(steps)}", "the flour left"))
    text = f"{text}. {name} started with {stock} grams of flour."
    if level >= 3:
        bag = rng.choice((250, 500))
        stock_left = len(steps)
        steps.append(Step(f"s{stock_left} / {bag}", "how many bags the flour left would fill"))
        text += (
            f" How many {bag}-gram bags could {name} fill with the flour that is left?"
            " (The answer may be a fraction.)"
        )
        return MathItem(text, tuple(steps), "bags")
    text += " How many grams of flour are left?"
    return MathItem(text, tuple(steps), "grams")


def _savings(rng: random.Random, level: int) -> MathItem:
    name = rng.choice(NAMES)
    weekly, weeks = rng.randint(5, 10 + 5 * level), rng.randint(3, 4 + 2 * level)
    steps = [Step(f"{weekly} * {weeks}", "the amount saved")]
    text = f"{name} saves ${weekly} every week for {weeks} weeks"
    if level >= 2:
        gift = rng.randint(2, 10) * 5
        text += f" and gets ${gift} as a birthday gift"
        steps.append(Step(f"s1 + {gift}", "the money after the gift"))
    spend = rng.randint(1, max(2, weekly * weeks // 10)) * 5
    text += f". Then {name} spends ${spend} on a bike"
    steps.append(Step(f"s{len(steps)} - {spend}", "the money left after the bike"))
    if level >= 3:
        parts = rng.choice((2, 4, 5))
        text += f" and puts 1/{parts} of what is left in the bank"
        steps.append(Step(f"s{len(steps)} / {parts}", "the money put in the bank"))
        text += ". How many dollars go into the bank?"
    else:
        text += ". How many dollars are left?"
    return MathItem(text, tuple(steps), "dollars")


def _sharing(rng: random.Random, level: int) -> MathItem:
    kids = rng.randint(2, 3 + level)
    each = rng.randint(2, 4 + 2 * level)
    boxes = rng.randint(2, 6)
    total = kids * each
    per_box = total // boxes if total % boxes == 0 else None
    if per_box is None:
        boxes = 1
        for d in range(2, 7):
            if total % d == 0:
                boxes = d
        per_box = total // boxes
    steps = [Step(f"{boxes} * {per_box}", "the number of apples in all")]
    text = f"There are {boxes} boxes with {per_box} apples in each"
    if level >= 2:
        eaten = rng.randint(1, 3) * kids
        text += f". The teacher adds {eaten} more apples"
        steps.append(Step(f"s1 + {eaten}", "the apples after the teacher adds some"))
    text += f". The apples are shared equally among {kids} children."
    steps.append(Step(f"s{len(steps)} / {kids}", "the apples each child gets"))
    if level >= 3:
        ate = rng.randint(1, 2)
        text += f" Each child eats {ate} of them on the way home."
        steps.append(Step(f"s{len(steps)} - {ate}", "the apples each child has at home"))
        text += " How many apples does each child bring home?"
    else:
        text += " How many apples does each child get?"
    return MathItem(text, tuple(steps), "apples")


def _fence(rng: random.Random, level: int) -> MathItem:
    length, width = rng.randint(4, 10 + 4 * level), rng.randint(3, 8 + 2 * level)
    cost = rng.randint(3, 6 + 2 * level)
    steps = [
        Step(f"{length} + {width}", "the length plus the width"),
        Step("s1 * 2", "the perimeter"),
        Step(f"s2 * {cost}", "the cost of the fence"),
    ]
    text = (
        f"A rectangular garden is {length} m long and {width} m wide. Fencing costs "
        f"${cost} per metre"
    )
    if level >= 3:
        gate = rng.choice((15, 20, 25, 30))
        text += f", and a gate costs another ${gate}"
        steps.append(Step(f"s3 + {gate}", "the cost with the gate"))
    text += ". How much does it cost, in dollars, to fence the whole garden?"
    return MathItem(text, tuple(steps), "dollars")


TEMPLATES = (_shopping, _travel, _baking, _savings, _sharing, _fence)


@generator("word")
def word_problem(rng: random.Random, level: int) -> MathItem:
    """A story with quantities and units; higher levels add steps and larger numbers."""
    return rng.choice(TEMPLATES)(rng, level)
