"""The OpenAI-compatible agent offers a family's tools and plays the calls as text commands."""

import json

import gymnasium as gym

from fbgym.agents.llm.openai import OpenAIAgent
from fbgym.agents.llm.reflexion import ReflexionAgent


class FakeServer:
    """Stands in for the chat-completions client: keeps each request, answers from a script."""

    def __init__(self, messages):
        self.messages, self.bodies = list(messages), []

    def complete(self, body):
        self.bodies.append(body)
        return {"choices": [{"message": self.messages.pop(0)}]}


def tool_reply(name, arguments):
    call = {"id": "c1", "type": "function",
            "function": {"name": name, "arguments": json.dumps(arguments)}}  # fmt: skip
    return {"role": "assistant", "content": None, "tool_calls": [call]}


def agent_with(messages, tools=True):
    agent = OpenAIAgent("http://127.0.0.1:9/v1", model="m", tools=tools)
    agent.client = FakeServer(messages)
    return agent


def test_tool_calls_become_the_families_commands():
    agent = agent_with(
        [
            tool_reply("search", {"query": "golshu rivers"}),
            {"role": "assistant", "content": "answer: D000001"},
            tool_reply("fly", {}),
        ]
    )
    env = gym.make("fbgym/ConvSearch-v0", feedback="verbal")
    observation, info = env.reset(seed=0)
    actions = []
    for _ in range(3):
        actions.append(agent.act(observation, info))
        observation, *_, info = env.step(actions[-1])
    assert actions[:2] == ["search: golshu rivers", "answer: D000001"]
    assert actions[2].startswith("invalid tool call: no tool 'fly'")
    assert "not accepted" in observation["feedback"]
    body = agent.client.bodies[0]
    assert [t["function"]["name"] for t in body["tools"]] == ["search", "ask", "answer", "stop"]
    assert body["tool_choice"] == "auto" and agent.config()["tools"] is True


def test_no_tools_for_families_without_commands_or_when_off():
    math = agent_with([{"role": "assistant", "content": "The answer is 4"}])
    observation, info = gym.make("fbgym/Math-v0").reset(seed=0)
    assert math.act(observation, info) == "The answer is 4"
    assert "tools" not in math.client.bodies[0]
    off = agent_with([{"role": "assistant", "content": "stop"}], tools=False)
    observation, info = gym.make("fbgym/ConvSearch-v0").reset(seed=0)
    assert off.act(observation, info) == "stop" and "tools" not in off.client.bodies[0]


def test_an_agent_wrapping_it_asks_without_tools():
    """Reflexion writes its own prompts (reflections among them): no tools are offered."""
    inner = agent_with(
        [
            {"role": "assistant", "content": "search: golshu"},
            {"role": "assistant", "content": "I should ask which one they mean."},
            {"role": "assistant", "content": "ask: which one?"},
        ]
    )
    agent = ReflexionAgent(inner)
    env = gym.make("fbgym/ConvSearch-v0", feedback="verbal")
    observation, info = env.reset(seed=0)
    first = agent.act(observation, info)
    observation, *_, info = env.step(first)
    assert (first, agent.act(observation, info)) == ("search: golshu", "ask: which one?")
    assert len(inner.client.bodies) == 3
    assert all("tools" not in body for body in inner.client.bodies)
