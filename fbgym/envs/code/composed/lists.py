"""Primitives from lists of integers to lists: filters, maps, reorderings, conversions."""

from __future__ import annotations

import random

from fbgym.envs.code.composed.steps import (
    CMP,
    CMP_MISREAD,
    INTS,
    TEXT,
    WORDS,
    add_phrase,
    comparison,
    nonzero,
    primitive,
    signed,
    step,
)

LIST = (INTS, INTS)


@primitive(INTS, INTS)
def keep_compared(rng: random.Random):
    name, op = comparison(rng)
    c = rng.randint(-3, 9)
    keep, drop = (tuple(p.format(c=c) for p in ps) for ps in CMP[name][1:])
    return step(
        f"ints.keep.{name}",
        LIST,
        f"{{o}} = [x for x in {{i}} if x {op} {c}]",
        tuple(f"Keep only the numbers that are {p}." for p in keep)
        + tuple(f"Remove the numbers that are {p}." for p in drop),
        tuple(f"{{o}} = [x for x in {{i}} if x {m} {c}]" for m in CMP_MISREAD[name]),
        bounds=(c,),
    )


@primitive(INTS, INTS)
def keep_parity(rng: random.Random):
    even = rng.random() < 0.5
    kept, other = ("even", "odd") if even else ("odd", "even")
    rest = 0 if even else 1
    return step(
        f"ints.keep.{kept}",
        LIST,
        f"{{o}} = [x for x in {{i}} if x % 2 == {rest}]",
        (f"Keep only the {kept} numbers.", f"Remove the {other} numbers."),
        (f"{{o}} = [x for x in {{i}} if x % 2 == {1 - rest}]",),
    )


@primitive(INTS, INTS)
def keep_multiples(rng: random.Random):
    k = rng.randint(3, 5)
    return step(
        "ints.keep.multiple",
        LIST,
        f"{{o}} = [x for x in {{i}} if x % {k} == 0]",
        (
            f"Keep only the multiples of {k} (0 and negative multiples count).",
            f"Remove the numbers that are not divisible by {k} (0 is divisible).",
        ),
        (
            f"{{o}} = [x for x in {{i}} if x % {k} != 0]",
            f"{{o}} = [x for x in {{i}} if x > 0 and x % {k} == 0]",
        ),
        bounds=(k, 0),
    )


@primitive(INTS, INTS)
def keep_between(rng: random.Random):
    a = rng.randint(-3, 3)
    b = a + rng.randint(2, 6)
    return step(
        "ints.keep.between",
        LIST,
        f"{{o}} = [x for x in {{i}} if {a} <= x <= {b}]",
        (
            f"Keep only the numbers from {a} to {b}, both included.",
            f"Remove the numbers below {a} and those above {b}.",
        ),
        (
            f"{{o}} = [x for x in {{i}} if {a} < x < {b}]",
            f"{{o}} = [x for x in {{i}} if {a} <= x < {b}]",
        ),
        bounds=(a, b),
    )


@primitive(INTS, INTS)
def add_each(rng: random.Random):
    c = nonzero(rng, -5, 5)
    return step(
        "ints.add",
        LIST,
        f"{{o}} = [x {signed(c)} for x in {{i}}]",
        (add_phrase(c, "each number"),),
        (f"{{o}} = [x {signed(-c)} for x in {{i}}]",),
        constants=(c,),
    )


@primitive(INTS, INTS)
def scale_each(rng: random.Random):
    k = rng.randint(2, 5)
    return step(
        "ints.scale",
        LIST,
        f"{{o}} = [x * {k} for x in {{i}}]",
        (f"Multiply each number by {k}.", f"Replace each number by {k} times itself."),
        (f"{{o}} = [x + {k} for x in {{i}}]",),
        constants=(k,),
    )


@primitive(INTS, INTS)
def square_each(rng: random.Random):
    return step(
        "ints.square",
        LIST,
        "{o} = [x * x for x in {i}]",
        ("Replace each number by its square.", "Square each number."),
        ("{o} = [x * 2 for x in {i}]",),
    )


@primitive(INTS, INTS)
def absolute_each(rng: random.Random):
    return step(
        "ints.abs",
        LIST,
        "{o} = [abs(x) for x in {i}]",
        ("Replace each number by its absolute value.", "Make every negative number positive."),
        ("{o} = [max(x, 0) for x in {i}]",),
    )


@primitive(INTS, INTS)
def clamp_each(rng: random.Random):
    c = rng.randint(-3, 8)
    if rng.random() < 0.5:
        return step(
            "ints.cap",
            LIST,
            f"{{o}} = [min(x, {c}) for x in {{i}}]",
            (f"Cap the numbers at {c}: any number above {c} becomes {c}.",),
            (f"{{o}} = [max(x, {c}) for x in {{i}}]",),
            bounds=(c,),
        )
    return step(
        "ints.floor",
        LIST,
        f"{{o}} = [max(x, {c}) for x in {{i}}]",
        (f"Raise any number below {c} to {c}.",),
        (f"{{o}} = [min(x, {c}) for x in {{i}}]",),
        bounds=(c,),
    )


_WHEN = {
    "odd": ("x % 2 == 1", "the odd numbers", "the even ones"),
    "even": ("x % 2 == 0", "the even numbers", "the odd ones"),
    "negative": ("x < 0", "the negative numbers", "the others"),
    "big": ("x > {c}", "the numbers greater than {c}", "the others"),
}
_DO = {
    "double": ("x * 2", "Double {which}"),
    "negate": ("-x", "Negate {which}"),
    "zero": ("0", "Replace {which} by 0"),
    "shift": ("x {s}", "{add} {which}"),
}


@primitive(INTS, INTS)
def transform_some(rng: random.Random):
    when = rng.choice(sorted(_WHEN))
    do = rng.choice(sorted(_DO))
    c, s = rng.randint(0, 7), nonzero(rng, -5, 5)
    test, which, others = (t.format(c=c) for t in _WHEN[when])
    value = _DO[do][0].format(s=signed(s))
    add = f"Add {s} to" if s > 0 else f"Subtract {-s} from"
    verb = _DO[do][1].format(which=which, add=add)
    return step(
        f"ints.when.{when}.{do}",
        LIST,
        f"{{o}} = [{value} if {test} else x for x in {{i}}]",
        (f"{verb} and leave {others} unchanged.", f"{verb}; {others} stay as they are."),
        (f"{{o}} = [x if {test} else {value} for x in {{i}}]", f"{{o}} = [{value} for x in {{i}}]"),
        bounds=(c,) if when == "big" else (),
        constants=(s,) if do == "shift" else (),
    )


@primitive(INTS, INTS)
def take_first(rng: random.Random):
    k = rng.randint(2, 4)
    return step(
        "ints.first",
        LIST,
        f"{{o}} = {{i}}[:{k}]",
        (
            f"Keep only the first {k} numbers (all of them if there are fewer).",
            f"Drop everything after the first {k} numbers.",
        ),
        (f"{{o}} = {{i}}[-{k}:]", f"{{o}} = {{i}}[{k}:]"),
        constants=(k,),
    )


@primitive(INTS, INTS)
def drop_first(rng: random.Random):
    k = rng.randint(1, 3)
    return step(
        "ints.drop",
        LIST,
        f"{{o}} = {{i}}[{k}:]",
        (f"Drop the first {k} numbers (none remain if there are not more than {k}).",),
        (f"{{o}} = {{i}}[:-{k}]", f"{{o}} = {{i}}[:{k}]"),
        constants=(k,),
    )


@primitive(INTS, INTS)
def reorder(rng: random.Random):
    form = rng.choice(("reverse", "ascending", "descending", "by_size"))
    if form == "reverse":
        return step(
            "ints.reverse",
            LIST,
            "{o} = {i}[::-1]",
            ("Reverse the order of the numbers.", "Put the numbers in the opposite order."),
            ("{o} = sorted({i}, reverse=True)",),
        )
    if form == "by_size":
        return step(
            "ints.sort.abs",
            LIST,
            "{o} = sorted({i}, key=abs)",
            (
                "Sort the numbers by absolute value, smallest first; numbers with the same "
                "absolute value keep their order.",
            ),
            ("{o} = sorted({i})", "{o} = sorted({i}, key=lambda x: (abs(x), x))"),
        )
    down = form == "descending"
    order = "largest to smallest" if down else "smallest to largest"
    return step(
        f"ints.sort.{form}",
        LIST,
        f"{{o}} = sorted({{i}}{', reverse=True' if down else ''})",
        (f"Sort the numbers from {order}.",),
        (f"{{o}} = sorted({{i}}{'' if down else ', reverse=True'})", "{o} = {i}[::-1]"),
    )


@primitive(INTS, INTS)
def distinct(rng: random.Random):
    if rng.random() < 0.5:
        return step(
            "ints.dedupe",
            LIST,
            "{o} = list(dict.fromkeys({i}))",
            (
                "Remove repeated numbers, keeping the first occurrence of each.",
                "Keep each number only where it first occurs.",
            ),
            ("{o} = [x for x in {i} if {i}.count(x) == 1]", "{o} = sorted(set({i}))"),
        )
    return step(
        "ints.singles",
        LIST,
        "{o} = [x for x in {i} if {i}.count(x) == 1]",
        ("Keep only the numbers that occur exactly once.",),
        ("{o} = list(dict.fromkeys({i}))",),
    )


@primitive(INTS, INTS)
def running(rng: random.Random):
    if rng.random() < 0.5:
        return step(
            "ints.prefix",
            LIST,
            "{o} = [sum({i}[:j + 1]) for j in range(len({i}))]",
            (
                "Replace the numbers by their running totals: the k-th becomes the sum of the "
                "first k numbers.",
            ),
            ("{o} = [sum({i}[:j]) for j in range(len({i}))]",),
        )
    return step(
        "ints.diffs",
        LIST,
        "{o} = [b - a for a, b in zip({i}, {i}[1:])]",
        (
            "Replace the numbers by the differences between neighbours: each number minus the "
            "one before it (one number fewer; none if there are fewer than two).",
        ),
        ("{o} = [a - b for a, b in zip({i}, {i}[1:])]",),
    )


@primitive(INTS, INTS)
def by_position(rng: random.Random):
    if rng.random() < 0.5:
        return step(
            "ints.add_index",
            LIST,
            "{o} = [x + j for j, x in enumerate({i})]",
            ("Add to each number its position, counting from 0.",),
            ("{o} = [x + j for j, x in enumerate({i}, 1)]",),
        )
    return step(
        "ints.every_other",
        LIST,
        "{o} = {i}[::2]",
        ("Keep the numbers at even positions counting from 0: the first, the third, and so on.",),
        ("{o} = {i}[1::2]",),
    )


@primitive(INTS, WORDS)
def as_texts(rng: random.Random):
    return step(
        "ints.str",
        (INTS, WORDS),
        "{o} = [str(x) for x in {i}]",
        ("Write each number in decimal; these texts are the words from now on.",),
        ("{o} = [str(abs(x)) for x in {i}]",),
    )


@primitive(INTS, TEXT)
def joined(rng: random.Random):
    sep = rng.choice((",", "-", " ", ";"))
    return step(
        "ints.join",
        (INTS, TEXT),
        f"{{o}} = {sep!r}.join(str(x) for x in {{i}})",
        (f"Write the numbers in decimal, joined into one text with {sep!r} between neighbours.",),
        (f"{{o}} = ''.join(str(x) + {sep!r} for x in {{i}})",),
        chars=(sep,),
    )
