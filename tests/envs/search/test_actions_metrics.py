import math

import pytest

from fbgym.envs.search.actions import CommandError, Verb, parse_command
from fbgym.envs.search.metrics import dcg, ndcg_at_k, recall_at_k


@pytest.mark.parametrize(
    ("action", "verb", "text", "docs", "exclude"),
    [
        ("search: red fox", Verb.SEARCH, "red fox", (), ()),
        ("SEARCH red fox -D1 -D2", Verb.SEARCH, "red fox", (), ("D1", "D2")),
        ("ask: Do you mean the city?", Verb.ASK, "Do you mean the city?", (), ()),
        ("answer: [D3, D1; D3] D2.", Verb.ANSWER, "", ("D3", "D1", "D2"), ()),
        ("answer:\n1 2 3", Verb.ANSWER, "", ("1", "2", "3"), ()),
        ("  stop ", Verb.STOP, "", (), ()),
    ],
)
def test_commands_parse(action, verb, text, docs, exclude):
    command = parse_command(action)
    assert (command.verb, command.text, command.docs, command.exclude) == (
        verb,
        text,
        docs,
        exclude,
    )


@pytest.mark.parametrize(
    ("action", "message"),
    [
        ("searching for cats", "expected 'search: <query>'"),
        ("answer:", "the answer names no document"),
        ("ask:", "the question is empty"),
        ("search: -D1", "the search query is empty"),
        ("what now", "got 'what now'"),
    ],
)
def test_malformed_commands_say_what_is_wrong(action, message):
    with pytest.raises(CommandError, match=message):
        parse_command(action)


def test_ndcg_uses_exponential_gain_and_log_discount():
    qrels = {"a": 2, "b": 1, "c": 2, "d": 2}
    assert dcg([2, 1]) == pytest.approx(3 + 1 / math.log2(3))
    assert ndcg_at_k(["a", "c", "d"], qrels, 3) == 1.0
    expected = (3 + 1 / math.log2(3) + 3 / 2) / (3 + 3 / math.log2(3) + 3 / 2)
    assert ndcg_at_k(["a", "b", "c"], qrels, 3) == pytest.approx(expected)
    assert ndcg_at_k(["x", "y", "z", "a"], qrels, 3) == 0.0
    assert ndcg_at_k(["a"], {}, 3) == 0.0


def test_recall_counts_relevant_documents_in_the_first_k():
    qrels = {"a": 2, "b": 1, "z": 0}
    assert recall_at_k(["a", "z", "b"], qrels, 2) == 0.5
    assert recall_at_k(["a", "z", "b"], qrels, 10) == 1.0
    assert recall_at_k(["a"], {}, 10) == 0.0
