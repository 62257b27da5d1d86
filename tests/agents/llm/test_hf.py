import pickle

import gymnasium as gym
import pytest

import fbgym

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

from fbgym.agents.llm.hf import HFAgent  # noqa: E402
from fbgym.errors import ConfigError  # noqa: E402


def tiny_agent(path, **kwargs):
    return HFAgent(path, device="cpu", max_new_tokens=kwargs.pop("max_new_tokens", 8), **kwargs)


def lockstep(agent, env_specs, turns, batched=True):
    """Play episodes side by side, one act_batch (or one act each) per turn; their actions."""
    envs = [gym.make(env_id, feedback=channel, max_turns=turns) for env_id, channel in env_specs]
    steps = [env.reset(seed=3) for env in envs]
    live = list(range(len(envs)))
    actions = {i: [] for i in live}
    while live:
        obs = [steps[i][0] for i in live]
        infos = [steps[i][1] for i in live]
        if batched:
            chosen = agent.act_batch(obs, infos)
        else:
            chosen = [agent.act(o, i) for o, i in zip(obs, infos)]
        for i, action in zip(list(live), chosen):
            assert isinstance(action, str)
            actions[i].append(action)
            obs_i, _, term, trunc, info = envs[i].step(action)
            steps[i] = (obs_i, info)
            if term or trunc:
                agent.end_episode(obs_i, info)
                live.remove(i)
    return actions


def test_plays_every_family_in_every_channel(tiny_llama, families):
    specs = [(info.id, channel) for info in families for channel in info.channels]
    assert {"math", "search", "robot"} <= {info.family for info in families}
    agent = tiny_agent(tiny_llama)
    actions = lockstep(agent, specs, turns=2)
    assert all(len(a) == 2 for a in actions.values())
    assert len({a[0] for a in actions.values()}) > 1  # replies depend on the prompt


@pytest.mark.parametrize("arch", ["llama", "gpt2"])
def test_batched_and_one_at_a_time_greedy_decoding_agree(tiny_models, arch):
    specs = [(e, c) for e in ("fbgym/Math-v0",) for c in ("verbal", "unary", "ranked", "scalar")]
    specs += [("fbgym/ConvSearch-v0", "verbal"), ("fbgym/RobotCorrection-v0", "verbal")]
    batched = lockstep(tiny_agent(tiny_models[arch], batch_size=4), specs, turns=3)
    single = lockstep(tiny_agent(tiny_models[arch]), specs, turns=3, batched=False)
    assert batched == single
    assert len({a for acts in batched.values() for a in acts}) > len(specs)


def test_runs_through_the_runner(tiny_llama, tmp_path):
    agent = tiny_agent(tiny_llama)
    df = fbgym.evaluate(
        agent,
        ["fbgym/Math-v0"],
        channels=["verbal", "ranked"],
        episodes=2,
        env_kwargs={"max_turns": 2},
        run_dir=tmp_path,
        executor="batched",
    )
    assert len(df) == 4 and df["error"].isna().all()
    assert (df["turns"] == 2).all()
    assert agent._loaded is None  # the model loaded in the player's process, not here
    copy = pickle.loads(pickle.dumps(agent))  # travels as its arguments, loads on first use
    assert copy.name == agent.name and copy._loaded is None and copy.model is not None


def test_seeded_sampling_is_reproducible(tiny_llama):
    obs, info = gym.make("fbgym/Math-v0").reset(seed=0)
    replies = [
        tiny_agent(tiny_llama, temperature=1.0, seed=s, max_new_tokens=12).act(obs, info)
        for s in (0, 0, 1)
    ]
    assert replies[0] == replies[1] != replies[2]
    greedy = tiny_agent(tiny_llama, max_new_tokens=12).act(obs, info)
    assert tiny_agent(tiny_llama, max_new_tokens=12, seed=5).act(obs, info) == greedy


def test_templates_without_system_role_or_without_template(tiny_llama):
    from transformers import AutoTokenizer

    strict = AutoTokenizer.from_pretrained(tiny_llama)
    strict.chat_template = (
        "{% for m in messages %}{% if m['role'] == 'system' %}"
        "{{ raise_exception('no system role') }}{% endif %}"
        "<|{{ m['role'] }}|>{{ m['content'] }}<|end|>{% endfor %}<|assistant|>"
    )
    agent = tiny_agent(tiny_llama, tokenizer=strict)
    messages = [
        {"role": "system", "content": "S"},
        {"role": "user", "content": "U"},
    ]
    assert agent.render(messages) == "<|user|>S\n\nU<|end|><|assistant|>"
    plain = AutoTokenizer.from_pretrained(tiny_llama)
    plain.chat_template = None
    agent = tiny_agent(tiny_llama, tokenizer=plain)
    assert agent.render(messages) == "System: S\n\nUser: U\n\nAssistant:"
    obs, info = gym.make("fbgym/Math-v0").reset(seed=0)
    assert isinstance(agent.act(obs, info), str)


def test_long_prompts_keep_their_last_tokens(tiny_llama):
    agent = tiny_agent(tiny_llama, max_prompt_tokens=16)
    obs, info = gym.make("fbgym/Math-v0").reset(seed=0)
    with pytest.warns(UserWarning, match="cut to its last 16"):
        agent.act(obs, info)


def test_dtype_and_validation(tiny_llama):
    agent = tiny_agent(tiny_llama, dtype="bfloat16")
    assert agent.model.dtype == torch.bfloat16
    obs, info = gym.make("fbgym/Math-v0").reset(seed=0)
    assert isinstance(agent.act(obs, info), str)
    assert agent.config()["dtype"] == "bfloat16" and agent.name == "hf-llama"
    with pytest.raises(ConfigError, match="dtype must be one of"):
        tiny_agent(tiny_llama, dtype="float8")
    with pytest.raises(ConfigError, match="temperature"):
        tiny_agent(tiny_llama, temperature=-1)
