import gzip
import json

import pytest

from fbgym.envs.search.loaders import (
    DataFiles,
    load_collection,
    load_corpus,
    load_facets,
    load_qrels,
    load_topics,
)
from fbgym.errors import ConfigError, DataFormatError

from .conftest import make, make_v1, results

DOCS = {
    "d1": ("Jaguar habitat", "The jaguar lives in rainforest habitat near rivers."),
    "d2": ("Jaguar diet", "Jaguars hunt caiman, deer and capybara at night."),
    "d3": ("Jaguar cars", "The Jaguar car company builds luxury sedans in England."),
    "d4": ("Jaguar prices", "A used Jaguar car price depends on mileage and model."),
    "d5": ("Rainforest", "Rainforest rivers hold many species of fish."),
    "d6": ("Sedans", "Luxury sedans from England are known for leather seats."),
}
FACETS = [
    # topic_id, initial_request, facet_id, facet_desc, question, answer
    (
        "1",
        "Tell me about jaguar",
        "F1",
        "Find where the jaguar animal lives, its rainforest habitat",
        "Are you interested in the animal?",
        "Yes, where the animal lives, its habitat.",
    ),
    (
        "1",
        "Tell me about jaguar",
        "F1",
        "Find where the jaguar animal lives, its rainforest habitat",
        "Do you want to buy a car?",
        "No, I mean the animal.",
    ),
    (
        "1",
        "Tell me about jaguar",
        "F2",
        "Find information about Jaguar luxury car sedans",
        "Are you interested in the animal?",
        "No, the car company and its sedans.",
    ),
]


@pytest.fixture
def files(tmp_path):
    corpus = tmp_path / "corpus.jsonl.gz"
    with gzip.open(corpus, "wt", encoding="utf-8") as handle:
        for doc_id, (title, text) in DOCS.items():
            handle.write(json.dumps({"_id": doc_id, "title": title, "text": text}) + "\n")
    qrels = tmp_path / "qrels.txt"
    qrels.write_text(
        "F1 0 d1 2\nF1 0 d2 1\nF1 0 d5 1\nF2 0 d3 2\nF2 0 d4 1\nF2 0 d6 1\nF9 0 dX 2\n"
    )
    facets = tmp_path / "facets.tsv"
    header = "topic_id\tinitial_request\ttopic_desc\tfacet_id\tfacet_desc\tquestion\tanswer\n"
    rows = "".join(f"{t}\t{r}\tdesc\t{f}\t{d}\t{q}\t{a}\n" for t, r, f, d, q, a in FACETS)
    facets.write_text(header + rows)
    return {"corpus": str(corpus), "qrels": str(qrels), "facets": str(facets)}


def env_for(files, channel="verbal", maker=make, **kwargs):
    return maker(
        channel,
        corpus_path=files["corpus"],
        qrels_path=files["qrels"],
        facets_path=files["facets"],
        **kwargs,
    )


def test_corpus_reads_ids_titles_and_texts(files):
    ids, texts = load_corpus(files["corpus"])
    assert ids == tuple(DOCS) and texts[0] == "Jaguar habitat. " + DOCS["d1"][1]


def test_facets_tsv_makes_topics_with_facets_and_recorded_answers(files):
    collection = load_collection(DataFiles(files["corpus"], files["qrels"], facets=files["facets"]))
    (topic,) = collection.topics
    assert topic.request == "Tell me about jaguar" and [f.id for f in topic.facets] == ["F1", "F2"]
    f1 = topic.facets[0]
    assert f1.questions == (FACETS[0][4:], FACETS[1][4:])
    assert "jaguar" not in f1.terms[:3] and "habitat" in f1.terms
    assert collection.qrels["F1"] == {"d1": 2, "d2": 1, "d5": 1} and "F9" not in collection.facets


def test_env_plays_a_local_collection_and_the_reference_succeeds(files, channel):
    env = env_for(files, channel)
    for seed in range(2):
        env.reset(seed=seed)
        action = env.unwrapped.task.reference_action(env.unwrapped.problem)
        _, reward, terminated, _, info = env.step(action)
        assert info["success"] and reward == 1.0 and terminated


def test_local_collection_is_searched_with_bm25(files):
    env = env_for(files)
    env.reset(seed=0)
    obs, _, _, _, _ = env.step("search: luxury sedans")
    assert results(obs)[:2] == ["d6", "d3"] or results(obs)[:2] == ["d3", "d6"]


def test_recorded_answers_are_given_to_matching_questions(files):
    env = env_for(files)
    env.reset(seed=0)
    facet = env.unwrapped.problem.data["facet"]
    _, _, _, _, info = env.step("ask: Are you interested in the animal?")
    expected = (
        "Yes, where the animal lives, its habitat."
        if facet.id == "F1"
        else "No, the car company and its sedans."
    )
    assert (
        info["feedback"].text == expected
        and env.unwrapped.history[-1].feedback.notes["answer"] == "recorded"
    )


def test_topics_file_alone_gives_one_facet_per_query(tmp_path, files):
    topics = tmp_path / "topics.tsv"
    topics.write_text("F1\tjaguar rainforest habitat\nF2\tjaguar luxury sedans\n")
    collection = load_collection(DataFiles(files["corpus"], files["qrels"], topics=str(topics)))
    assert [t.request for t in collection.topics] == [
        "jaguar rainforest habitat",
        "jaguar luxury sedans",
    ]
    assert [f.id for f in collection.facets] == ["F1", "F2"]


def test_topics_in_jsonl_and_trec_sgml(tmp_path):
    jsonl = tmp_path / "queries.jsonl"
    jsonl.write_text(
        '{"_id": "q1", "text": "jaguar habitat"}\n{"query_id": "q2", "query": "cars"}\n'
    )
    assert load_topics(jsonl) == {"q1": "jaguar habitat", "q2": "cars"}
    sgml = tmp_path / "topics.301"
    sgml.write_text(
        "<top>\n<num> Number: 301\n<title> International Organized Crime\n"
        "<desc> Description:\nIdentify organizations.\n</top>\n"
    )
    assert load_topics(sgml) == {"301": "International Organized Crime"}


def test_beir_qrels_with_a_header(tmp_path):
    qrels = tmp_path / "test.tsv"
    qrels.write_text("query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\td2\t2\n")
    assert load_qrels(qrels) == {"q1": {"d1": 1, "d2": 2}}


def test_format_errors_name_file_and_line(tmp_path):
    corpus = tmp_path / "c.jsonl"
    corpus.write_text('{"_id": "a", "text": "x"}\n{"_id": "b", "body_text": "y"}\n')
    with pytest.raises(DataFormatError, match=r"c.jsonl:2: no text field"):
        load_corpus(corpus)
    corpus.write_text('{"_id": "a", "text": "x"}\nnot json\n')
    with pytest.raises(DataFormatError, match=r"c.jsonl:2: not valid JSON"):
        load_corpus(corpus)
    qrels = tmp_path / "q.txt"
    qrels.write_text("q1 0 d1 2\nq1 d1\n")
    with pytest.raises(DataFormatError, match=r"q.txt:2: expected 'qid iter docid grade'"):
        load_qrels(qrels)
    facets = tmp_path / "f.tsv"
    facets.write_text("topic_id\tfacet_desc\nx\ty\n")
    with pytest.raises(DataFormatError, match=r"f.tsv: the header lacks \['facet_id', 'topic'\]"):
        load_facets(facets, {})


def test_missing_files_are_config_errors(tmp_path, files):
    with pytest.raises(ConfigError, match="does not exist"):
        DataFiles(str(tmp_path / "nope.jsonl"), files["qrels"], facets=files["facets"])
    with pytest.raises(ConfigError, match="needs a topics file or a facets TSV"):
        DataFiles(files["corpus"], files["qrels"])


def test_v1_plays_local_files_with_the_judges_state_in_notes(files):
    env = env_for(files, maker=make_v1)
    env.reset(seed=0)
    _, _, _, _, info = env.step("ask: Are you interested in the animal?")
    assert (
        env.unwrapped.history[-1].feedback.notes["answer"] == "recorded"
        and not info["feedback"].meta
    )
    _, _, _, _, info = env.step(env.unwrapped.task.reference_action(env.unwrapped.problem))
    assert info["success"]
    with pytest.raises(ConfigError, match="cannot be used with data"):
        env_for(files, maker=make_v1, levels=[1])
