"""Primitives that make or change one integer: folds of lists, arithmetic, labels, digits."""

from __future__ import annotations

import random

from fbgym.envs.code.composed.steps import (
    CMP,
    CMP_MISREAD,
    INT,
    INTS,
    TEXT,
    add_phrase,
    comparison,
    nonzero,
    primitive,
    signed,
    step,
)

FOLD = (INTS, INT)
ARITH = (INT, INT)


@primitive(INTS, INT)
def total(rng: random.Random):
    if rng.random() < 0.5:
        return step(
            "ints.sum", FOLD, "{o} = sum({i})", "Take the sum of the numbers (0 if there are none)."
        )
    return step(
        "ints.alt_sum",
        FOLD,
        "{o} = sum({i}[::2]) - sum({i}[1::2])",
        (
            "Add up the numbers at even positions (counting from 0) and subtract those at odd "
            "positions.",
        ),
        ("{o} = sum({i}[1::2]) - sum({i}[::2])",),
    )


@primitive(INTS, INT)
def count(rng: random.Random):
    form = rng.choice(("all", "distinct", "compared"))
    if form == "all":
        return step(
            "ints.len", FOLD, "{o} = len({i})", "Count the numbers.", ("{o} = len(set({i}))",)
        )
    if form == "distinct":
        return step(
            "ints.distinct",
            FOLD,
            "{o} = len(set({i}))",
            "Count how many different numbers there are.",
            ("{o} = len({i})",),
        )
    name, op = comparison(rng)
    c = rng.randint(-3, 9)
    return step(
        f"ints.count.{name}",
        FOLD,
        f"{{o}} = sum(1 for x in {{i}} if x {op} {c})",
        tuple(f"Count the numbers that are {p.format(c=c)}." for p in CMP[name][1]),
        tuple(f"{{o}} = sum(1 for x in {{i}} if x {m} {c})" for m in CMP_MISREAD[name]),
        bounds=(c,),
    )


@primitive(INTS, INT)
def extreme(rng: random.Random):
    c = rng.randint(-2, 5)
    big = rng.random() < 0.5
    fn, other, word = ("max", "min", "largest") if big else ("min", "max", "smallest")
    return step(
        f"ints.{fn}",
        FOLD,
        f"{{o}} = {fn}({{i}}, default={c})",
        (f"Take the {word} number, or {c} if there are none.",),
        (f"{{o}} = {fn}({{i}})", f"{{o}} = {other}({{i}}, default={c})"),
        constants=(c,),
    )


@primitive(INTS, INT)
def pick(rng: random.Random):
    c = rng.randint(-2, 5)
    first = rng.random() < 0.5
    at, other, word = ("0", "-1", "first") if first else ("-1", "0", "last")
    return step(
        f"ints.{word}",
        FOLD,
        f"{{o}} = {{i}}[{at}] if {{i}} else {c}",
        (f"Take the {word} number, or {c} if there are none.",),
        (f"{{o}} = {{i}}[{other}] if {{i}} else {c}", f"{{o}} = {{i}}[{at}]"),
        constants=(c,),
    )


@primitive(INTS, INT)
def spread(rng: random.Random):
    if rng.random() < 0.5:
        return step(
            "ints.spread",
            FOLD,
            "{o} = max({i}) - min({i}) if {i} else 0",
            ("Take the largest number minus the smallest (0 if there are none).",),
            ("{o} = {i}[-1] - {i}[0] if {i} else 0", "{o} = max({i}) - min({i})"),
        )
    return step(
        "ints.argmax",
        FOLD,
        "{o} = {i}.index(max({i})) if {i} else -1",
        (
            "Take the position (counting from 0) of the largest number, the first one if it "
            "occurs more than once; -1 if there are none.",
        ),
        (
            "{o} = len({i}) - 1 - {i}[::-1].index(max({i})) if {i} else -1",
            "{o} = {i}.index(max({i})) + 1 if {i} else -1",
        ),
    )


@primitive(INT, INT)
def shift(rng: random.Random):
    if rng.random() < 0.5:
        c = nonzero(rng, -6, 6)
        return step(
            "int.add",
            ARITH,
            f"{{o}} = {{i}} {signed(c)}",
            (add_phrase(c, "the result"),),
            (f"{{o}} = {{i}} {signed(-c)}",),
            constants=(c,),
        )
    k = rng.randint(2, 5)
    return step(
        "int.scale",
        ARITH,
        f"{{o}} = {{i}} * {k}",
        (f"Multiply the result by {k}.",),
        (f"{{o}} = {{i}} + {k}",),
        constants=(k,),
    )


@primitive(INT, INT)
def divide(rng: random.Random):
    if rng.random() < 0.5:
        return step(
            "int.half",
            ARITH,
            "{o} = {i} // 2",
            ("Halve the result, rounding down (toward minus infinity, so -3 becomes -2).",),
            ("{o} = int({i} / 2)",),
        )
    k = rng.randint(3, 7)
    return step(
        "int.mod",
        ARITH,
        f"{{o}} = {{i}} % {k}",
        (
            f"Replace the result by its remainder after division by {k}, a number from 0 to "
            f"{k - 1} (also for negative results).",
        ),
        (f"{{o}} = abs({{i}}) % {k}", f"{{o}} = {{i}} // {k}"),
        constants=(k,),
    )


@primitive(INT, INT)
def adjust(rng: random.Random):
    c = rng.randint(-3, 10)
    form = rng.choice(("reduce", "cap", "abs"))
    if form == "reduce":
        d = rng.randint(1, 5)
        return step(
            "int.reduce",
            ARITH,
            f"{{o}} = {{i}} - {d} if {{i}} > {c} else {{i}}",
            (f"If the result is greater than {c}, subtract {d} from it.",),
            (f"{{o}} = {{i}} - {d} if {{i}} >= {c} else {{i}}", f"{{o}} = {{i}} - {d}"),
            bounds=(c,),
            constants=(d,),
        )
    if form == "cap":
        return step(
            "int.cap",
            ARITH,
            f"{{o}} = min({{i}}, {c})",
            (f"If the result is above {c}, use {c} instead.",),
            (f"{{o}} = max({{i}}, {c})",),
            bounds=(c,),
        )
    return step(
        "int.abs",
        ARITH,
        "{o} = abs({i})",
        ("Take the absolute value of the result.",),
        ("{o} = max({i}, 0)",),
    )


_LABELS = (("high", "low"), ("big", "small"), ("yes", "no"), ("many", "few"))


@primitive(INT, TEXT)
def label(rng: random.Random):
    if rng.random() < 0.3:
        return step(
            "int.parity",
            (INT, TEXT),
            "{o} = 'even' if {i} % 2 == 0 else 'odd'",
            ("Turn the result into the text 'even' if it is even and 'odd' otherwise.",),
            ("{o} = 'odd' if {i} % 2 == 0 else 'even'",),
        )
    yes, no = rng.choice(_LABELS)
    name, op = comparison(rng, ("gt", "ge", "lt", "le"))
    c = rng.randint(-3, 10)
    return step(
        f"int.label.{name}",
        (INT, TEXT),
        f"{{o}} = {yes!r} if {{i}} {op} {c} else {no!r}",
        tuple(
            f"Turn the result into the text {yes!r} if it is {p.format(c=c)}, and {no!r} otherwise."
            for p in CMP[name][1]
        ),
        (f"{{o}} = {yes!r} if {{i}} {CMP_MISREAD[name][0]} {c} else {no!r}",),
        bounds=(c,),
    )


@primitive(INT, TEXT, weight=0.3)
def decimal(rng: random.Random):
    return step(
        "int.str",
        (INT, TEXT),
        "{o} = str({i})",
        ("Write the result in decimal, as a text (with a leading '-' if it is negative).",),
        ("{o} = str(abs({i}))",),
    )


@primitive(INT, INTS, weight=0.6)
def digits(rng: random.Random):
    return step(
        "int.digits",
        (INT, INTS),
        "{o} = [int(d) for d in str(abs({i}))]",
        (
            "Take the list of the decimal digits of the result, ignoring its sign, most "
            "significant first (0 gives [0]).",
        ),
        ("{o} = [int(d) for d in str(abs({i}))][::-1]",),
    )
