import subprocess
import sys

import gymnasium as gym
import pytest

import fbgym  # noqa: F401
from fbgym.agents.llm.prompts import PromptTemplate, prompt_for
from fbgym.core.prompt import DEFAULT_TEMPLATE
from fbgym.envs.robot.prompt import extract_robot_commands
from fbgym.envs.search.prompt import extract_search_command
from fbgym.errors import ConfigError


def math_env(channel="verbal"):
    return gym.make("fbgym/Math-v0", feedback=channel)


def test_search_and_robot_extraction():
    assert extract_search_command("I think\n- ANSWER: d3, d7\nsearch: x") == "answer: d3, d7"
    assert extract_search_command("`stop`") == "stop"
    assert extract_search_command("nonsense here") == "nonsense here"
    assert extract_search_command("") == ""
    reply = "```\npick red_block\nplace green_bowl.\n```"
    assert extract_robot_commands(reply) == "pick red_block; place green_bowl"
    assert extract_robot_commands("no commands") == "no commands"


def test_every_registered_family_has_its_own_template(families):
    for info in families:
        template = prompt_for(info.family)
        assert template.family == info.family
        assert template.system


def test_a_family_without_a_template_gets_the_generic_one_and_overrides_win():
    assert prompt_for("nobody-declared-this") is DEFAULT_TEMPLATE
    mine = PromptTemplate(family="math", system="x")
    assert prompt_for("math", {"math": mine}) is mine
    with pytest.raises(ConfigError, match="non-empty string"):
        PromptTemplate(family="", system="x")


def test_conversation_carries_actions_and_feedback(scripted):
    agent = scripted(lambda m: f"The answer is {len(m)}")
    env = math_env()
    obs, info = env.reset(seed=3)
    actions = []
    for _ in range(3):
        action = agent.act(obs, info)
        actions.append(action)
        obs, _, term, trunc, info = env.step(action)
        feedback = obs["feedback"]
    first, last = agent.requests[0], agent.requests[-1]
    assert [m["role"] for m in first] == ["system", "user"]
    assert "math problems" in first[0]["content"]
    assert "in words" in first[0]["content"]  # the verbal channel's note
    assert obs["observation"] in first[1]["content"]
    assert [m["role"] for m in last] == ["system", "user", "assistant", "user", "assistant", "user"]
    assert [m["content"] for m in last if m["role"] == "assistant"] == actions[:2]
    assert actions == ["The answer is 2", "The answer is 4", "The answer is 6"]
    assert feedback  # the last feedback is not lost: end_episode records it
    agent.end_episode(obs, info)
    assert agent.episode(info) is None


def test_channel_notes_differ(scripted):
    systems = {}
    for channel in ("verbal", "unary", "ranked", "scalar"):
        agent = scripted(lambda m: "The answer is 1")
        obs, info = math_env(channel).reset(seed=0)
        agent.act(obs, info)
        systems[channel] = agent.requests[0][0]["content"]
    assert len(set(systems.values())) == 4
    assert "ranks" in systems["ranked"]


def test_batched_episodes_keep_separate_conversations(scripted):
    agent = scripted(lambda m: m[1]["content"][-12:])
    envs = [math_env(c) for c in ("verbal", "unary")] + [math_env("verbal")]
    seeds = [1, 1, 2]
    steps = [env.reset(seed=s) for env, s in zip(envs, seeds)]
    for _ in range(2):
        actions = agent.act_batch([o for o, _ in steps], [i for _, i in steps])
        steps = [env.step(a)[::4] for env, a in zip(envs, actions)]
        steps = [(o, i) for o, i in steps]
    assert agent.batches == [3, 3]
    # each second-turn request continues its own episode: its own problem and feedback
    for request, env in zip(agent.requests[3:], envs):
        assert env.unwrapped.problem.observation in request[1]["content"]
    assert agent.requests[3][3]["content"] != agent.requests[4][3]["content"]


def test_two_observations_of_one_episode_in_a_batch_is_an_error(scripted):
    agent = scripted(lambda m: "1")
    obs, info = math_env().reset(seed=0)
    with pytest.raises(ConfigError, match="episode"):
        agent.act_batch([obs, obs], [info, info])
    keyed = [{**info, "episode": "a"}, {**info, "episode": "b"}]
    assert agent.act_batch([obs, obs], keyed) == ["1", "1"]


def test_turn_zero_restarts_and_unknown_episodes_are_joined(scripted):
    agent = scripted(lambda m: "The answer is 5")
    env = math_env()
    obs, info = env.reset(seed=0)
    agent.act(obs, info)
    obs2, _, _, _, info2 = env.step("The answer is 5")
    obs, info = env.reset(seed=0)  # same problem again, a new episode
    agent.act(obs, info)
    assert len(agent.requests[-1]) == 2
    fresh = scripted(lambda m: "The answer is 5")
    fresh.act(obs2, info2)  # joins mid-episode: the feedback is in the opening message
    assert obs2["feedback"] in fresh.requests[0][1]["content"]


def test_history_window_and_condition(scripted):
    agent = scripted(lambda m: "The answer is 0", max_history=2, condition="Be careful.")
    env = math_env("unary")
    obs, info = env.reset(seed=0)
    for _ in range(4):
        obs, _, _, _, info = env.step(agent.act(obs, info))
    request = agent.requests[-1]
    assert len(request) == 2 + 2 * 2
    assert "first 1 attempts are not shown" in request[1]["content"]
    assert request[-1]["content"].endswith("Be careful.")
    assert agent.config()["condition"] == "Be careful."
    with pytest.raises(ConfigError, match="max_history"):
        scripted(lambda m: "", max_history=0)


def test_new_stream_forgets_open_episodes(scripted):
    agent = scripted(lambda m: "The answer is 1")
    obs, info = math_env().reset(seed=0)
    agent.act(obs, info)
    assert agent.episode(info) is not None
    agent.new_stream()
    assert agent.episode(info) is None


def test_importing_fbgym_and_the_llm_package_leaves_torch_alone():
    code = (
        "import sys, fbgym, fbgym.agents.llm, fbgym.agents.llm.openai, "
        "fbgym.agents.llm.reflexion, fbgym.agents.llm.hindsight\n"
        "print(sorted(m for m in ('torch', 'transformers') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
