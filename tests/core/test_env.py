import gymnasium as gym
import pytest

import fbgym
from fbgym.errors import FbgymError


def test_info_contract_after_reset_and_step():
    env = gym.make("fbgym/Math-v0", feedback="verbal")
    obs, info = env.reset(seed=0)
    assert set(obs) == {"instruction", "observation", "feedback"} and obs["feedback"] == ""
    assert info["turn"] == 0 and info["success"] is False and info["feedback"] is None
    assert info["problem"]["family"] == "math" and "answer" not in info["problem"]
    obs, reward, terminated, truncated, info = env.step("The answer is 99999")
    assert info["turn"] == 1 and obs["feedback"] == info["feedback"].text
    assert reward == 0.0 and env.unwrapped.history[-1].outcome.diagnosis["answer"] == "99999"


def test_truncated_at_turn_budget_and_no_step_after_the_end():
    env = gym.make("fbgym/Math-v0", feedback="unary", max_turns=2)
    env.reset(seed=0)
    assert env.step("The answer is 99999")[2:4] == (False, False)
    assert env.step("The answer is 99998")[2:4] == (False, True)
    with pytest.raises(FbgymError, match="episode is over"):
        env.unwrapped.step("again")


def test_terminated_on_success_with_reward():
    env = gym.make("fbgym/Math-v0", feedback="ranked")
    env.reset(seed=9)
    answer = env.unwrapped.problem.answer
    _, reward, terminated, truncated, info = env.step(f"\\boxed{{{answer}}}")
    assert terminated and not truncated and reward == 1.0 and info["success"]


def test_reset_index_option_overrides_seed():
    env = fbgym.make("fbgym/Math-v0")
    a = env.reset(seed=1, options={"index": 5})[0]
    b = env.reset(seed=5)[0]
    assert a["observation"] == b["observation"]


def test_render_ansi_shows_the_transcript():
    env = gym.make("fbgym/Math-v0", feedback="unary", render_mode="ansi")
    env.reset(seed=0)
    env.step("The answer is 99999")
    text = env.render()
    assert "> The answer is 99999" in text and "< Let's try again." in text


def test_bad_constructor_arguments():
    with pytest.raises(ValueError, match="max_turns"):
        gym.make("fbgym/Math-v0", max_turns=0)
    with pytest.raises(ValueError, match="unknown feedback channel 'loud'"):
        gym.make("fbgym/Math-v0", feedback="loud")
