"""Accepted submissions: stored byte for byte, labelled, indexed; odd but honest runs pass."""

import dataclasses
import json

import pytest

import fbgym
from fbgym.agents.base import BaseAgent
from fbgym.envs.math.env import MathEnv
from fbgym.leaderboard import SubmissionRejected
from fbgym.leaderboard.index import Index
from fbgym.leaderboard.schema import schema_document, validate
from fbgym.leaderboard.store import ResultsStore
from fbgym.leaderboard.submit import AgentLabel, submit


class OddAgent(BaseAgent):
    """Sends a non-string action first, then a wrong answer, then raises in its 2nd episode."""

    name = "odd"
    episodes = 0

    def reset(self, instruction, *, seed=None):
        self.turn = 0
        self.episodes += 1

    def act(self, observation, info):
        self.turn += 1
        if self.turn == 1:
            return 42
        if self.turn == 2 or self.episodes != 2:
            return "The answer is -987654."
        raise RuntimeError("out of ideas")


def test_accepted_run_is_stored_verbatim_and_indexed(played, tmp_path):
    results = tmp_path / "results"
    (folder,) = submit(
        played["feedback"], submitter="ann", results=results,
        label=AgentLabel(version="1.2", model="none", revision="abc123"),
    )  # fmt: skip
    assert folder.parent == results / "ann" and folder.name.startswith("feedback-baseline-")
    for name in ("meta.json", "episodes.jsonl"):
        assert (folder / name).read_bytes() == (played["feedback"] / name).read_bytes()
    manifest = json.loads((folder / "submission.json").read_text())
    validate("manifest", manifest, "submission.json")
    assert manifest["status"] == "verified" and manifest["suite"] == {"name": "smoke", "version": 2}
    assert manifest["agent"]["version"] == "1.2" and manifest["agent"]["revision"] == "abc123"
    assert manifest["envs"]["fbgym/Math-v1"]["version"] == 1
    episodes = Index(ResultsStore(results)).episodes()
    assert len(episodes) == manifest["episodes"] == len(json.loads(
        (folder / "meta.json").read_text())["episodes"])  # fmt: skip
    assert set(episodes["status"]) == {"verified"}


def test_non_string_actions_and_agent_errors_replay(tmp_path):
    run = tmp_path / "odd"
    df = fbgym.evaluate(OddAgent(), ["fbgym/Math-v0"], channels=["verbal"], episodes=2, run_dir=run)
    assert df["error"].isna().tolist() == [True, False] and "out of ideas" in df["error"][1]
    first = json.loads((run / "episodes.jsonl").read_text().splitlines()[0])["transcript"][0]
    assert first["action"] is None and first["action_type"] == "int"
    (folder,) = submit(run, submitter="ann", results=tmp_path / "results")
    assert json.loads((folder / "submission.json").read_text())["status"] == "verified"

    lines = (
        (run / "episodes.jsonl")
        .read_text()
        .replace('"action_type": "int"', '"action_type": "float"')
    )
    (run / "episodes.jsonl").write_text(lines)
    with pytest.raises(SubmissionRejected) as caught:
        submit(run, submitter="bob", results=tmp_path / "other")
    assert caught.value.code == "replay-mismatch"
    assert "got int" in caught.value.reason and "got float" in caught.value.reason


class _Unreplayable:
    """A simulated user whose feedback is marked as not replayable, as a model's would be."""

    def __init__(self, inner):
        self.inner = inner
        self.channel = inner.channel

    def respond(self, problem, history, outcome, rng):
        feedback = self.inner.respond(problem, history, outcome, rng)
        return dataclasses.replace(feedback, notes={**feedback.notes, "replayable": False})


def _unreplayable_env(feedback="verbal", **kwargs):
    env = MathEnv(feedback, **kwargs)
    env.simulator = _Unreplayable(env.simulator)
    return env


@pytest.fixture
def unreplayable_id():
    env_id = "fbgymtest/Unreplayable-v0"
    fbgym.register(env_id, _unreplayable_env, family="math", channels=("verbal",))
    yield env_id
    fbgym.registry.unregister(env_id)


def test_model_backed_feedback_is_accepted_as_unverified(unreplayable_id, tmp_path):
    from fbgym.agents.baselines import FeedbackAgent

    run = tmp_path / "model"
    fbgym.evaluate(FeedbackAgent(), [unreplayable_id], episodes=3, run_dir=run)
    (folder,) = submit(run, submitter="ann", results=tmp_path / "results")
    manifest = json.loads((folder / "submission.json").read_text())
    assert manifest["status"] == "unverified" and manifest["unverified_episodes"] == 3
    episodes = Index(ResultsStore(tmp_path / "results")).episodes()
    assert set(episodes["status"]) == {"unverified"} and set(episodes["suite"]) == {None}


def test_benchmark_json_names_the_run(played, tmp_path):
    bench = tmp_path / "bench.json"
    bench.write_text(json.dumps({
        "version": "5.1.0",
        "benchmarks": [
            {"name": "test_agent[a]", "extra_info": {"fbgym_run_dir": str(played["plain"])}},
            {"name": "test_agent[b]", "extra_info": {"fbgym_run_dir": str(played["plain"])}},
        ],
    }))  # fmt: skip
    folders = submit(bench, submitter="ann", results=tmp_path / "results")
    assert len(folders) == 1 and (folders[0] / "submission.json").exists()


def test_published_schema_is_valid_json_schema():
    from jsonschema import Draft202012Validator

    document = schema_document()
    Draft202012Validator.check_schema(document)
    assert {"meta", "episode", "manifest", "turn", "feedback", "outcome"} <= set(document["$defs"])
