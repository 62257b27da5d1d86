"""Tool calls for the command families: schemas, conversion to text commands, and bad calls."""

import json

import gymnasium as gym
import pytest

from fbgym.core.family import Family
from fbgym.registration import registry
from fbgym.wrappers import ChatEnv, Tool, ToolCallError, ToolSet, tools_for


def call(name, arguments, id=None):
    """A tool call as the OpenAI API writes it (arguments as a JSON string)."""
    return {"id": id or f"c-{name}", "type": "function",
            "function": {"name": name, "arguments": json.dumps(arguments)}}  # fmt: skip


def assistant(*calls):
    return {"role": "assistant", "content": None, "tool_calls": list(calls)}


def test_search_tool_calls_play_as_their_text_commands():
    text = [
        "search: golshu rivers -D000003",
        "ask: which river?",
        "answer: D000001, D000002",
        "stop",
    ]
    calls = [
        assistant(call("search", {"query": "golshu\nrivers", "exclude": ["D000003"]})),
        assistant(call("ask", {"question": "which river?"})),
        assistant(call("answer", {"doc_ids": ["D000001", "D000002"]})),
        assistant(call("stop", {})),
    ]
    by_tools = ChatEnv(gym.make("fbgym/ConvSearch-v0", feedback="verbal"), tools=True)
    by_text = ChatEnv(gym.make("fbgym/ConvSearch-v0", feedback="verbal"))
    _, info = by_tools.reset(seed=0)
    by_text.reset(seed=0)
    assert [t["function"]["name"] for t in info["tools"]] == ["search", "ask", "answer", "stop"]
    for message, command in zip(calls, text):
        messages, *_, step_info = by_tools.step(message)
        expected, *_ = by_text.step(command)
        assert step_info["action"] == command
        assert messages[-1] == {
            "role": "tool",
            "tool_call_id": messages[-2]["tool_calls"][0]["id"],
            "content": expected[-1]["content"],
        }


def test_robot_tool_calls_are_one_plan_per_turn():
    chat = ChatEnv(gym.make("fbgym/RobotCorrection-v0", feedback="verbal"), tools=True)
    chat.reset(seed=2)
    message = assistant(
        call("move_to", {"object": "red_block"}, "a"),
        call("move", {"direction": "left", "distance_cm": 2.5}, "b"),
        call("grasp", {}, "c"),
    )
    messages, *_, info = chat.step(message)
    assert info["action"] == "move to red_block; move left 2.5cm; grasp"
    tools = [m for m in messages if m["role"] == "tool"]
    assert [m["tool_call_id"] for m in tools] == ["a", "b", "c"]
    assert tools[0]["content"] == "Run as command 1 of 3." and tools[-1]["content"].startswith(
        "The person"
    )


@pytest.mark.parametrize(
    "family,calls,says",
    [
        ("search", [call("fly", {})], "no tool 'fly'"),
        ("search", [{"function": {"name": "ask", "arguments": "{oops"}}], "not JSON"),
        ("search", [call("ask", {"question": ""})], "question"),
        ("search", [call("ask", {"question": "x", "extra": 1})], "extra"),
        ("search", [call("answer", {"doc_ids": []})], "doc_ids"),
        ("search", [call("stop", {}), call("stop", {})], "at most 1"),
        ("search", ["not a call"], "must be an object"),
        ("search", [], "no tool call"),
        ("robot", [call("pick", {"object": "red_block; open drawer"})], "pick: object"),
        ("robot", [call("move", {"direction": "up", "distance_cm": 2})], "direction"),
        ("robot", [call("move", {"direction": "left", "distance_cm": True})], "distance_cm"),
        ("robot", [call("move", {"direction": "left", "distance_cm": -1})], "distance_cm"),
    ],
)
def test_bad_tool_calls_are_errors_that_say_why(family, calls, says):
    with pytest.raises(ToolCallError, match=says):
        tools_for(family).command(calls)
    text = tools_for(family).action(calls)
    assert text.startswith("invalid tool call: ") and ";" not in text and "\n" not in text


@pytest.mark.parametrize(
    "env_id", ["fbgym/ConvSearch-v0", "fbgym/RobotCorrection-v0", "fbgym/Math-v0"]
)
def test_a_bad_tool_call_is_a_failed_attempt_with_its_reason(env_id):
    chat = ChatEnv(gym.make(env_id, feedback="verbal"), tools=True)
    chat.reset(seed=0)
    messages, reward, *_, info = chat.step(assistant(call("fly", {"to": "moon"})))
    assert reward == 0 and not info["success"] and "not accepted" in messages[-1]["content"]
    if env_id != "fbgym/Math-v0":  # command families quote what they could not parse
        assert "invalid tool call: no tool 'fly'" in messages[-1]["content"]


def test_families_without_commands_have_no_tools():
    assert tools_for("math") is None and tools_for("code") is None
    _, info = ChatEnv(gym.make("fbgym/Math-v0"), tools=True).reset(seed=0)
    assert info["tools"] is None


def test_a_plugin_family_declares_its_tools(tmp_path, monkeypatch):
    package = tmp_path / "riddlelab"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "tools.py").write_text(
        "from fbgym.core.tools import Tool, ToolSet\n"
        "TOOLS = ToolSet('riddles', (Tool('guess', 'Guess.', {'type': 'object', "
        "'properties': {'word': {'type': 'string'}}, 'required': ['word']}, "
        "lambda a: 'guess: ' + a['word']),))\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    family = Family(
        "riddles", "riddlelab.env:RiddleEnv", {"lab/Riddles-v0": {}}, tools="riddlelab.tools:TOOLS"
    )
    registry.register_family(family)
    try:
        assert tools_for("riddles").command(call("guess", {"word": "egg"})) == "guess: egg"
    finally:
        registry.unregister("lab/Riddles-v0")
    assert tools_for("riddles") is None  # gone with its family


def test_tool_sets_are_checked_when_declared():
    good = Tool("t", "T.", {"type": "object"}, lambda a: "t")
    with pytest.raises(ValueError, match="distinct names"):
        ToolSet("x", (good, good))
    with pytest.raises(ValueError, match="object schema"):
        Tool("t", "T.", {"type": "string"}, lambda a: "t")
    with pytest.raises(ValueError, match="invalid parameters schema"):
        Tool("t", "T.", {"type": "object", "properties": {"a": {"type": "nope"}}}, lambda a: "t")
    with pytest.raises(ValueError, match="tool name"):
        Tool("has space", "T.", {"type": "object"}, lambda a: "t")
