import json
import random
import subprocess
import sys
from pathlib import Path

import pytest
from gymnasium.utils.env_checker import check_env

from fbgym.core.types import Feedback

from .conftest import make, results


def transcript(env, seed, actions):
    obs, info = env.reset(seed=seed)
    lines = [json.dumps(obs, sort_keys=True), json.dumps(info["problem"], sort_keys=True)]
    for action in actions:
        obs, reward, terminated, truncated, info = env.step(action)
        lines.append(
            json.dumps(
                {
                    "obs": obs,
                    "reward": reward,
                    "terminated": terminated,
                    "truncated": truncated,
                    "feedback": info["feedback"].to_dict(),
                    "outcome": env.unwrapped.history[-1].outcome.to_dict(),
                },
                sort_keys=True,
            )
        )
        if terminated or truncated:
            break
    return lines


ACTIONS = [
    "ask: What would you like to know?",
    "search: tell me more",
    "answer: D000001, D000002, D000003",
    "ask: Is it about the history?",
    "answer: D000010 D000011 D000012",
    "search: anything at all -D000004",
]


def test_check_env_passes_in_every_channel(channel):
    check_env(make(channel).unwrapped, skip_render_check=False)


def test_reference_action_succeeds_on_turn_one_with_ndcg_one(channel):
    env = make(channel)
    for seed in range(25):
        env.reset(seed=seed)
        task, problem = env.unwrapped.task, env.unwrapped.problem
        _, reward, terminated, _, info = env.step(task.reference_action(problem))
        assert info["success"] and terminated
        assert reward == 1.0 and env.unwrapped.history[-1].outcome.diagnosis["ndcg@3"] == 1.0


def test_same_seed_and_actions_give_identical_transcripts(channel):
    assert transcript(make(channel), 7, ACTIONS) == transcript(make(channel), 7, ACTIONS)
    assert transcript(make(channel), 7, ACTIONS) != transcript(make(channel), 8, ACTIONS)


def test_transcript_is_identical_in_a_fresh_process():
    code = (
        "import json, fbgym.envs.search\n"
        "from tests.envs.search.test_env import transcript, ACTIONS\n"
        "from tests.envs.search.conftest import make\n"
        "print(json.dumps(transcript(make('verbal'), 3, ACTIONS)))\n"
    )
    root = Path(__file__).resolve().parents[3]
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root
    )
    assert json.loads(out.stdout) == transcript(make("verbal"), 3, ACTIONS)


@pytest.mark.parametrize(
    "action",
    [
        "",
        "   ",
        42,
        None,
        b"answer: D000001",
        "x" * 30_000,
        "answer: D000001\x00",
        "hello there",
        "answer:",
        "answer: nonsense words here",
        "search:",
        "ask:   ",
        "search: cats -notadoc",
        "\ud800",
    ],
)
def test_bad_actions_are_failed_attempts_with_a_reason(channel, action):
    env = make(channel)
    env.reset(seed=0)
    obs, reward, terminated, truncated, info = env.step(action)
    assert not info["success"] and reward == 0.0
    assert not env.unwrapped.history[-1].outcome.valid
    assert obs["feedback"].startswith("Your action was not accepted:")
    assert env.observation_space.contains(obs)


def test_invalid_command_message_lists_the_commands():
    env = make()
    env.reset(seed=0)
    _, _, _, _, info = env.step("find me something")
    message = env.unwrapped.history[-1].outcome.message
    assert "'search: <query>'" in message and "'stop'" in message and "find me something" in message


def test_unknown_document_ids_are_named():
    env = make()
    env.reset(seed=0)
    _, _, _, _, info = env.step("answer: D000001, Dbogus")
    assert (
        "'Dbogus'" in env.unwrapped.history[-1].outcome.message
        and "'D000001'" not in env.unwrapped.history[-1].outcome.message
    )


def test_random_garbage_never_succeeds(channel):
    rng = random.Random(0)
    env = make(channel)
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789 :,.-D"
    for seed in range(30):
        env.reset(seed=seed)
        for _ in range(3):
            action = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 60)))
            _, _, terminated, truncated, info = env.step(action)
            assert not info["success"]
            if terminated or truncated:
                break


def test_random_documents_from_the_collection_rarely_succeed():
    env = make("unary", patience=None)
    ids = env.unwrapped.task.collection.doc_ids
    rng = random.Random(1)
    wins = 0
    for seed in range(100):
        env.reset(seed=seed)
        _, _, _, _, info = env.step("answer: " + " ".join(rng.sample(ids, 3)))
        wins += info["success"]
    assert wins <= 2


def test_search_shows_ranked_results_and_is_not_graded():
    env = make()
    obs, info = env.reset(seed=0)
    request = info["problem"]["request"]
    obs, reward, terminated, _, info = env.step(f"search: {request}")
    shown = results(obs)
    assert len(shown) == 10 and reward == 0.0 and not terminated
    assert (
        env.unwrapped.history[-1].outcome.graded is False
        and env.unwrapped.history[-1].outcome.diagnosis["results"] == shown
    )
    assert request in obs["observation"] and reward == 0.0
    obs, _, _, _, _ = env.step(f"search: {request} -{shown[0]} -{shown[1]}")
    assert shown[0] not in results(obs) and shown[1] not in results(obs)
    assert results(obs)[:8] == shown[2:]
    assert "leaving out 2 documents" in obs["observation"]


def test_search_with_no_known_word_says_so():
    env = make()
    env.reset(seed=0)
    obs, _, _, _, info = env.step("search: the of and")
    assert results(obs) == [] and "no document matches" in obs["observation"]


def test_answers_carry_round_and_metrics():
    env = make("scalar", patience=None)
    env.reset(seed=2)
    qrels = env.unwrapped.problem.data["qrels"]
    ideal = env.unwrapped.problem.data["ideal"]
    bad = [d for d in env.unwrapped.task.collection.doc_ids if d not in qrels][:3]
    _, r1, _, _, info = env.step("answer: " + " ".join(bad))
    assert env.unwrapped.history[-1].outcome.diagnosis["round"] == 1 and r1 == 0.0
    assert env.unwrapped.history[-1].outcome.diagnosis["recall@10"] == 0.0
    partial = [ideal[0]] + bad[:2]
    _, r2, _, _, info = env.step("answer: " + " ".join(partial))
    d = env.unwrapped.history[-1].outcome.diagnosis
    assert d["round"] == 2 and 0.0 < d["ndcg@3"] < 0.8 and r2 == d["ndcg@3"]
    assert d["recall@10"] == pytest.approx(1 / len(qrels))
    assert info["feedback"].value == pytest.approx(d["ndcg@3"])


def test_stop_ends_the_conversation(channel):
    env = make(channel)
    env.reset(seed=0)
    _, reward, terminated, truncated, info = env.step("stop")
    assert terminated and not truncated and reward == 0.0 and not info["success"]
    assert info["feedback"].end


def test_patience_ends_the_conversation(channel):
    env = make(channel, patience=2)
    env.reset(seed=0)
    _, _, terminated, _, _ = env.step("search: anything")
    assert not terminated
    _, _, terminated, _, _ = env.step("ask: what do you mean?")
    assert not terminated
    _, _, terminated, _, info = env.step("answer: D000001")
    assert (
        terminated
        and info["feedback"].end
        and env.unwrapped.history[-1].feedback.notes["ended"] == "patience"
    )


def test_turn_budget_truncates():
    env = make(max_turns=3, patience=None)
    env.reset(seed=0)
    for _ in range(3):
        _, _, terminated, truncated, _ = env.step("search: something")
    assert truncated and not terminated


def test_info_feedback_is_typed_and_problem_hides_the_facet():
    env = make()
    _, info = env.reset(seed=4)
    assert info["feedback"] is None
    public = json.dumps(info["problem"])
    facet = env.unwrapped.problem.data["facet"]
    assert (
        facet.id not in public and facet.name not in public and facet.id not in info["problem_id"]
    )
    _, _, _, _, info = env.step("ask: what do you want?")
    assert isinstance(info["feedback"], Feedback)
    assert Feedback.from_json(info["feedback"].to_json()) == info["feedback"]


def test_env_rejects_bad_configuration():
    from fbgym.errors import ConfigError

    with pytest.raises(ConfigError, match="threshold"):
        make(threshold=1.5)
    with pytest.raises(ConfigError, match="cooperativeness"):
        make(cooperativeness=2.0)
    with pytest.raises(ConfigError, match="patience"):
        make(patience=0)
    with pytest.raises(ConfigError, match="passages=50 cannot hold"):
        make(passages=50)
    with pytest.raises(ValueError, match="unknown feedback channel"):
        make("telepathy")


def test_malformed_commands_do_not_use_up_patience():
    env = make(patience=2)
    env.reset(seed=0)
    for action in ["nonsense", "answer: Dbogus", "ask:"]:
        _, _, terminated, _, _ = env.step(action)
        assert not terminated
    _, _, terminated, _, _ = env.step("ask: which part?")
    assert not terminated
    _, _, terminated, _, _ = env.step("ask: anything else?")
    assert terminated
