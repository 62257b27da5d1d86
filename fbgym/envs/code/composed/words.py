"""Primitives on lists of strings: filters, rewrites, orders, selections, counts, joins."""

from __future__ import annotations

import random

from fbgym.envs.code.composed.steps import (
    CMP_MISREAD,
    COUNTS,
    INT,
    SIZE,
    TEXT,
    WORDS,
    comparison,
    exact,
    letter,
    primitive,
    step,
)

LIST = (WORDS, WORDS)
TALLY = (WORDS, INT)


@primitive(WORDS, WORDS)
def keep_sized(rng: random.Random):
    name, op = comparison(rng, tuple(SIZE))
    c = rng.randint(1, 4)
    keep, drop = (p.format(c=c) for p in SIZE[name])
    return step(
        f"words.keep.{name}",
        LIST,
        f"{{o}} = [w for w in {{i}} if len(w) {op} {c}]",
        (
            f"Keep only the words with {keep} characters.",
            f"Remove the words with {drop} characters.",
        ),
        tuple(f"{{o}} = [w for w in {{i}} if len(w) {m} {c}]" for m in CMP_MISREAD[name]),
        bounds=(c,),
    )


@primitive(WORDS, WORDS)
def keep_lettered(rng: random.Random):
    a = letter(rng)
    form = rng.choice(("starts", "contains", "lacks"))
    if form == "starts":
        return step(
            "words.keep.starts",
            LIST,
            f"{{o}} = [w for w in {{i}} if w.startswith({a!r})]",
            (f"Keep only the words that start with {a!r} {exact(a)}.",),
            (
                f"{{o}} = [w for w in {{i}} if {a!r} in w]",
                f"{{o}} = [w for w in {{i}} if w.lower().startswith({a!r})]",
            ),
            chars=(a,),
        )
    if form == "contains":
        return step(
            "words.keep.contains",
            LIST,
            f"{{o}} = [w for w in {{i}} if {a!r} in w]",
            (f"Keep only the words that contain {a!r} somewhere {exact(a)}.",),
            (
                f"{{o}} = [w for w in {{i}} if w.startswith({a!r})]",
                f"{{o}} = [w for w in {{i}} if {a!r} not in w]",
            ),
            chars=(a,),
        )
    return step(
        "words.drop.contains",
        LIST,
        f"{{o}} = [w for w in {{i}} if {a!r} not in w]",
        (f"Remove the words that contain {a!r} anywhere {exact(a)}.",),
        (f"{{o}} = [w for w in {{i}} if not w.startswith({a!r})]",),
        chars=(a,),
    )


@primitive(WORDS, WORDS)
def rewrite_each(rng: random.Random):
    form = rng.choice(("upper", "reverse", "cut", "strip"))
    if form == "upper":
        return step(
            "words.upper",
            LIST,
            "{o} = [w.upper() for w in {i}]",
            ("Convert each word to upper case.",),
            ("{o} = [w.capitalize() for w in {i}]",),
        )
    if form == "reverse":
        return step(
            "words.reverse_each",
            LIST,
            "{o} = [w[::-1] for w in {i}]",
            ("Reverse each word, character by character (the words stay in their order).",),
            ("{o} = {i}[::-1]",),
        )
    if form == "strip":
        return step(
            "words.strip",
            LIST,
            "{o} = [w.strip(' ') for w in {i}]",
            ("Remove the spaces at the start and at the end of each word.",),
            ("{o} = [w.replace(' ', '') for w in {i}]",),
        )
    k = rng.randint(1, 3)
    return step(
        "words.cut",
        LIST,
        f"{{o}} = [w[:{k}] for w in {{i}}]",
        (f"Shorten each word to its first {k} characters (shorter words stay as they are).",),
        (f"{{o}} = [w[{k}:] for w in {{i}}]", f"{{o}} = [w[-{k}:] for w in {{i}}]"),
        constants=(k,),
    )


@primitive(WORDS, WORDS)
def order_words(rng: random.Random):
    form = rng.choice(("alpha", "short", "long", "reverse"))
    if form == "alpha":
        return step(
            "words.sort",
            LIST,
            "{o} = sorted({i})",
            ("Sort the words by character code (so 'B' comes before 'a' and 'ab' before 'b').",),
            ("{o} = sorted({i}, key=str.lower)", "{o} = sorted({i}, key=len)"),
        )
    if form == "reverse":
        return step(
            "words.reverse",
            LIST,
            "{o} = {i}[::-1]",
            ("Reverse the order of the words (each word stays as it is).",),
            ("{o} = [w[::-1] for w in {i}]",),
        )
    long = form == "long"
    word = "longest" if long else "shortest"
    return step(
        f"words.sort.{form}",
        LIST,
        f"{{o}} = sorted({{i}}, key=len{', reverse=True' if long else ''})",
        (f"Sort the words by length, {word} first; words of equal length keep their order.",),
        (
            f"{{o}} = sorted({{i}}, key=lambda w: ({'-' if long else ''}len(w), w))",
            f"{{o}} = sorted({{i}}, key=len{'' if long else ', reverse=True'})",
        ),
    )


@primitive(WORDS, WORDS)
def select_words(rng: random.Random):
    form = rng.choice(("dedupe", "first", "nonempty"))
    if form == "dedupe":
        return step(
            "words.dedupe",
            LIST,
            "{o} = list(dict.fromkeys({i}))",
            ("Remove repeated words, keeping the first occurrence of each.",),
            ("{o} = sorted(set({i}))", "{o} = [w for w in {i} if {i}.count(w) == 1]"),
        )
    if form == "nonempty":
        return step(
            "words.nonempty",
            LIST,
            "{o} = [w for w in {i} if w]",
            ("Remove the empty strings (a string of spaces is not empty).",),
            ("{o} = [w for w in {i} if w.strip()]",),
        )
    k = rng.randint(2, 4)
    return step(
        "words.first",
        LIST,
        f"{{o}} = {{i}}[:{k}]",
        (f"Keep only the first {k} words (all of them if there are fewer).",),
        (f"{{o}} = {{i}}[-{k}:]",),
        constants=(k,),
    )


@primitive(WORDS, INT)
def count_words(rng: random.Random):
    form = rng.choice(("all", "letters", "longest", "sized"))
    if form == "all":
        return step(
            "words.len", TALLY, "{o} = len({i})", "Count the words.", ("{o} = len(set({i}))",)
        )
    if form == "letters":
        return step(
            "words.letters",
            TALLY,
            "{o} = sum(len(w) for w in {i})",
            ("Take the total number of characters in all the words together.",),
            ("{o} = sum(len(w) for w in set({i}))",),
        )
    if form == "longest":
        return step(
            "words.longest_len",
            TALLY,
            "{o} = max((len(w) for w in {i}), default=0)",
            ("Take the length of the longest word (0 if there are no words).",),
            ("{o} = len(max({i}, default=''))",),
        )
    name, op = comparison(rng, tuple(SIZE))
    c = rng.randint(1, 4)
    return step(
        f"words.count.{name}",
        TALLY,
        f"{{o}} = sum(1 for w in {{i}} if len(w) {op} {c})",
        (f"Count the words with {SIZE[name][0].format(c=c)} characters.",),
        tuple(f"{{o}} = sum(1 for w in {{i}} if len(w) {m} {c})" for m in CMP_MISREAD[name]),
        bounds=(c,),
    )


@primitive(WORDS, TEXT)
def combine(rng: random.Random):
    form = rng.choice(("join", "initials", "longest", "shortest"))
    if form == "join":
        sep = rng.choice((" ", "-", ", ", "+"))
        return step(
            "words.join",
            (WORDS, TEXT),
            f"{{o}} = {sep!r}.join({{i}})",
            (f"Join the words into one text with {sep!r} between neighbours.",),
            (f"{{o}} = ''.join(w + {sep!r} for w in {{i}})",),
            constants=(sep,),
        )
    if form == "initials":
        return step(
            "words.initials",
            (WORDS, TEXT),
            "{o} = ''.join(w[0] for w in {i} if w)",
            ("Form a text from the first character of each non-empty word, in order.",),
            ("{o} = ''.join(w[-1] for w in {i} if w)",),
        )
    fn, word, size = (
        ("max", "longest", "long") if form == "longest" else ("min", "shortest", "short")
    )
    return step(
        f"words.{word}",
        (WORDS, TEXT),
        f"{{o}} = {fn}({{i}}, key=len, default='')",
        (
            f"Take the {word} word, the first of them if several are as {size}; '' if there "
            "are no words.",
        ),
        (f"{{o}} = {fn}({{i}}, default='')", f"{{o}} = {fn}(reversed({{i}}), key=len, default='')"),
    )


@primitive(WORDS, COUNTS)
def tally_words(rng: random.Random):
    if rng.random() < 0.5:
        return step(
            "words.freq",
            (WORDS, COUNTS),
            "{o} = {{w: {i}.count(w) for w in {i}}}",
            ("Build a dictionary from each word to the number of times it occurs.",),
            ("{o} = {{w: len(w) for w in {i}}}",),
        )
    return step(
        "words.lengths",
        (WORDS, COUNTS),
        "{o} = {{w: len(w) for w in {i}}}",
        ("Build a dictionary from each word to its length.",),
        ("{o} = {{w: {i}.count(w) for w in {i}}}",),
    )
