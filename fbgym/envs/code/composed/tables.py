"""Primitives on dictionaries from strings to integers: filters, value maps, folds, orderings."""

from __future__ import annotations

import random

from fbgym.envs.code.composed.steps import (
    CMP,
    CMP_MISREAD,
    COUNTS,
    INT,
    INTS,
    TEXT,
    WORDS,
    add_phrase,
    comparison,
    exact,
    letter,
    nonzero,
    primitive,
    signed,
    step,
)

TABLE = (COUNTS, COUNTS)


@primitive(COUNTS, COUNTS)
def keep_entries(rng: random.Random):
    if rng.random() < 0.65:
        name, op = comparison(rng)
        c = rng.randint(-2, 7)
        keep, drop = (tuple(p.format(c=c) for p in ps) for ps in CMP[name][1:])
        return step(
            f"counts.keep.{name}",
            TABLE,
            f"{{o}} = {{{{k: v for k, v in {{i}}.items() if v {op} {c}}}}}",
            tuple(f"Keep only the entries whose value is {p}." for p in keep)
            + tuple(f"Remove the entries whose value is {p}." for p in drop),
            tuple(
                f"{{o}} = {{{{k: v for k, v in {{i}}.items() if v {m} {c}}}}}"
                for m in CMP_MISREAD[name]
            ),
            bounds=(c,),
        )
    a = letter(rng)
    return step(
        "counts.keep.starts",
        TABLE,
        f"{{o}} = {{{{k: v for k, v in {{i}}.items() if k.startswith({a!r})}}}}",
        (f"Keep only the entries whose key starts with {a!r} {exact(a)}.",),
        (
            f"{{o}} = {{{{k: v for k, v in {{i}}.items() if {a!r} in k}}}}",
            f"{{o}} = {{{{k: v for k, v in {{i}}.items() if not k.startswith({a!r})}}}}",
        ),
        chars=(a,),
    )


@primitive(COUNTS, COUNTS)
def change_values(rng: random.Random):
    if rng.random() < 0.5:
        c = nonzero(rng, -4, 4)
        return step(
            "counts.add",
            TABLE,
            f"{{o}} = {{{{k: v {signed(c)} for k, v in {{i}}.items()}}}}",
            (add_phrase(c, "every value"),),
            (f"{{o}} = {{{{k: v {signed(-c)} for k, v in {{i}}.items()}}}}",),
            constants=(c,),
        )
    k = rng.randint(2, 3)
    return step(
        "counts.scale",
        TABLE,
        f"{{o}} = {{{{k: v * {k} for k, v in {{i}}.items()}}}}",
        (f"Multiply every value by {k}.",),
        (f"{{o}} = {{{{k: v + {k} for k, v in {{i}}.items()}}}}",),
        constants=(k,),
    )


@primitive(COUNTS, INT)
def fold_values(rng: random.Random):
    form = rng.choice(("sum", "size", "max", "count"))
    if form == "sum":
        return step(
            "counts.sum",
            (COUNTS, INT),
            "{o} = sum({i}.values())",
            ("Take the sum of the values (0 for an empty dictionary).",),
            ("{o} = len({i})",),
        )
    if form == "size":
        return step(
            "counts.len",
            (COUNTS, INT),
            "{o} = len({i})",
            ("Count the entries of the dictionary.",),
            ("{o} = sum({i}.values())",),
        )
    c = rng.randint(-2, 6)
    if form == "max":
        return step(
            "counts.max",
            (COUNTS, INT),
            f"{{o}} = max({{i}}.values(), default={c})",
            (f"Take the largest value, or {c} if the dictionary is empty.",),
            ("{o} = max({i}.values())", f"{{o}} = min({{i}}.values(), default={c})"),
            constants=(c,),
        )
    name, op = comparison(rng)
    return step(
        f"counts.count.{name}",
        (COUNTS, INT),
        f"{{o}} = sum(1 for v in {{i}}.values() if v {op} {c})",
        tuple(f"Count the entries whose value is {p.format(c=c)}." for p in CMP[name][1]),
        tuple(f"{{o}} = sum(1 for v in {{i}}.values() if v {m} {c})" for m in CMP_MISREAD[name]),
        bounds=(c,),
    )


@primitive(COUNTS, WORDS)
def list_keys(rng: random.Random):
    if rng.random() < 0.4:
        return step(
            "counts.keys",
            (COUNTS, WORDS),
            "{o} = sorted({i})",
            ("List the keys in string order (by character code, so 'B' comes before 'a').",),
            ("{o} = list({i})",),
        )
    return step(
        "counts.ranked_keys",
        (COUNTS, WORDS),
        "{o} = sorted({i}, key=lambda k: (-{i}[k], k))",
        (
            "List the keys from the largest value to the smallest; keys with equal values in "
            "string order (by character code, so 'B' comes before 'a').",
        ),
        (
            "{o} = sorted({i}, key={i}.get, reverse=True)",
            "{o} = sorted({i}, key=lambda k: ({i}[k], k))",
        ),
    )


@primitive(COUNTS, TEXT)
def top_key(rng: random.Random):
    return step(
        "counts.top",
        (COUNTS, TEXT),
        "{o} = min({i}, key=lambda k: (-{i}[k], k), default='')",
        (
            "Take the key with the largest value, the first of them in string order (by "
            "character code) if several share it; '' for an empty dictionary.",
        ),
        ("{o} = max({i}, key={i}.get, default='')", "{o} = max({i}, default='')"),
    )


@primitive(COUNTS, INTS)
def list_values(rng: random.Random):
    return step(
        "counts.values",
        (COUNTS, INTS),
        "{o} = [{i}[k] for k in sorted({i})]",
        ("List the values, ordered by their keys in string order (by character code).",),
        ("{o} = list({i}.values())", "{o} = sorted({i}.values())"),
    )
