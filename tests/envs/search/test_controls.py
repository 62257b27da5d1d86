"""Control agents stay far below the ceiling: asking alone does not find what the user needs."""

import pytest

from .conftest import make, make_v1
from .controls import AskOnlySearcher, YesNoProber

CEILING = 0.2
MARGIN = 0.05
"""The control agents' SR@1 on the default settings must stay below ``CEILING``; with fewer
episodes than the suite plays, the tests ask for ``CEILING - MARGIN``."""


def first_answer_success(agent, env, episodes):
    """The share of episodes whose first answer succeeds (the controls answer once)."""
    wins = 0
    for seed in range(episodes):
        obs, info = env.reset(seed=seed)
        agent.reset(obs["instruction"], seed=seed)
        while True:
            action = agent.act(obs, info)
            obs, _, terminated, truncated, info = env.step(action)
            if terminated or truncated or action.startswith("answer"):
                break
        wins += info["success"]
    return wins / episodes


@pytest.mark.parametrize("channel", ["verbal", "unary", "ranked"])
def test_ask_only_searcher_stays_below_the_ceiling(channel):
    assert first_answer_success(AskOnlySearcher(), make_v1(channel), 100) <= CEILING - MARGIN


def test_ask_only_searcher_gains_nothing_from_a_user_who_never_tires():
    env = make_v1(patience=None, max_turns=40)
    assert first_answer_success(AskOnlySearcher(), env, 100) <= CEILING - MARGIN


def test_yes_no_prober_stays_below_the_ceiling():
    assert first_answer_success(YesNoProber(), make_v1(), 100) <= CEILING - MARGIN


def test_v0_falls_to_the_ask_only_searcher():
    """What v1 fixes: v0's user recites its facet's words to anyone who asks four times."""
    assert first_answer_success(AskOnlySearcher(max_questions=4), make(), 20) >= 0.9
