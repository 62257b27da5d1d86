"""Evaluate agents with pytest: ``pytest --benchmark examples/`` (skipped without --benchmark)."""

import pytest

from fbgym.agents import BlindAgent, FeedbackAgent


@pytest.mark.fbgym
def test_feedback_baseline(fbgym_evaluate):
    result = fbgym_evaluate(FeedbackAgent(), "smoke", floor={"gain": 0.0})
    assert result.sr(5, "verbal") >= result.sr(5, "unary")  # richer feedback, more successes


@pytest.mark.fbgym
def test_blind_baseline(fbgym_evaluate):
    result = fbgym_evaluate(BlindAgent(), "smoke")
    assert result.sr(5) >= result.sr(1)  # more attempts never hurt
