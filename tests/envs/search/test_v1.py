"""fbgym/ConvSearch-v1: leveled problems, a user who speaks its own words, questions that cost."""

import pytest

from fbgym.agents.baselines import FeedbackAgent
from fbgym.core.view import undisclosed_meta
from fbgym.envs.search.retrieval import content_words
from fbgym.errors import ConfigError

from .conftest import make, make_v1, results

OPEN = "ask: What exactly are you looking for?"
STATED = {"accepted", "partial", "rejected", "doc_ranking", "invalid"}
"""The meta fields of v1 feedback: documents (and a rejected command) that its text names."""


def facet_of(env):
    return env.unwrapped.problem.data["facet"]


def sibling_of(env):
    facet = facet_of(env)
    return next(f for f in env.unwrapped.problem.data["topic"].facets if f.id != facet.id)


@pytest.mark.parametrize("level", [1, 2, 3, 4, 5])
def test_reference_action_succeeds_at_every_level(channel, level):
    env = make_v1(channel, levels=[level])
    for seed in range(10):
        _, info = env.reset(seed=seed)
        assert info["problem"]["level"] == level
        base = env.unwrapped
        _, reward, terminated, _, info = env.step(base.task.reference_action(base.problem))
        assert info["success"] and terminated and reward == 1.0


def test_problems_take_turns_at_the_levels_and_do_not_repeat():
    env = make_v1(levels=[2, 4]).unwrapped
    seen, levels = set(), []
    for seed in range(400):
        _, info = env.reset(seed=seed)
        levels.append(info["problem"]["level"])
        seen.add(facet_of(env).id)
    assert levels[:4] == [2, 4, 2, 4] and len(seen) == 400


def test_train_and_test_share_no_need():
    def needs(split):
        env = make_v1(split=split, levels=[1]).unwrapped
        out = set()
        for seed in range(300):
            env.reset(seed=seed)
            out.add((facet_of(env).id, env.problem.public["request"]))
        return out

    test, train = needs("test"), needs("train")
    assert not {f for f, _ in test} & {f for f, _ in train}
    assert not {r for _, r in test} & {r for _, r in train}


def test_the_user_tells_one_aspect_at_a_time_in_its_own_words():
    env = make_v1(levels=[3], patience=None)
    env.reset(seed=1)
    facet = facet_of(env)
    told = []
    for _ in range(len(facet.said) + 1):
        _, _, _, _, info = env.step(OPEN)
        fb = env.unwrapped.history[-1].feedback
        words = set(content_words(fb.text))
        assert not words & set(facet.terms)  # never the words the passages use
        told += fb.notes["revealed"]
        assert len(fb.notes["revealed"]) <= 1 and fb.notes["answer"] == "open"
    assert told == list(facet.said) and fb.notes["revealed"] == []
    assert fb.text and not fb.meta


@pytest.mark.parametrize("cooperativeness", [0.0, 1.0])
def test_cooperativeness_sets_how_many_aspects_at_a_time(cooperativeness):
    env = make_v1(levels=[3], cooperativeness=cooperativeness)
    env.reset(seed=2)
    _, _, _, _, info = env.step(OPEN)
    assert len(env.unwrapped.history[-1].feedback.notes["revealed"]) == round(2 * cooperativeness)


def test_yes_for_its_need_no_for_a_sibling_and_no_answer_to_a_list():
    env = make_v1(levels=[4], patience=None)
    env.reset(seed=3)
    facet, sibling = facet_of(env), sibling_of(env)
    for word in (facet.said[0], facet.terms[3]):
        _, _, _, _, info = env.step(f"ask: Is it about {word}?")
        assert info["feedback"].text.split()[0] in ("Yes.", "Yes,", "Exactly.")
        assert env.unwrapped.history[-1].feedback.notes["answer"] == "yes"
    other = next(w for w in sibling.terms if w not in facet.terms)
    _, _, _, _, info = env.step(f"ask: Do you mean {other}?")
    assert (
        env.unwrapped.history[-1].feedback.notes["answer"] == "no"
        and other in info["feedback"].text
    )
    words = [facet.terms[0], *[w for w in sibling.terms if w not in facet.terms][:2]]
    _, _, _, _, info = env.step(f"ask: Is it {' or '.join(words)}?")
    fb = env.unwrapped.history[-1].feedback
    assert fb.notes == {"answer": "many", "revealed": []}
    assert not set(content_words(fb.text)) & set(words) and "one" in fb.text


def test_feedback_meta_says_only_what_the_text_says(channel):
    """Meta holds only the document ids the text names; the judge's state is in notes."""
    env = make_v1(channel, levels=[1, 3, 5])
    agent = FeedbackAgent()
    checked = 0
    for seed in range(12):
        obs, info = env.reset(seed=seed)
        agent.reset(obs["instruction"], seed=seed)
        extra = {2: f"ask: Is it about {facet_of(env).said[0]}?", 4: "answer: nonsense"}
        done = False
        while not done:
            action = extra.get(info["turn"]) if seed % 2 else None
            obs, _, terminated, truncated, info = env.step(action or agent.act(obs, info))
            fb = info["feedback"]
            assert undisclosed_meta(fb) == [] and set(fb.meta) <= STATED, fb
            done = terminated or truncated
            checked += 1
    assert checked > 60


def test_verbal_verdicts_name_documents_and_the_next_aspect():
    env = make_v1(levels=[2], patience=None)
    for seed in range(20):  # a need with a partly relevant passage
        env.reset(seed=seed)
        problem = env.unwrapped.problem
        qrels, facet = problem.data["qrels"], facet_of(env)
        if 1 in qrels.values():
            break
    good = problem.data["ideal"][0]
    partial = next(d for d, g in qrels.items() if g == 1)
    bad = next(d for d in problem.data["collection"].doc_ids if d not in qrels)
    _, _, _, _, info = env.step(f"answer: {good} {partial} {bad}")
    fb = env.unwrapped.history[-1].feedback
    assert fb.meta == {"accepted": [good], "partial": [partial], "rejected": [bad]}
    assert fb.notes["revealed"] == [facet.said[0]] and facet.said[0] in fb.text
    _, _, _, _, info = env.step(env.unwrapped.task.reference_action(problem))
    assert (
        info["success"]
        and not info["feedback"].meta
        and env.unwrapped.history[-1].feedback.notes["accepted"]
    )


def test_questions_cost_patience_like_missed_answers(channel):
    env = make_v1(channel, patience=3)
    env.reset(seed=5)
    for action in ["search: anything", OPEN, "hello there", "answer: D000001"]:
        _, _, terminated, _, _ = env.step(action)
        assert not terminated  # a malformed command does not reach the user
    _, _, terminated, _, info = env.step(OPEN)
    assert (
        terminated
        and info["feedback"].end
        and env.unwrapped.history[-1].feedback.notes["ended"] == "patience"
    )


def transcript(env, seed, actions):
    env.reset(seed=seed)
    out = []
    for action in actions:
        obs, _, terminated, truncated, info = env.step(action)
        out.append((obs["feedback"], terminated, truncated, info["feedback"].to_json()))
        if terminated or truncated:
            break
    return out


def test_the_generic_patience_knob_is_the_searchers_patience():
    actions = [OPEN, "answer: nonsense", OPEN, OPEN, "answer: D000001", OPEN, OPEN]
    own = transcript(make_v1(patience=4), 6, actions)
    knob = transcript(make_v1(user={"patience": 4}), 6, actions)
    assert own == knob and len(own) == 5 and own[-1][1]
    impatient = transcript(make_v1(user="impatient"), 6, actions)  # patience 3
    assert len(impatient) == 4 and impatient[-1][1]
    preset = transcript(make_v1(user={"preset": "impatient", "patience": 5}), 6, actions)
    assert len(preset) == 6 and preset[-1][1]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"version": 2}, "version must be 0 or 1"),
        ({"levels": [6]}, r"unknown search level\(s\) \[6\]"),
        ({"levels": []}, "levels must name at least one"),
        ({"split": "dev"}, "unknown split 'dev'"),
        ({"passages": 5000}, "v1 collections are sized by their levels"),
    ],
)
def test_v1_rejects_bad_configuration(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        make_v1(**kwargs)


def test_levels_belong_to_v1():
    with pytest.raises(ConfigError, match="levels are a fbgym/ConvSearch-v1 setting"):
        make(levels=[1])


def test_search_results_come_from_the_problems_level():
    env = make_v1(levels=[1, 5])
    _, info = env.reset(seed=1)
    assert info["problem"]["level"] == 5
    obs, _, _, _, _ = env.step(f"search: {info['problem']['request']}")
    collection = env.unwrapped.problem.data["collection"]
    assert collection.name == info["problem"]["collection"] and "-L5-" in collection.name
    assert results(obs) and all(d in collection.position for d in results(obs))


def test_default_feedback_gives_no_free_answers():
    """Verbal feedback names only documents the agent gave, and never the passages' words."""
    env = make_v1(levels=[1, 3, 5])
    agent = FeedbackAgent()
    for seed in range(15):
        obs, info = env.reset(seed=seed)
        agent.reset(obs["instruction"], seed=seed)
        facet, given = facet_of(env), set()
        done = False
        while not done:
            action = agent.act(obs, info)
            if action.startswith("answer:"):
                given |= {d.strip(",") for d in action.split()[1:]}
            obs, _, terminated, truncated, info = env.step(action)
            named = {w.strip(".,") for w in obs["feedback"].split() if w.startswith("D0")}
            assert named <= given
            assert not set(content_words(obs["feedback"])) & set(facet.terms)
            done = terminated or truncated


@pytest.mark.parametrize("rung", ["hindsight", "future", "ground_truth", "edit"])
def test_each_rung_of_the_ladder_says_more(rung):
    env = make_v1(user={"informativeness": rung}, levels=[3], patience=None)
    _, info = env.reset(seed=0)
    problem, facet = env.unwrapped.problem, facet_of(env)
    _, _, _, _, info = env.step("answer: D000001 D000002 D000003")
    words = set(content_words(info["feedback"].text))
    assert (facet.said[0] in words) == (rung != "hindsight")
    assert (set(facet.terms) <= words) == (rung == "ground_truth")
    ideal = problem.data["ideal"][:3]
    assert all(d in info["feedback"].text for d in ideal) == (rung == "edit")
    if rung == "ground_truth":
        obs, *_ = env.step(f"search: {problem.data['topic'].name} {' '.join(facet.terms)}")
        _, _, _, _, info = env.step("answer: " + " ".join(results(obs)[:3]))
        assert info["success"]
    if rung == "edit":
        _, _, _, _, info = env.step("answer: " + " ".join(ideal))
        assert info["success"]
