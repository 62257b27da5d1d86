import gymnasium as gym
import pytest

import fbgym  # noqa: F401
from fbgym.agents.llm.reflexion import REFLECT, ReflexionAgent, clean_reflection
from fbgym.errors import ConfigError


def model_reply(messages):
    """A scripted model: reflects when asked, else answers with a number."""
    last = messages[-1]["content"]
    if REFLECT in last:
        turn = sum(m["role"] == "assistant" for m in messages)
        return f"Reflection {turn}: I should re-check\n the arithmetic."
    return "The answer is 1"


def play(agent, env, seed):
    obs, info = env.reset(seed=seed)
    done = False
    while not done:
        obs, _, term, trunc, info = env.step(agent.act(obs, info))
        done = term or trunc
    agent.end_episode(obs, info)


def test_reflects_after_each_failed_attempt_and_shows_reflections(scripted):
    model = scripted(model_reply)
    agent = ReflexionAgent(model, memory_size=2)
    env = gym.make("fbgym/Math-v0", feedback="verbal", max_turns=3)
    play(agent, env, seed=0)
    asks = [r for r in model.requests if REFLECT not in r[-1]["content"]]
    reflections = [r for r in model.requests if REFLECT in r[-1]["content"]]
    assert len(asks) == 3 and len(reflections) == 3  # after turns 1, 2 and (at the end) 3
    assert model.batches == [1, 1, 1, 1, 1, 1]
    assert (
        "Your reflections so far:\n- Reflection 1: I should re-check the arithmetic."
        in (asks[1][-1]["content"])
    )
    assert "Reflection 2" in asks[2][-1]["content"]
    assert "Feedback on your answer:" in reflections[0][-1]["content"]


def test_memory_carries_lessons_to_later_episodes(scripted):
    model = scripted(model_reply)
    agent = ReflexionAgent(model, memory_size=2)
    env = gym.make("fbgym/Math-v0", feedback="unary", max_turns=2)
    play(agent, env, seed=0)
    assert "Lessons" not in model.requests[0][0]["content"]
    played = len(model.requests)
    play(agent, env, seed=1)
    system = model.requests[played][0]["content"]
    assert system.endswith(
        "Lessons from earlier problems:\n- Reflection 1: I should re-check "
        "the arithmetic.\n- Reflection 2: I should re-check the arithmetic."
    )
    assert len(agent.lessons("math")) == 2  # bounded by memory_size
    second = env.unwrapped.problem_id
    assert [key[0] for key, _ in agent.memory["", "math"]] == [second, second]  # the newest
    agent.new_stream()
    assert agent.lessons("math") == []


def test_without_memory_lessons_stay_within_the_episode(scripted):
    model = scripted(model_reply)
    agent = ReflexionAgent(model, remember=False)
    env = gym.make("fbgym/Math-v0", feedback="unary", max_turns=2)
    play(agent, env, seed=0)
    play(agent, env, seed=1)
    assert all("Lessons" not in r[0]["content"] for r in model.requests)
    assert agent.memory == {}


def test_memory_is_kept_per_stream(scripted):
    model = scripted(model_reply)
    agent = ReflexionAgent(model)
    env = gym.make("fbgym/Math-v0", feedback="unary", max_turns=2)
    obs, info = env.reset(seed=0)
    info = {**info, "stream": 0}
    obs, _, _, _, info2 = env.step(agent.act(obs, info))
    agent.act(obs, {**info2, "stream": 0})
    assert agent.lessons("math", "0") and not agent.lessons("math", "1")


def test_batched_reflexion_with_a_tiny_model(tiny_llama):
    pytest.importorskip("torch")
    from fbgym.agents.llm.hf import HFAgent

    agent = ReflexionAgent(HFAgent(tiny_llama, device="cpu", max_new_tokens=6))
    envs = [gym.make("fbgym/Math-v0", feedback=c, max_turns=2) for c in ("verbal", "unary")]
    steps = [env.reset(seed=2) for env in envs]
    for _ in range(2):
        actions = agent.act_batch([o for o, _ in steps], [i for _, i in steps])
        steps = [env.step(a)[::4] for env, a in zip(envs, actions)]
    assert all(len(agent.episode(i).notes) == 1 for _, i in steps)


def test_clean_reflection_and_validation(scripted):
    assert clean_reflection("a. " * 300, limit=50).endswith(".")
    assert len(clean_reflection("x" * 500, limit=50)) == 51
    with pytest.raises(ConfigError, match="must be an LLMAgent"):
        ReflexionAgent(object())
    with pytest.raises(ConfigError, match="memory_size"):
        ReflexionAgent(scripted(model_reply), memory_size=-1)
