"""Primitives on strings: edits, splits into words, counts and tallies of characters."""

from __future__ import annotations

import random

from fbgym.envs.code.composed.steps import (
    COUNTS,
    INT,
    TEXT,
    WORDS,
    exact,
    letter,
    primitive,
    step,
)

EDIT = (TEXT, TEXT)


@primitive(TEXT, TEXT)
def change_case(rng: random.Random):
    up = rng.random() < 0.5
    fn, other, case = ("upper", "lower", "upper") if up else ("lower", "upper", "lower")
    return step(
        f"text.{fn}",
        EDIT,
        f"{{o}} = {{i}}.{fn}()",
        (f"Convert the text to {case} case.",),
        ("{o} = {i}.swapcase()", f"{{o}} = {{i}}.{other}()"),
    )


@primitive(TEXT, TEXT)
def replace_letter(rng: random.Random):
    a = letter(rng)
    if rng.random() < 0.4:
        return step(
            "text.remove",
            EDIT,
            f"{{o}} = {{i}}.replace({a!r}, '')",
            (f"Remove every {a!r} from the text (an upper-case {a.upper()!r} stays).",),
            (
                f"{{o}} = {{i}}.replace({a!r}, '', 1)",
                f"{{o}} = {{i}}.replace({a!r}, '').replace({a.upper()!r}, '')",
            ),
            chars=(a,),
        )
    b = letter(rng, a)
    if rng.random() < 0.5:
        return step(
            "text.double",
            EDIT,
            f"{{o}} = {{i}}.replace({a!r}, {a * 2!r})",
            (f"Double every {a!r} in the text: each becomes {a * 2!r} {exact(a)}.",),
            (f"{{o}} = {{i}}.replace({a!r}, {a * 2!r}, 1)",),
            chars=(a,),
        )
    return step(
        "text.replace",
        EDIT,
        f"{{o}} = {{i}}.replace({a!r}, {b!r})",
        (
            f"Replace every {a!r} in the text by {b!r} {exact(a)}.",
            f"Change each {a!r} of the text into a {b!r} {exact(a)}.",
        ),
        (f"{{o}} = {{i}}.replace({b!r}, {a!r})", f"{{o}} = {{i}}.replace({a!r}, {b!r}, 1)"),
        chars=(a, b),
    )


@primitive(TEXT, TEXT)
def rearrange(rng: random.Random):
    form = rng.choice(("reverse", "rotate", "prefix"))
    if form == "reverse":
        return step(
            "text.reverse",
            EDIT,
            "{o} = {i}[::-1]",
            ("Reverse the text, character by character.",),
            ("{o} = ' '.join({i}.split(' ')[::-1])",),
        )
    k = rng.randint(1, 3)
    if form == "rotate":
        return step(
            "text.rotate",
            EDIT,
            f"{{o}} = {{i}}[{k}:] + {{i}}[:{k}] if len({{i}}) >= {k} else {{i}}",
            (
                f"Move the first {k} characters of the text to its end (a text shorter than "
                f"{k} characters stays as it is).",
            ),
            (f"{{o}} = {{i}}[-{k}:] + {{i}}[:-{k}] if len({{i}}) >= {k} else {{i}}",),
            constants=(k,),
        )
    return step(
        "text.prefix",
        EDIT,
        f"{{o}} = {{i}}[:{k + 2}]",
        (f"Keep only the first {k + 2} characters of the text (all of it if it is shorter).",),
        (f"{{o}} = {{i}}[-{k + 2}:]", f"{{o}} = {{i}}[{k + 2}:]"),
        constants=(k + 2,),
    )


@primitive(TEXT, TEXT)
def clean(rng: random.Random):
    form = rng.choice(("vowels", "runs", "strip"))
    if form == "vowels":
        return step(
            "text.no_vowels",
            EDIT,
            "{o} = ''.join(ch for ch in {i} if ch.lower() not in 'aeiou')",
            ("Remove the vowels (a, e, i, o and u, in either case) from the text.",),
            ("{o} = ''.join(ch for ch in {i} if ch not in 'aeiou')",),
        )
    if form == "runs":
        return step(
            "text.squeeze",
            EDIT,
            "{o} = ''.join(ch for j, ch in enumerate({i}) if j == 0 or ch != {i}[j - 1])",
            (
                "Shorten every run of one character repeated to a single copy of it ('aab  b' "
                "becomes 'ab b').",
            ),
            ("{o} = ''.join(dict.fromkeys({i}))",),
        )
    return step(
        "text.strip",
        EDIT,
        "{o} = {i}.strip(' ')",
        ("Remove the spaces at the start and at the end of the text.",),
        ("{o} = {i}.replace(' ', '')", "{o} = {i}.lstrip(' ')"),
    )


@primitive(TEXT, WORDS)
def split(rng: random.Random):
    if rng.random() < 0.6:
        return step(
            "text.words",
            (TEXT, WORDS),
            "{o} = {i}.split()",
            (
                "Split the text into words: the maximal runs of characters other than spaces.",
                "Cut the text into its words (a word is a maximal run of non-space characters).",
            ),
            ("{o} = {i}.split(' ')",),
        )
    a = letter(rng)
    return step(
        "text.split_on",
        (TEXT, WORDS),
        f"{{o}} = {{i}}.split({a!r})",
        (
            f"Cut the text at every {a!r} (which is dropped) into pieces; pieces may be empty; "
            f"{exact(a)[1:-1]}.",
        ),
        (f"{{o}} = [p for p in {{i}}.split({a!r}) if p]", "{o} = {i}.split()"),
        chars=(a,),
    )


@primitive(TEXT, INT)
def measure(rng: random.Random):
    form = rng.choice(("letter", "length", "vowels", "upper", "words"))
    a = letter(rng)
    forms = {
        "letter": (
            f"{{o}} = {{i}}.count({a!r})",
            f"Count the {a!r} characters in the text (an upper-case {a.upper()!r} does not count).",
            f"{{o}} = {{i}}.lower().count({a!r})",
        ),
        "length": (
            "{o} = len({i})",
            "Take the length of the text, spaces included.",
            "{o} = len({i}.replace(' ', ''))",
        ),
        "vowels": (
            "{o} = sum(1 for ch in {i} if ch.lower() in 'aeiou')",
            "Count the vowels (a, e, i, o and u, in either case) in the text.",
            "{o} = sum(1 for ch in {i} if ch in 'aeiou')",
        ),
        "upper": (
            "{o} = sum(1 for ch in {i} if ch.isupper())",
            "Count the upper-case letters in the text.",
            "{o} = sum(1 for ch in {i} if ch.islower())",
        ),
        "words": (
            "{o} = len({i}.split())",
            "Count the words of the text (maximal runs of characters other than spaces).",
            "{o} = {i}.count(' ') + 1",
        ),
    }
    code, clause, wrong = forms[form]
    chars = (a,) if form == "letter" else ()
    return step(f"text.count.{form}", (TEXT, INT), code, clause, (wrong,), chars=chars)


@primitive(TEXT, COUNTS)
def tally_text(rng: random.Random):
    if rng.random() < 0.5:
        return step(
            "text.char_counts",
            (TEXT, COUNTS),
            "{o} = {{ch: {i}.count(ch) for ch in {i} if ch != ' '}}",
            (
                "Build a dictionary from each character of the text other than the space to "
                "the number of times it occurs.",
            ),
            (
                "{o} = {{ch: {i}.count(ch) for ch in {i}}}",
                "{o} = {{ch: 1 for ch in {i} if ch != ' '}}",
            ),
        )
    return step(
        "text.word_counts",
        (TEXT, COUNTS),
        "{o} = {{w: {i}.split().count(w) for w in {i}.split()}}",
        (
            "Build a dictionary from each word of the text (maximal runs of characters other "
            "than spaces) to the number of times it occurs.",
        ),
        ("{o} = {{w: {i}.split(' ').count(w) for w in {i}.split(' ')}}",),
    )
