import pytest

from fbgym.core.types import FeedbackKind

from .conftest import make


def facet_of(env):
    return env.unwrapped.problem.data["facet"]


def sibling_of(env):
    facet = facet_of(env)
    topic = env.unwrapped.problem.data["topic"]
    return next(f for f in topic.facets if f.id != facet.id)


def test_questions_are_answered_in_every_channel(channel):
    env = make(channel)
    env.reset(seed=0)
    _, reward, _, _, info = env.step("ask: What would you like to know?")
    fb = env.unwrapped.history[-1].feedback
    assert info["feedback"].text == fb.text and (channel != "unary" or not info["feedback"].meta)
    assert reward == 0.0 and env.unwrapped.history[-1].outcome.graded is False
    assert fb.notes["answer"] == "open" and len(fb.notes["revealed"]) == 2
    assert all(word in fb.text for word in fb.notes["revealed"])
    assert fb.notes["revealed"] == list(facet_of(env).terms[:2])


def test_yes_for_its_own_facet_and_no_for_a_sibling():
    env = make()
    env.reset(seed=1)
    _, _, _, _, info = env.step(f"ask: Is it about {facet_of(env).name}?")
    assert env.unwrapped.history[-1].feedback.notes["answer"] == "yes"
    assert info["feedback"].parts[0].kind is FeedbackKind.HINDSIGHT_POSITIVE
    other = next(w for w in sibling_of(env).terms if w not in facet_of(env).terms)
    _, _, _, _, info = env.step(f"ask: Do you mean {other}?")
    assert (
        env.unwrapped.history[-1].feedback.notes["answer"] == "no"
        and other in info["feedback"].parts[0].text
    )
    assert info["feedback"].parts[0].kind is FeedbackKind.HINDSIGHT_NEGATIVE


def test_reveals_are_new_each_time_and_run_out():
    env = make(patience=None, max_turns=20, cooperativeness=1.0)
    env.reset(seed=2)
    seen = []
    for _ in range(4):
        _, _, _, _, info = env.step("ask: Tell me more?")
        seen += env.unwrapped.history[-1].feedback.notes["revealed"]
    assert seen == list(facet_of(env).terms)
    _, _, _, _, info = env.step("ask: Anything else?")
    assert env.unwrapped.history[-1].feedback.notes["revealed"] == []
    assert env.unwrapped.problem.data["topic"].name in info["feedback"].text


@pytest.mark.parametrize(("cooperativeness", "words"), [(0.0, 0), (0.25, 1), (0.5, 2), (1.0, 4)])
def test_cooperativeness_sets_how_much_is_revealed(cooperativeness, words):
    env = make(cooperativeness=cooperativeness)
    env.reset(seed=3)
    _, _, _, _, info = env.step("ask: What do you need?")
    assert len(env.unwrapped.history[-1].feedback.notes["revealed"]) == words


def test_verbal_feedback_names_accepted_partial_and_rejected_documents():
    env = make(patience=None)
    env.reset(seed=4)
    problem = env.unwrapped.problem
    qrels = problem.data["qrels"]
    good = problem.data["ideal"][0]
    partial = next(d for d, g in qrels.items() if g == 1)
    bad = next(d for d in env.unwrapped.task.collection.doc_ids if d not in qrels)
    _, _, _, _, info = env.step(f"answer: {good} {partial} {bad}")
    fb = info["feedback"]
    assert fb.meta["accepted"] == [good] and fb.meta["partial"] == [partial]
    assert fb.meta["rejected"] == [bad]
    assert good in fb.text and partial in fb.text and bad in fb.text
    assert fb.kinds[0] is FeedbackKind.HINDSIGHT_POSITIVE
    assert (
        fb.kinds[-1] is FeedbackKind.FUTURE_POSITIVE
        and env.unwrapped.history[-1].feedback.notes["revealed"]
    )


def test_verbal_feedback_tells_off_topic_from_on_topic_misses():
    env = make()
    env.reset(seed=5)
    collection = env.unwrapped.task.collection
    topic = env.unwrapped.problem.data["topic"]
    off = [
        d
        for d, t in zip(collection.doc_ids, collection.texts)
        if not set(topic.name.lower().split()) & set(t.lower().replace(".", " ").split())
    ][:3]
    _, _, _, _, info = env.step("answer: " + " ".join(off))
    assert f"about {topic.name}" in info["feedback"].text or topic.name in info["feedback"].text


def test_success_is_acknowledged(channel):
    env = make(channel)
    env.reset(seed=6)
    _, _, _, _, info = env.step(env.unwrapped.task.reference_action(env.unwrapped.problem))
    assert info["success"] and info["feedback"].text and not info["feedback"].meta.get("ended")


def test_unary_feedback_carries_no_content():
    env = make("unary")
    env.reset(seed=7)
    _, _, _, _, info = env.step("answer: D000001 D000002 D000003")
    assert info["feedback"].text == "Let's try again." and not info["feedback"].parts


def test_ranked_feedback_orders_answers_and_shown_documents():
    env = make("ranked", patience=None)
    env.reset(seed=8)
    problem = env.unwrapped.problem
    ideal = problem.data["ideal"]
    bad = [d for d in env.unwrapped.task.collection.doc_ids if d not in problem.data["qrels"]][:3]
    env.step("answer: " + " ".join(bad))
    _, _, _, _, info = env.step(f"answer: {bad[0]} {ideal[0]} {bad[1]}")
    fb = info["feedback"]
    assert fb.ranking == ((2,), (1,))
    assert fb.meta["doc_ranking"] == [[ideal[0]], [bad[0], bad[1]]]
    assert f"{ideal[0]} > {bad[0]} = {bad[1]}" in fb.text


def test_pairwise_ranks_only_the_last_two_answers():
    env = make("ranked", patience=None, pairwise=True)
    env.reset(seed=8)
    for action in ["answer: D000001", "answer: D000002", "answer: D000003"]:
        _, _, _, _, info = env.step(action)
    assert {t for g in info["feedback"].ranking for t in g} == {2, 3}


def test_searches_get_no_words_from_the_user(channel):
    env = make(channel)
    env.reset(seed=9)
    _, _, _, _, info = env.step("search: anything")
    assert info["feedback"].text == "" and not info["feedback"].end
