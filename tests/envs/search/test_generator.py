import pytest

from fbgym.envs.search.generator import CorpusConfig, generate_collection
from fbgym.envs.search.retrieval import content_words
from fbgym.errors import ConfigError


def test_same_config_gives_the_same_collection_and_other_seeds_differ():
    a = generate_collection(CorpusConfig(seed=5))
    generate_collection.cache_clear()
    b = generate_collection(CorpusConfig(seed=5))
    assert a is not b
    assert a.texts == b.texts and a.doc_ids == b.doc_ids and a.qrels == b.qrels
    assert generate_collection(CorpusConfig(seed=6)).texts != a.texts


def test_size_ids_and_topics_follow_the_config():
    config = CorpusConfig(topics=10, facets=(2, 3), passages=300)
    c = generate_collection(config)
    assert len(c.doc_ids) == 300 and len(set(c.doc_ids)) == 300
    assert len(c.topics) == 10 and all(2 <= len(t.facets) <= 3 for t in c.topics)
    assert c.facets == tuple(f for t in c.topics for f in t.facets)


def test_each_facet_has_three_fully_relevant_and_some_partly_relevant_passages():
    c = generate_collection(CorpusConfig())
    for facet in c.facets:
        grades = sorted(c.qrels[facet.id].values(), reverse=True)
        assert grades.count(2) == 4 and set(grades) <= {1, 2}
        ideal = c.ideal_ranking(facet.id)
        assert [c.qrels[facet.id][d] for d in ideal] == grades


def test_relevant_passages_are_written_from_their_facet_and_topic():
    c = generate_collection(CorpusConfig())
    for topic in c.topics[:5]:
        name = set(topic.name.split())
        for facet in topic.facets:
            for doc_id, grade in c.qrels[facet.id].items():
                words = set(content_words(c.text_of[doc_id]))
                assert words & name
                assert len(words & set(facet.terms)) >= (4 if grade == 2 else 2)


def test_request_names_the_topic_but_no_facet():
    c = generate_collection(CorpusConfig())
    for topic in c.topics:
        words = set(content_words(topic.request))
        assert set(topic.name.split()) <= words
        assert not any(words & set(f.terms) for f in topic.facets)


def test_document_ids_do_not_follow_topic_order():
    c = generate_collection(CorpusConfig())
    rows = sorted(c.position[d] for d in c.qrels[c.facets[0].id])
    assert rows[-1] - rows[0] > 20


def test_of_size_reaches_the_requested_size():
    config = CorpusConfig.of_size(2_000, seed=1)
    assert config.passages == 2_000 and len(generate_collection(config).doc_ids) == 2_000


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"topics": 0}, "topics must be at least 1"),
        ({"facets": (1, 3)}, "facets must be"),
        ({"facets": (4, 3)}, "facets must be"),
        ({"passages_per_facet": 2}, "passages_per_facet must be at least 3"),
        ({"passages": 10}, "cannot hold"),
    ],
)
def test_bad_configs_are_rejected_with_the_reason(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        CorpusConfig(**kwargs)
