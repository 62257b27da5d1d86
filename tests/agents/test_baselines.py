import pytest

import fbgym
from fbgym.agents import BlindAgent, FeedbackAgent, load_agent
from fbgym.errors import UnknownIdError
from fbgym.runner.metrics import success_at_k


@pytest.fixture(scope="module")
def sr5(tmp_path_factory):
    out = {}
    for agent in (FeedbackAgent(), BlindAgent()):
        df = fbgym.evaluate(
            agent, ["fbgym/Math-v0"], episodes=200, run_dir=tmp_path_factory.mktemp(agent.name)
        )
        for channel, group in df.groupby("channel"):
            out[agent.name, channel] = (
                success_at_k(group, 1).mean(),
                success_at_k(group, 5).mean(),
            )
    return out


@pytest.mark.parametrize("channel", ["verbal", "unary", "ranked"])
def test_feedback_baseline_beats_its_blind_twin(sr5, channel):
    fed, blind = sr5["feedback-baseline", channel], sr5["blind-baseline", channel]
    assert fed[0] == blind[0]  # same candidate generator: the same first answer
    assert fed[1] > blind[1] + 0.05


def test_richer_feedback_helps_more(sr5):
    verbal, ranked, unary = (sr5["feedback-baseline", c][1] for c in ("verbal", "ranked", "unary"))
    assert verbal >= ranked >= unary


def test_load_agent_by_name_and_path():
    assert isinstance(load_agent("blind-baseline"), BlindAgent)
    assert isinstance(load_agent("fbgym.agents:FeedbackAgent"), FeedbackAgent)
    with pytest.raises(UnknownIdError, match="no agent 'nope'"):
        load_agent("nope")


def test_config_hash_tells_agents_apart():
    assert FeedbackAgent().config_hash() != BlindAgent().config_hash()
    assert FeedbackAgent(seed=1).config_hash() != FeedbackAgent().config_hash()
    assert FeedbackAgent().config_hash() == FeedbackAgent().config_hash()
