"""Math-v1 generators: sound, exact, as long as their level says, and read as they are worked."""

import random
import re
from fractions import Fraction

import pytest

from fbgym.envs.math.multistep import GENERATORS, LEVELS, LINE, OPERATIONS
from fbgym.envs.math.multistep.algebra import equation, think_of_a_number
from fbgym.envs.math.multistep.draft import set_in_lines
from fbgym.envs.math.multistep.fractions import fraction_sum, remaining
from fbgym.envs.math.program import (
    Step,
    compile_expr,
    evaluate,
    mistaken_paths,
    operations,
)

SEEDS = range(15)


def values_of(node, refs):
    """Every operation's value in a step's tree, innermost first, and the step's value."""
    kind = node[0]
    if kind == "num":
        return [], Fraction(node[1])
    if kind == "ref":
        return [], Fraction(refs[node[1] - 1])
    if kind == "neg":
        inner, value = values_of(node[1], refs)
        return inner, -value
    left, a = values_of(node[2], refs)
    right, b = values_of(node[3], refs)
    op = node[1]
    value = a + b if op == "+" else a - b if op == "-" else a * b if op == "*" else a / b
    return [*left, *right, value], value


def all_values(steps):
    """The value of every operation of every step."""
    refs, out = [], []
    for step in steps:
        inner, value = values_of(compile_expr(step.expr), refs)
        out += inner
        refs.append(value)
    return out


@pytest.mark.parametrize("kind", sorted(GENERATORS))
@pytest.mark.parametrize("level", LEVELS)
def test_problems_are_as_long_as_their_level(kind, level):
    low, high = OPERATIONS[level]
    for seed in SEEDS:
        item = GENERATORS[kind](random.Random(seed), level)
        assert low <= operations(item.steps) <= high, item.question
        assert evaluate(item.steps) is not None
        for k in range(1, len(item.steps)):  # every step feeds a later one
            later = " ".join(s.expr for s in item.steps[k:])
            assert re.search(rf"\bs{k}\b", later), item.steps
        if LINE[level] is None:
            assert len(item.steps) <= 3, item.steps  # one line, but for steps used twice


@pytest.mark.parametrize("level", LEVELS)
def test_stories_count_in_positive_whole_numbers(level):
    """No negative change, no negative counts, no division that does not come out."""
    makers = [GENERATORS["word"], GENERATORS["arithmetic"], remaining, think_of_a_number]
    for make in makers:
        for seed in SEEDS:
            item = make(random.Random(seed), level)
            if item is None:
                continue
            for value in all_values(item.steps):
                assert value > 0 and value.denominator == 1, (item.question, item.steps)


def test_arithmetic_reads_as_it_is_worked():
    """The printed expression parses to the worked solution's tree: the same value, and the
    same wrong answers from each slip (so a slip named in feedback is one in the text)."""
    for level in LEVELS:
        for seed in SEEDS:
            item = GENERATORS["arithmetic"](random.Random(seed), level)
            printed = (Step(item.question.removeprefix("Compute ").rstrip("."), "all"),)
            assert evaluate(printed) == evaluate(item.steps)[-1:]
            assert _slip_answers(printed) == _slip_answers(item.steps)


def test_fraction_sums_read_as_they_are_worked():
    for level in LEVELS:
        for seed in SEEDS:
            item = fraction_sum(random.Random(seed), level)
            if item is None:
                continue
            text = item.question.removeprefix("Compute ").split(". Give")[0]
            printed = (Step(re.sub(r"(\d+)/(\d+)", r"(\1 / \2)", text), "all"),)
            assert evaluate(printed) == evaluate(item.steps)[-1:]
            assert _slip_answers(printed) == _slip_answers(item.steps)


def _slip_answers(steps):
    kinds = {"swap_op", "reverse", "skip"}
    return {v[-1] for m, v in mistaken_paths(steps).items() if m.kind in kinds} | {
        evaluate(steps)[-1]
    }


def test_equations_are_solved_by_their_answer():
    for level in LEVELS:
        for seed in SEEDS:
            item = equation(random.Random(seed), level)
            if item is None:
                continue
            x = evaluate(item.steps)[-1]
            assert x.denominator == 1
            sides = item.question.removeprefix("Solve for x: ").rstrip(".").split(" = ")
            assert len(sides) == 2
            left, right = (_substitute(side, int(x)) for side in sides)
            assert evaluate((Step(left, "l"),)) == evaluate((Step(right, "r"),)), item.question


def _substitute(side, x):
    side = re.sub(r"(\d)x", r"\1 * x", side)
    side = re.sub(r"(\d)\(", r"\1 * (", side)
    return side.replace("x", f"({x})")


def test_numbers_thought_of_give_the_stated_result():
    verbs = {"adds": "+", "subtracts": "-", "multiplies by": "*", "divides by": "/"}
    for level in LEVELS:
        for seed in SEEDS:
            item = think_of_a_number(random.Random(seed), level)
            value = evaluate(item.steps)[-1]
            chain = re.findall(r"(adds|subtracts|multiplies by|divides by) (\d+)", item.question)
            assert len(chain) == operations(item.steps)
            for verb, k in chain:
                value = evaluate((Step(f"{value} {verbs[verb]} {k}", ""),))[-1]
                assert value > 0 and Fraction(value).denominator == 1
            assert f"ends with {value}." in item.question


def test_lines_gather_steps_used_once_up_to_the_length():
    steps = (
        Step("3 * 4", "pens"),
        Step("2 * 5", "mugs"),
        Step("s1 + s2", "bill"),
        Step("s3 * 10 / 100", "tax"),
        Step("s3 + s4", "total"),
    )
    assert set_in_lines(steps, None) == (
        Step("(3 * 4) + (2 * 5)", "bill"),
        Step("s1 + (s1 * 10 / 100)", "total"),
    )
    assert set_in_lines(steps, 1) == steps
    assert len(set_in_lines(steps, 2)) == 4
    for line in (1, 2, 3, None):
        assert evaluate(set_in_lines(steps, line))[-1] == evaluate(steps)[-1]
        assert operations(set_in_lines(steps, line)) == operations(steps)
