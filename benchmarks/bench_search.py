"""Speed of the search family on a generated 100k-passage collection.

Run: ``pytest benchmarks/bench_search.py --benchmark-only``. Query latency is measured over
a batch of queries per round, so per-query times are the round time divided by
``QUERIES`` (also stored as ``extra_info["ms_per_query"]``); a full sort of 100k scores is
measured alongside as the reference.
"""

from __future__ import annotations

import numpy as np
import pytest

from fbgym.envs.search.generator import CorpusConfig, generate_collection
from fbgym.envs.search.retrieval import SearchIndex

SIZE = 100_000
QUERIES = 200
CONFIG = CorpusConfig.of_size(SIZE, seed=0)


@pytest.fixture(scope="module")
def collection():
    return generate_collection(CONFIG)


@pytest.fixture(scope="module")
def index(collection):
    return SearchIndex(collection)


@pytest.fixture(scope="module")
def queries(collection):
    """Requests with one to four facet words, as the baseline's queries grow."""
    out = []
    for i, facet in enumerate(collection.facets[:QUERIES]):
        topic = collection.topic_of[facet.topic_id]
        out.append(f"{topic.request} {' '.join(facet.terms[: 1 + i % 4])}")
    return out


def test_corpus_build_100k(benchmark):
    result = benchmark.pedantic(generate_collection.__wrapped__, args=(CONFIG,), rounds=1)
    assert len(result.doc_ids) == SIZE


def test_index_build_100k(benchmark, collection):
    index = benchmark.pedantic(SearchIndex, args=(collection,), rounds=1)
    assert index.retriever.scores["num_docs"] == SIZE


@pytest.mark.benchmark(group="query-100k")
def test_bm25_top10_per_query_100k(benchmark, per_call, index, queries):
    benchmark.extra_info["queries_per_round"] = len(queries)
    search_all = lambda: [index.search(q, 10) for q in queries]  # noqa: E731
    hits = benchmark(search_all)
    ms = per_call(search_all, number=1) * 1e3 / len(queries)
    benchmark.extra_info["ms_per_query"] = ms
    print(f"\nBM25 top-10 on 100k passages: {ms:.3f} ms a query")
    assert all(len(h) == 10 for h in hits)


@pytest.mark.benchmark(group="query-100k")
def test_bm25_top10_excluding_documents_100k(benchmark, per_call, index, queries, collection):
    exclude = collection.doc_ids[:5]
    search_all = lambda: [index.search(q, 10, exclude) for q in queries]  # noqa: E731
    hits = benchmark(search_all)
    benchmark.extra_info["ms_per_query"] = per_call(search_all, number=1) * 1e3 / len(queries)
    assert not {h.doc_id for hs in hits for h in hs} & set(exclude)


@pytest.mark.benchmark(group="query-100k")
def test_reference_full_sort_of_100k_scores(benchmark, per_call, queries):
    scores = np.random.default_rng(0).random(SIZE).astype(np.float32)
    sort_all = lambda: [np.argsort(-scores)[:10] for _ in queries]  # noqa: E731
    benchmark(sort_all)
    benchmark.extra_info["ms_per_query"] = per_call(sort_all, number=1) * 1e3 / len(queries)


def test_env_episode_default_corpus(benchmark):
    import gymnasium as gym

    import fbgym.envs.search  # noqa: F401

    env = gym.make("fbgym/ConvSearch-v0", feedback="verbal")

    def episode():
        _, info = env.reset(seed=0)
        env.step("ask: What would you like to know?")
        env.step(f"search: {info['problem']['request']}")
        return env.step(env.unwrapped.task.reference_action(env.unwrapped.problem))

    assert benchmark(episode)[4]["success"]


def test_level_build_against_v0_of_the_same_size(benchmark, per_call):
    """Building v1's largest level (collection and index), as a ratio to v0's generator and
    index at the same number of passages, both measured here."""
    from fbgym.envs.search.levels import LEVELS, generate_level

    level = LEVELS[max(LEVELS)]
    build = lambda: SearchIndex(generate_level.__wrapped__(level))  # noqa: E731
    index = benchmark.pedantic(build, rounds=1)
    size = len(index.collection.doc_ids)
    v0 = CorpusConfig.of_size(size, seed=0)
    reference = per_call(
        lambda: SearchIndex(generate_collection.__wrapped__(v0)), number=1, repeat=2
    )
    ratio = per_call(build, number=1, repeat=2) / reference
    benchmark.extra_info["ratio_to_v0"] = ratio
    print(f"\nv1 level {level.level} ({size:,} passages): {ratio:.2f}x v0 at that size")
    assert size > 10_000


def test_env_episode_v1(benchmark):
    import gymnasium as gym

    import fbgym.envs.search  # noqa: F401

    env = gym.make("fbgym/ConvSearch-v1", feedback="verbal", levels=[3])

    def episode():
        _, info = env.reset(seed=0)
        env.step("ask: What exactly are you looking for?")
        env.step(f"search: {info['problem']['request']}")
        return env.step(env.unwrapped.task.reference_action(env.unwrapped.problem))

    assert benchmark(episode)[4]["success"]
