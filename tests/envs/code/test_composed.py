"""Composed problems: deterministic, varied, split by skeleton, with tests that catch misreadings."""

import copy
import itertools

import pytest

from fbgym.core.seeding import make_random
from fbgym.envs.code.composed import KINDS, LEVEL, LEVELS, SPLITS, compose, split_of
from fbgym.envs.code.composed.run import behaviour, function
from fbgym.envs.code.composed.steps import PRIMITIVES, SKIP
from fbgym.errors import ConfigError


def draw(level, index, split="test", kind=None, drafts=6):
    rng = make_random("composed-test", split, level, index)
    kind = kind or KINDS[index % len(KINDS)]
    return compose(rng, kind, level, split, drafts=drafts)


@pytest.fixture(scope="module")
def problems():
    return {level: [draw(level, i) for i in range(24)] for level in LEVELS}


def test_same_draw_gives_the_same_problem():
    a, b = draw(3, 5), draw(3, 5)
    assert (a.description, a.reference, a.tests, a.drafts) == (
        b.description,
        b.reference,
        b.tests,
        b.drafts,
    )
    assert a.reference != draw(3, 6).reference


def test_levels_set_steps_and_at_least_ten_hidden_tests(problems):
    for level, items in problems.items():
        for item in items:
            assert len(item.pipeline.steps) == LEVEL[level].steps
            assert len(item.tests) >= max(10, LEVEL[level].tests)


def test_the_reference_passes_its_tests_and_inputs_are_not_changed(problems):
    for item in itertools.chain(*problems.values()):
        fn = function(item.reference, item.pipeline.entry)
        for test in item.tests:
            before = copy.deepcopy(test.args)
            assert fn(*test.args) == test.expected
            assert test.args == before


def test_every_misreading_of_a_step_fails_a_test(problems):
    caught = 0
    for item in itertools.chain(*problems.values()):
        pipeline = item.pipeline
        for index, step in enumerate(pipeline.steps):
            for wrong in step.misreadings:
                codes = [s.code for s in pipeline.steps]
                codes[index] = wrong
                fn = function(pipeline.program(codes), pipeline.entry)
                right = function(item.reference, pipeline.entry)
                differs = any(
                    behaviour(fn, t.args[0]) != behaviour(right, t.args[0]) for t in item.tests
                )
                if wrong in item.pipeline.steps[index].misreadings and differs:
                    caught += 1
                elif wrong == SKIP:
                    pytest.fail(f"step {step.key} of {pipeline.skeleton} does nothing on the tests")
    assert caught > 0


def test_wrong_drafts_fail_a_test_and_right_drafts_are_the_reference(problems):
    wrong = failing = 0
    for item in itertools.chain(*problems.values()):
        assert len(set(item.drafts)) == len(item.drafts) <= 6
        right = function(item.reference, item.pipeline.entry)
        for draft in item.drafts:
            if draft == item.reference:
                continue
            wrong += 1
            fn = function(draft, item.pipeline.entry)
            failing += any(
                behaviour(fn, t.args[0]) != behaviour(right, t.args[0]) for t in item.tests
            )
    assert failing >= 0.97 * wrong


def test_the_longer_the_specification_the_rarer_a_right_draft(problems):
    def right(level):
        return sum(item.reference in item.drafts for item in problems[level]) / len(problems[level])

    assert right(1) >= 0.85 and right(6) <= 0.5 and right(1) > right(3) > right(6)


def test_at_most_two_examples_both_plain_hidden_tests(problems):
    for item in itertools.chain(*problems.values()):
        assert [t.note for t in item.tests[:2]] == ["", ""]
        assert any(t.note for t in item.tests)  # edge cases are among the hidden tests


def test_splits_share_no_skeleton():
    seen = {split: {draw(2, i, split).pipeline.skeleton for i in range(40)} for split in SPLITS}
    assert all(split_of(s) == split for split, skeletons in seen.items() for s in skeletons)
    for a, b in itertools.combinations(SPLITS, 2):
        assert not seen[a] & seen[b]


def test_hundreds_of_distinct_functions():
    references = {draw(3, i).reference for i in range(120)}
    assert len(references) >= 118


def test_unknown_split_is_refused_with_the_known_ones():
    with pytest.raises(ConfigError, match="splits \\['test', 'train'\\], got 'dev'"):
        compose(make_random(0), "list", 1, "dev", drafts=6)


def test_every_primitive_is_used_and_describes_itself():
    seen = {}
    for index in range(400):
        rng = make_random("primitive-walk", index)
        for primitive in PRIMITIVES:
            step = primitive.draw(rng)
            seen.setdefault(primitive.name, step)
            assert step.clauses and all(c.endswith(".") and c[0].isupper() for c in step.clauses)
            assert step.code not in step.misreadings
    assert set(seen) == {p.name for p in PRIMITIVES}


def test_no_answer_is_expected_by_most_tests(problems):
    for item in itertools.chain(*problems.values()):
        counts = {}
        for test in item.tests:
            counts[repr(test.expected)] = counts.get(repr(test.expected), 0) + 1
        assert max(counts.values()) <= 0.6 * len(item.tests), item.reference
