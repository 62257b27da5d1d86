"""Bradley–Terry and Plackett–Luce annotators match their choice probabilities; pools are seeded."""

from __future__ import annotations

import math
import random

import pytest

from fbgym.errors import ConfigError
from fbgym.simulators.annotators import Annotator, AnnotatorPool, Item

from .test_fidelity import within_3_sigma

N = 4000


def test_pairwise_preferences_follow_bradley_terry():
    annotator = Annotator(rationality=4.0)
    a, b = Item("a", 0.7), Item("b", 0.5)
    p = 1 / (1 + math.exp(-4.0 * 0.2))
    assert annotator.prefer_probability(a, b) == pytest.approx(p)
    rng = random.Random(1)
    wins = sum(annotator.rank([a, b], rng).ranking[0] == ("a",) for _ in range(N))
    assert within_3_sigma(wins, N, p)


def test_listwise_first_choices_follow_plackett_luce():
    annotator = Annotator(rationality=3.0)
    items = [Item(k, u) for k, u in ((1, 0.1), (2, 0.5), (3, 0.9))]
    weights = [math.exp(3.0 * it.utility) for it in items]
    rng = random.Random(2)
    firsts = [annotator.rank(items, rng).ranking[0][0] for _ in range(N)]
    for it, w in zip(items, weights):
        assert within_3_sigma(firsts.count(it.key), N, w / sum(weights))


def test_label_flips_match_the_configured_rate():
    annotator = Annotator(rationality=1e6, flip=0.25)
    rng = random.Random(3)
    judged = [annotator.rank([Item(1, 0.9), Item(2, 0.1)], rng) for _ in range(N)]
    flips = sum(j.flipped for j in judged)
    assert within_3_sigma(flips, N, 0.25)
    assert all((j.ranking[0] == (2,)) == j.flipped for j in judged)


def test_length_and_position_biases_shift_judgments():
    long, short = Item(1, 0.5, words=300), Item(2, 0.5, words=10)
    assert Annotator(length_bias=0.1).prefer_probability(long, short) > 0.5
    assert Annotator(length_bias=-0.1).prefer_probability(long, short) < 0.5
    tie_a, tie_b = Item(1, 0.5), Item(2, 0.5)
    assert Annotator(position_bias=0.1).prefer_probability(tie_a, tie_b) > 0.5
    assert Annotator().prefer_probability(long, Item(2, 0.5)) == 0.5  # unknown length: no bias


def test_pools_are_seeded_and_draw_annotators_evenly():
    pool = AnnotatorPool.sample(13, bias_sd=0.1, seed=7)
    again = AnnotatorPool.sample(13, bias_sd=0.1, seed=7)
    other = AnnotatorPool.sample(13, bias_sd=0.1, seed=8)
    assert pool.annotators == again.annotators != other.annotators
    assert len({a.length_bias for a in pool.annotators}) == 13
    rng = random.Random(4)
    drawn = [pool.prefer(Item(1, 0.2), Item(2, 0.8), rng).annotator for _ in range(13 * 300)]
    assert all(within_3_sigma(drawn.count(i), len(drawn), 1 / 13) for i in range(13))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"rationality": 0}, "rationality must be > 0"),
        ({"flip": 1.5}, "flip must be a probability"),
        ({"length_bias": math.inf}, "length_bias must be finite"),
    ],
)
def test_bad_annotator_settings_are_rejected(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        Annotator(**kwargs)
    with pytest.raises(ConfigError, match="size >= 1"):
        AnnotatorPool.sample(0)
