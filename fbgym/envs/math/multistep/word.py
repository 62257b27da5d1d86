"""Word problems in the style of GSM8K: shopping, voyages, bakeries, summer jobs and orchards.

Each story's main quantity is a long sum of products with gains and losses (bought and
returned, baked and sold, earned and spent), so a slip may push the answer either way;
later sentences change it (a discount, a coupon, sharing, change from a payment).
"""

from __future__ import annotations

import random

from fbgym.envs.math.generators import MathItem
from fbgym.envs.math.multistep import generator
from fbgym.envs.math.multistep.story import (
    Story,
    Tail,
    apply_tails,
    choose_tails,
    divisor,
    listing,
    tell,
    whole_percent,
)

GOODS = (
    ("notebook", 2, 9), ("pen", 1, 4), ("mug", 4, 15), ("candle", 3, 12), ("plant", 5, 25),
    ("book", 6, 30), ("scarf", 8, 35), ("lamp", 15, 60), ("towel", 4, 18), ("puzzle", 7, 28),
    ("blanket", 20, 70), ("kite", 6, 22), ("bowl", 3, 14), ("poster", 2, 11), ("cushion", 9, 32),
    ("backpack", 18, 65), ("teapot", 12, 40), ("frame", 5, 24), ("umbrella", 7, 26),
    ("basket", 6, 21), ("glove", 3, 13), ("jar", 2, 8), ("bottle", 2, 10), ("sketchbook", 4, 16),
)  # fmt: skip
PASTRIES = (
    "rolls", "buns", "croissants", "bagels", "muffins", "scones", "pretzels", "tarts",
    "cookies", "doughnuts", "loaves", "pies", "brownies", "flapjacks",
)  # fmt: skip
FRUIT = (
    "apple", "pear", "plum", "cherry", "peach", "orange", "lemon", "apricot", "quince",
    "fig", "lime", "nectarine", "walnut", "almond",
)  # fmt: skip
JOBS = (
    "tutoring", "working at a café", "walking dogs", "working at a bookshop",
    "coaching football", "washing cars", "delivering groceries", "working at a cinema",
    "gardening", "babysitting", "working at a bakery", "painting fences",
    "working at a library", "teaching piano", "running a market stall", "fixing bikes",
)  # fmt: skip
COSTS = (
    "the bus", "lunch", "parking", "a locker", "the gym", "phone data", "coffee", "snacks",
    "laundry", "a bike hire", "the pool", "music lessons", "a newspaper", "museum visits",
)  # fmt: skip
PLACES = ("the market", "a school", "a café", "a hospital", "a hotel", "the harbour", "a shop")


def _plural(word: str) -> str:
    return word + ("es" if word.endswith(("ch", "sh")) else "s")


def _split(rng: random.Random, n: int) -> tuple[int, int]:
    """How many of ``n`` terms are gains and how many losses (at least one gain)."""
    losses = sum(rng.random() < 0.4 for _ in range(n - 1))
    return n - losses, losses


def _signed_sum(story: Story, gains: list[str], losses: list[str], text: str) -> str | None:
    """The sum of the gains less the losses, if it comes out above zero."""
    expr = " + ".join(gains) + "".join(f" - {ref}" for ref in losses)
    total = sum(story.value(r) for r in gains) - sum(story.value(r) for r in losses)
    return story.step(expr, text) if total > 0 else None


def _goods(story: Story, n: int) -> str | None:
    rng = story.rng
    bought, returned = _split(rng, n)
    said, refs = [], []
    for i, (item, low, high) in enumerate(rng.sample(GOODS, n)):
        count, price = rng.randint(2, 9), rng.randint(low, high)
        ref = story.step(f"{count} * {price}", f"the cost of the {_plural(item)}")
        when = "" if i < bought else " bought last week"
        said.append(f"{count} {_plural(item)}{when} at ${price} each")
        refs.append(ref)
    story.say(f"{story.name} buys {listing(said[:bought])}.")
    if returned:
        story.say(f"{story.name} also returns {listing(said[bought:])}.")
    return _signed_sum(story, refs[:bought], refs[bought:], "the bill")


def _coupon(story: Story, ref: str) -> str | None:
    off = story.rng.choice((5, 10, 15, 20, 25))
    if story.value(ref) <= off:
        return None
    story.say(f"A coupon takes ${off} off.")
    return story.step(f"{ref} - {off}", "the bill after the coupon")


def _discount(story: Story, ref: str) -> str | None:
    pct = whole_percent(story.rng, story.value(ref), (5, 10, 15, 20, 25, 30, 40, 50))
    if pct is None:
        return None
    story.say(f"The shop gives {pct}% off the bill.")
    return story.step(f"{ref} * (100 - {pct}) / 100", "the bill after the discount")


def _delivery(story: Story, ref: str) -> str:
    fee = story.rng.randint(3, 15)
    story.say(f"Delivery costs ${fee}.")
    return story.step(f"{ref} + {fee}", "the bill with delivery")


def _share(story: Story, ref: str) -> str | None:
    people = divisor(story.rng, story.value(ref), 2, 6)
    if people is None:
        return None
    friends = "1 friend" if people == 2 else f"{people - 1} friends"
    story.say(f"{story.name} and {friends} split this equally.")
    story.unit = "share"
    return story.step(f"{ref} / {people}", "each person's share")


def _change(story: Story, ref: str) -> str:
    owed = story.value(ref)
    note = story.rng.choice((10, 20, 50, 100))
    paid = (int(owed) // note + 1) * note
    who = "Each of them" if story.unit == "share" else story.name
    story.say(f"{who} pays with ${paid}.")
    return story.step(f"{paid} - {ref}", "the change")


SHOPPING_TAILS = (
    Tail("discount", 3, _discount),
    Tail("coupon", 1, _coupon),
    Tail("delivery", 1, _delivery),
    Tail("share", 1, _share),
    Tail("change", 1, _change),
)


def shopping(story: Story, budget: int) -> MathItem | None:
    """Goods bought and returned; a discount, a coupon, delivery, sharing, change."""
    tails = choose_tails(story.rng, SHOPPING_TAILS, max(0, budget - 3))
    n = max(2, (budget - sum(t.operations for t in tails) + 1) // 2)
    bill = _goods(story, n) if n <= len(GOODS) else None
    if bill is None:
        return None
    ref, written = apply_tails(story, bill, tails)
    if written and written[-1] == "change":
        return story.item("How much change, in dollars, is that?", "dollars")
    if written and written[-1] == "share":
        return story.item("How many dollars does each person pay?", "dollars")
    return story.item(f"How many dollars does {story.name} pay in all?", "dollars")


def _legs(story: Story, n: int) -> str | None:
    rng = story.rng
    north, south = _split(rng, n)
    legs = []
    for i in range(n):
        speed, hours = rng.randint(8, 60), rng.randint(1, 9)
        way = "north" if i < north else "south"
        legs.append((story.step(f"{speed} * {hours}", f"leg {i + 1}"), speed, hours, way))
    rng.shuffle(legs)
    said = [f"{h} {'hour' if h == 1 else 'hours'} {way} at {v} km/h" for _, v, h, way in legs]
    story.say(f"A ferry leaves port and sails {listing(said)}.")
    gains = [ref for ref, *_, way in legs if way == "north"]
    losses = [ref for ref, *_, way in legs if way == "south"]
    return _signed_sum(story, gains, losses, "the distance north of the port")


def _fuel(story: Story, ref: str) -> str | None:
    distance = story.value(ref)
    fits = [r for r in range(5, 16) if (distance * r) % 10 == 0]
    if not fits:
        return None
    rate, price = story.rng.choice(fits), story.rng.randint(2, 9)
    story.say(
        f"Sailing straight back would take {rate} litres of fuel per 10 km, at ${price} a litre."
    )
    return story.step(f"{ref} * {rate} / 10 * {price}", "the cost of the fuel back")


def voyage(story: Story, budget: int) -> MathItem | None:
    """A ferry's legs north and south; how far it ends from port, or the fuel back."""
    tails = choose_tails(story.rng, (Tail("fuel", 3, _fuel),), max(0, budget - 3))
    n = max(2, (budget - sum(t.operations for t in tails) + 1) // 2)
    distance = _legs(story, n)
    if distance is None:
        return None
    ref, written = apply_tails(story, distance, tails)
    if written:
        return story.item("How many dollars would the fuel back cost?", "dollars")
    return story.item("How many kilometres north of the port does it end?", "km")


def _bakes(story: Story, n: int) -> str | None:
    rng = story.rng
    baked, sold = _split(rng, n)
    kinds = rng.sample(PASTRIES, n)
    said, refs = [], []
    for kind in kinds[:baked]:
        ovens, rate, hours = rng.randint(2, 9), rng.randint(1, 20) * 6, rng.randint(2, 12)
        refs.append(story.step(f"{ovens} * {rate} * {hours}", f"the {kind} baked"))
        said.append(f"{ovens} ovens bake {rate} {kind} an hour each for {hours} hours")
    story.say(f"Each day at {story.name}'s bakery, {listing(said)}.")
    said = []
    for kind in kinds[baked:]:
        shops, boxes, size = rng.randint(2, 8), rng.randint(2, 9), rng.choice((4, 6, 8, 12))
        refs.append(story.step(f"{shops} * {boxes} * {size}", f"the {kind} sent out"))
        said.append(f"{boxes} boxes of {size} {kind} to each of {shops} cafés")
    if said:
        story.say(f"Every morning the bakery also sends out {listing(said)}, baked the day before.")
    return _signed_sum(story, refs[:baked], refs[baked:], "the pastries left for the shop")


def _burnt(story: Story, ref: str) -> str | None:
    total = story.value(ref)
    burnt = int(total % 12) + 12 * story.rng.randint(0, 2)
    if burnt == 0 or burnt >= total:
        return None
    story.say(f"Of those, {burnt} are too dark to sell.")
    return story.step(f"{ref} - {burnt}", "the pastries to sell")


def _boxes(story: Story, ref: str) -> str | None:
    size = divisor(story.rng, story.value(ref), 4, 12)
    if size is None:
        return None
    story.say(f"The shop packs them in boxes of {size}.")
    story.unit = "boxes"
    return story.step(f"{ref} / {size}", "the boxes packed")


def _price(story: Story, ref: str) -> str | None:
    if story.unit != "boxes":
        return None
    price = story.rng.randint(4, 15)
    story.say(f"A box sells for ${price}.")
    return story.step(f"{ref} * {price}", "the money from the boxes")


def bakery(story: Story, budget: int) -> MathItem | None:
    """Pastries baked and sent out; the rest, burnt ones aside, boxed and sold."""
    tails = choose_tails(story.rng, BAKERY_TAILS, max(0, budget - 5))
    n = max(2, (budget - sum(t.operations for t in tails) + 1) // 3)
    left = _bakes(story, n) if n <= len(PASTRIES) else None
    if left is None:
        return None
    ref, written = apply_tails(story, left, tails)
    if "price" in written:
        return story.item("How many dollars does the shop take in a day?", "dollars")
    if "boxes" in written:
        return story.item("How many boxes does the shop pack each day?", "boxes")
    return story.item("How many pastries are left for the shop each day?", "pastries")


BAKERY_TAILS = (
    Tail("burnt", 1, _burnt),
    Tail("boxes", 1, _boxes),
    Tail("price", 1, _price),
)


def _jobs(story: Story, n: int) -> str | None:
    rng = story.rng
    earned, spent = _split(rng, n)
    said, refs = [], []
    for job in rng.sample(JOBS, earned):
        wage, hours, days = rng.randint(9, 30), rng.randint(2, 8), rng.randint(2, 20)
        refs.append(story.step(f"{wage} * {hours} * {days}", f"the pay for {job}"))
        said.append(f"${wage} an hour {job}, {hours} hours a day on {days} days")
    story.say(f"Over the summer {story.name} earns {listing(said)}.")
    said = []
    for cost in rng.sample(COSTS, spent):
        price, times, weeks = rng.randint(2, 15), rng.randint(1, 5), rng.randint(2, 12)
        refs.append(story.step(f"{price} * {times} * {weeks}", f"the cost of {cost}"))
        said.append(f"${price} on {cost} {times} {'time' if times == 1 else 'times'} a week "
                    f"for {weeks} weeks")  # fmt: skip
    if said:
        story.say(f"{story.name} spends {listing(said)}.")
    return _signed_sum(story, refs[:earned], refs[earned:], "the money saved")


def _savings(story: Story, ref: str) -> str | None:
    part = divisor(story.rng, story.value(ref), 2, 5)
    if part is None:
        return None
    story.say(f"{story.name} gives 1/{part} of the money saved to a sister.")
    return story.step(f"{ref} - {ref} / {part}", "the money kept")


def _goal(story: Story, ref: str) -> str | None:
    price = (int(story.value(ref)) // 50 + story.rng.randint(2, 12)) * 50
    story.say(f"{story.name} wants a bike that costs ${price}.")
    return story.step(f"{price} - {ref}", "the money still needed")


def wages(story: Story, budget: int) -> MathItem | None:
    """A summer's pay from jobs less weekly costs; what is saved, or still needed."""
    tails = choose_tails(story.rng, (Tail("goal", 1, _goal),), max(0, budget - 5))
    n = max(2, (budget - sum(t.operations for t in tails) + 1) // 3)
    saved = _jobs(story, n) if n <= min(len(JOBS), len(COSTS)) else None
    if saved is None:
        return None
    ref, written = apply_tails(story, saved, tails)
    if written:
        return story.item(f"How many more dollars does {story.name} need?", "dollars")
    return story.item(f"How many dollars does {story.name} save over the summer?", "dollars")


def _rows(story: Story, n: int) -> str | None:
    rng = story.rng
    grown, sent = _split(rng, n)
    said, refs = [], []
    for fruit in rng.sample(FRUIT, grown):
        rows, trees, crop = rng.randint(2, 12), rng.randint(5, 20), rng.randint(10, 40)
        refs.append(story.step(f"{rows} * {trees} * {crop}", f"the {fruit} harvest"))
        said.append(f"{rows} rows of {trees} {fruit} trees that give {crop} kg each")
    story.say(f"An orchard has {listing(said)}.")
    said = []
    for place in rng.sample(PLACES, min(sent, len(PLACES))):
        trips, crates, size = rng.randint(2, 9), rng.randint(2, 12), rng.choice((5, 10, 15, 20))
        refs.append(story.step(f"{trips} * {crates} * {size}", f"the fruit sent to {place}"))
        said.append(f"{trips} loads of {crates} crates of {size} kg to {place}")
    if said:
        story.say(f"The farm sends {listing(said)}.")
    return _signed_sum(story, refs[:grown], refs[grown:], "the fruit left")


def _jam(story: Story, ref: str) -> str | None:
    size = divisor(story.rng, story.value(ref), 2, 5)
    if size is None:
        return None
    price = story.rng.randint(3, 9)
    story.say(f"The rest becomes jam: {size} kg of fruit makes a jar that sells for ${price}.")
    return story.step(f"{ref} / {size} * {price}", "the money from the jam")


def orchard(story: Story, budget: int) -> MathItem | None:
    """An orchard's harvest less the loads sent away; the fruit left, or its jam."""
    tails = choose_tails(story.rng, (Tail("jam", 2, _jam),), max(0, budget - 5))
    n = max(2, (budget - sum(t.operations for t in tails) + 1) // 3)
    left = _rows(story, n) if n <= len(FRUIT) else None
    if left is None:
        return None
    ref, written = apply_tails(story, left, tails)
    if written:
        return story.item("How many dollars does the jam bring in?", "dollars")
    return story.item("How many kilograms of fruit are left?", "kg")


SCENARIOS = (shopping, voyage, bakery, wages, orchard)


@generator("word")
def word_problem(rng: random.Random, level: int) -> MathItem:
    """A story with quantities and units; higher levels list more and change it more."""
    return tell(rng, level, SCENARIOS)
