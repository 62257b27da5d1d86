"""ChatEnv: episodes as chat messages, rendered exactly as the LLM agents render them."""

import copy

import gymnasium as gym
import pytest

from fbgym.agents.llm.base import LLMAgent
from fbgym.wrappers import ChatEnv, ChatMessages

REPLIES = {
    "fbgym/Math-v0": ["Let me see.\nThe answer is 3", "The answer is 4", "The answer is 5"],
    "fbgym/Code-v0": ["```python\ndef f(x):\n    return x\n```", "def f(x): return 0", "no"],
    "fbgym/ConvSearch-v0": ["Search: golshu rivers", "ask: which one?", "answer: D000001"],
    "fbgym/RobotCorrection-v0": ["1. pick red_block\n2. place blue_bowl", "grasp", "release"],
}


class Scripted(LLMAgent):
    """An LLM agent whose model replies from a script and keeps every prompt it was given."""

    def __init__(self, replies):
        super().__init__(max_history=50)
        self.replies, self.prompts = list(replies), []

    def generate(self, conversations, seeds):
        self.prompts.append(copy.deepcopy(conversations[0]))
        return [self.replies.pop(0)]


@pytest.mark.parametrize("env_id", sorted(REPLIES))
@pytest.mark.parametrize("channel", ["verbal", "ranked"])
def test_chat_messages_are_the_llm_agents_prompts(env_id, channel):
    agent = Scripted(REPLIES[env_id])
    plain = gym.make(env_id, feedback=channel)
    chat = ChatEnv(gym.make(env_id, feedback=channel))
    observation, info = plain.reset(seed=4)
    messages, _ = chat.reset(seed=4)
    for reply in REPLIES[env_id]:
        action = agent.act(observation, info)
        assert agent.prompts[-1] == messages
        assert chat.observation_space.contains(messages)
        observation, _, terminated, truncated, info = plain.step(action)
        messages, _, done, cut, chat_info = chat.step(reply)
        assert chat_info["action"] == action and (done, cut) == (terminated, truncated)
        if terminated or truncated:
            break
    assert messages[0]["role"] == "system" and messages[-1]["role"] == "user"
    assert [m["role"] for m in messages[2::2]] == ["assistant"] * ((len(messages) - 2) // 2)


def test_assistant_messages_and_odd_actions_never_raise():
    chat = ChatEnv(gym.make("fbgym/Math-v0", feedback="verbal"))
    chat.reset(seed=1)
    messages, *_, info = chat.step({"role": "assistant", "content": "The answer is 2"})
    assert info["action"] == "The answer is 2"
    for odd in (42, None, {"role": "assistant"}, ["The answer is 2"]):
        messages, reward, terminated, truncated, info = chat.step(odd)
        assert reward == 0 and "not accepted" in messages[-1]["content"]
        if terminated or truncated:
            break
    assert ChatMessages().contains(messages) and not ChatMessages().contains([{"role": "x"}])


def test_step_before_reset_is_an_error():
    with pytest.raises(ValueError, match="reset"):
        ChatEnv(gym.make("fbgym/Math-v0")).step("The answer is 1")
