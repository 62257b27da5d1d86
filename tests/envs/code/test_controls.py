"""Cheaters score on Code-v0 and not on Code-v1: template matching and lookup tables.

Each control first shows it works (it beats Code-v0, where the exploit was open), then that
Code-v1 closes the exploit: at most 0.2 SR@1 on the default settings, with a margin here.
"""

import pytest

from tests.envs.code.controls import LookupTable, TemplateMatcher, catalogue, success_rates

SEEDS = range(40)


@pytest.fixture(scope="module")
def v1_train_catalogue():
    return catalogue("fbgym/Code-v1", "train", 0, 200)


def test_template_matcher_solves_code_v0():
    matcher = TemplateMatcher(catalogue("fbgym/Code-v0", "train", 0, 120))
    first, _ = success_rates(matcher, "fbgym/Code-v0", "verbal", SEEDS)
    assert first >= 0.9


def test_template_matcher_with_a_train_catalogue_fails_code_v1(v1_train_catalogue):
    first, within = success_rates(
        TemplateMatcher(v1_train_catalogue), "fbgym/Code-v1", "verbal", SEEDS
    )
    assert first <= 0.1 and within <= 0.1


def test_template_matcher_with_another_seeds_test_problems_fails_code_v1():
    matcher = TemplateMatcher(catalogue("fbgym/Code-v1", "test", 1, 200))
    first, _ = success_rates(matcher, "fbgym/Code-v1", "verbal", SEEDS)
    assert first <= 0.1


def test_lookup_table_of_feedback_facts_passes_code_v0_given_turns():
    _, within = success_rates(LookupTable(), "fbgym/Code-v0", "verbal", SEEDS, max_turns=12)
    assert within >= 0.8


@pytest.mark.parametrize("channel", ["verbal", "unary", "ranked"])
def test_lookup_table_fails_code_v1(channel):
    first, within = success_rates(LookupTable(), "fbgym/Code-v1", channel, SEEDS[:20])
    assert first <= 0.1 and within <= 0.1


def test_lookup_table_learns_nothing_from_code_v1_feedback_even_with_many_turns():
    _, within = success_rates(LookupTable(), "fbgym/Code-v1", "verbal", SEEDS[:20], max_turns=12)
    assert within == 0.0
