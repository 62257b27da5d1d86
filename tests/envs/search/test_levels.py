import statistics

import pytest

from fbgym.envs.search.levels import (
    LEVELS,
    SPLITS,
    LevelConfig,
    generate_level,
    level_config,
    split_facets,
)
from fbgym.envs.search.retrieval import content_words
from fbgym.errors import ConfigError


@pytest.fixture(scope="module", params=sorted(LEVELS))
def level(request):
    return LEVELS[request.param], generate_level(LEVELS[request.param])


def test_same_config_gives_the_same_collection_and_other_seeds_differ():
    small = LevelConfig(3, (3, 4), 3, 4, 0.25, 0.4, 40)
    a = generate_level(small)
    generate_level.cache_clear()
    b = generate_level(small)
    assert a is not b and a.texts == b.texts and a.qrels == b.qrels
    assert [f.said for f in a.facets] == [f.said for f in b.facets]
    other = generate_level(LevelConfig(3, (3, 4), 3, 4, 0.25, 0.4, 40, seed=1))
    assert other.texts != a.texts


def test_each_split_holds_over_a_thousand_needs_of_its_own(level):
    config, collection = level
    facets = {split: split_facets(collection, split) for split in SPLITS}
    assert all(len(f) >= 1000 for f in facets.values())
    test, train = ({f.id for f in facets[s]} for s in SPLITS)
    assert not test & train
    topics = {s: {f.topic_id for f in facets[s]} for s in SPLITS}
    assert not topics["test"] & topics["train"]
    requests = {s: {collection.topic_of[t].request for t in topics[s]} for s in SPLITS}
    assert not requests["test"] & requests["train"]
    assert all(config.facets[0] <= len(t.facets) <= config.facets[1] for t in collection.topics)


def test_unknown_split_is_named():
    with pytest.raises(ConfigError, match="unknown split 'dev'"):
        split_facets(generate_level(LEVELS[1]), "dev")


def test_relevance_grades_follow_the_config(level):
    config, collection = level
    for facet in collection.facets[:200]:
        grades = sorted(collection.qrels[facet.id].values(), reverse=True)
        assert grades.count(2) == config.relevant and set(grades) <= {1, 2}
        ideal = collection.ideal_ranking(facet.id)
        assert [collection.qrels[facet.id][d] for d in ideal[:3]] == [2, 2, 2]


def test_users_words_are_their_own_and_passages_use_them_now_and_then(level):
    config, collection = level
    rates = []
    for facet in collection.facets[:300]:
        assert len(facet.said) == config.aspects and len(set(facet.said)) == config.aspects
        assert not set(facet.said) & set(facet.terms) and facet.name == facet.said[0]
        for doc_id, grade in collection.qrels[facet.id].items():
            if grade == 2:
                words = set(content_words(collection.text_of[doc_id]))
                rates += [w in words for w in facet.said]
                assert len(words & set(facet.terms)) >= config.signature[0]
    assert statistics.mean(rates) == pytest.approx(config.overlap, abs=0.06)


def test_siblings_share_the_users_words_more_often_at_higher_levels():
    def shared(config):
        collection = generate_level(config)
        topics = collection.topics[:200]
        pairs = [
            bool(set(a.said) & set(b.said))
            for t in topics
            for i, a in enumerate(t.facets)
            for b in t.facets[i + 1 :]
        ]
        return statistics.mean(pairs)

    assert shared(LEVELS[1]) < shared(LEVELS[3]) < shared(LEVELS[5])


def test_siblings_share_more_of_the_passages_vocabulary_at_higher_levels():
    def kin(config):
        topics = generate_level(config).topics[:200]
        return statistics.mean(
            len(set(a.terms) & set(b.terms))
            for t in topics
            for i, a in enumerate(t.facets)
            for b in t.facets[i + 1 :]
        )

    assert kin(LEVELS[1]) < 0.5 < kin(LEVELS[3]) < kin(LEVELS[5])


def test_request_names_the_topic_and_no_word_of_a_facet(level):
    _, collection = level
    for topic in collection.topics[:300]:
        words = set(content_words(topic.request))
        assert set(topic.name.split()) <= words
        assert not any(words & (set(f.terms) | set(f.said)) for f in topic.facets)


def test_harder_levels_have_more_facets_and_larger_collections():
    sizes = [len(generate_level(LEVELS[lv]).doc_ids) for lv in (1, 5)]
    facets = [
        statistics.mean(len(t.facets) for t in generate_level(LEVELS[lv]).topics) for lv in (1, 5)
    ]
    assert sizes[0] < sizes[1] and facets[0] < facets[1]


def test_level_config_takes_the_collection_seed():
    assert level_config(2) is LEVELS[2]
    assert level_config(2, seed=7).seed == 7 and level_config(2, seed=7).facets == LEVELS[2].facets
    with pytest.raises(
        ConfigError, match=r"unknown search level 9; expected one of \[1, 2, 3, 4, 5\]"
    ):
        level_config(9)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"facets": (1, 3)}, "facets must be"),
        ({"aspects": 0}, "need aspects >= 1"),
        ({"relevant": 2}, "relevant >= 3"),
        ({"overlap": 1.5}, "overlap must be in"),
        ({"ambiguity": -0.1}, "ambiguity must be in"),
        ({"noise": 1.0}, "noise must be in"),
        ({"kinship": 2.0}, "kinship must be in"),
        ({"signature": (0, 3)}, "signature must be"),
    ],
)
def test_bad_level_configs_are_rejected_with_the_reason(kwargs, message):
    base = {"level": 1, "facets": (2, 3), "aspects": 2, "relevant": 5, "overlap": 0.3}
    with pytest.raises(ConfigError, match=message):
        LevelConfig(**{**base, "ambiguity": 0.2, "topics": 10, **kwargs})
