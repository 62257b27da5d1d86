import json

import pytest

from fbgym.core.types import Channel, Feedback, FeedbackKind, FeedbackPart, Outcome


def test_feedback_json_round_trip():
    fb = Feedback(
        Channel.RANKED,
        "attempt 2 > attempt 1",
        parts=(FeedbackPart(FeedbackKind.STEP, "x"),),
        ranking=((2,), (1, 3)),
        value=0.5,
        end=True,
        meta={"step": 2},
    )
    assert Feedback.from_json(fb.to_json()) == fb
    assert json.loads(fb.to_json())["ranking"] == [[2], [1, 3]]
    assert fb.kinds == (FeedbackKind.STEP,)


def test_outcome_validates_score_and_defaults_utility():
    assert Outcome(False, 0.25).utility == 0.25
    with pytest.raises(ValueError, match=r"in \[0, 1\]"):
        Outcome(True, 1.5)
    with pytest.raises(ValueError, match="finite"):
        Outcome(False, 0.0, utility=float("nan"))
    bad = Outcome.invalid("the action is empty")
    assert not bad.valid and not bad.success and bad.message == "the action is empty"
    assert Outcome.from_dict(json.loads(json.dumps(bad.to_dict()))) == bad


def test_channel_parse_lists_valid_names():
    assert Channel.parse("unary") is Channel.UNARY
    with pytest.raises(ValueError, match="verbal, unary, ranked, scalar"):
        Channel.parse("shouting")
