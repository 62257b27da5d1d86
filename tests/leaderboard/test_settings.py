"""Runs replay only the settings a suite allows; the board ranks each setting apart and labels it."""

import gzip
import json

import pytest

import fbgym
from fbgym.agents.base import BaseAgent
from fbgym.leaderboard import SubmissionRejected
from fbgym.leaderboard.checks import episode_totals
from fbgym.leaderboard.index import Index
from fbgym.leaderboard.store import ResultsStore
from fbgym.leaderboard.submit import submit
from fbgym.leaderboard.tables import leaderboard
from fbgym.leaderboard.text import format_leaderboard
from fbgym.runner import Suite, SuiteEntry
from fbgym.runner.suites import register_suite, unregister_suite


def _rejected(run, tmp_path, code, **kwargs) -> str:
    results = tmp_path / "results"
    with pytest.raises(SubmissionRejected) as caught:
        submit(run, submitter="ann", results=results, **kwargs)
    assert caught.value.code == code, str(caught.value)
    assert not list(results.glob("*/*/submission.json"))
    return caught.value.reason


def _write_problems(path, answer="7"):
    lines = [
        json.dumps({"question": f"Problem {i}: what is the answer?", "answer": f"#### {answer}"})
        for i in range(3)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_run_that_wrote_its_own_problems_is_rejected_before_any_env_is_made(
    math_run, tmp_path, no_env
):
    """The author writes easy problems into the run folder and solves them all."""
    data = _write_problems(tmp_path / "mine.jsonl")
    run = math_run("own-data", episodes=3, env_kwargs={"data_path": str(data)})
    assert all(json.loads(line)["success"] for line in (run / "episodes.jsonl").open())
    reason = _rejected(run, tmp_path, "env-kwargs")
    assert "'data_path'" in reason and "fbgym/Math-v0" in reason
    assert "without a suite" in reason and "pairwise" in reason  # says what is accepted


def test_data_file_named_by_a_run_is_never_opened(run_copy, editor, tmp_path, no_env, monkeypatch):
    """A gzip bomb beside the run: the submission is refused without reading it."""
    run = run_copy("plain")
    bomb = run / "problems.jsonl.gz"
    with gzip.open(bomb, "wb") as handle:
        handle.write(b"\0" * 2**20)
    opened = []
    real_open = gzip.open
    monkeypatch.setattr(gzip, "open", lambda *a, **k: opened.append(a) or real_open(*a, **k))
    editor.set_kwargs(run, "fbgym/Math-v0", {"data_path": str(bomb)})
    _rejected(run, tmp_path, "env-kwargs")
    assert opened == []


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_turns": 9},
        {"user": {"patience": 9}},
        {"privileged": 1},  # a run may ask to be shown privileged structure, with True only
        {"levels": [1]},
        {"seed": 3},
        {"pairwise": 1},  # equal to True in Python, but not the allowed value
    ],
    ids=["budget", "patient-user", "privileged", "difficulty", "dataset-seed", "int-for-bool"],
)
def test_run_without_a_suite_may_not_change_the_env(math_run, tmp_path, kwargs, no_env):
    run = math_run("changed", env_kwargs=kwargs)
    reason = _rejected(run, tmp_path, "env-kwargs")
    assert repr(next(iter(kwargs))) in reason


def test_allowed_kwarg_without_a_suite_is_accepted(math_run, tmp_path):
    run = math_run("pairwise", channels=["ranked"], env_kwargs={"pairwise": True})
    (folder,) = submit(run, submitter="ann", results=tmp_path / "results")
    manifest = json.loads((folder / "submission.json").read_text())
    assert manifest["envs"]["fbgym/Math-v0"]["kwargs"] == {"pairwise": True}


@pytest.mark.parametrize("kwargs", [{"max_turns": 50}, {"data_path": "x.jsonl"}, {"pairwise": 0}])
def test_suite_run_with_other_kwargs_than_its_suite_is_rejected(
    run_copy, editor, tmp_path, kwargs, no_env
):
    run = run_copy("feedback")
    editor.set_kwargs(run, "fbgym/Math-v1", kwargs)
    reason = _rejected(run, tmp_path, "env-kwargs")
    assert "suite smoke@2" in reason and "fbgym/Math-v1" in reason


def test_timeout_turn_copied_many_times_is_rejected_before_replay(
    run_copy, editor, tmp_path, no_env
):
    """A longer budget and time limit, and one slow turn repeated: refused unplayed."""
    run = run_copy("plain")

    def stretch(records):
        for record in records:
            record["transcript"] = record["transcript"][:1] * 400
            record.update(episode_totals(record["transcript"]), max_turns=1000)

    editor.edit_episodes(run, stretch)
    editor.set_kwargs(run, "fbgym/Math-v0", {"max_turns": 1000, "wall_s": 60})
    _rejected(run, tmp_path, "env-kwargs")


class Peeker(BaseAgent):
    """Declares no privileged access; answers from whatever the env's info holds."""

    name = "peeker"

    def act(self, observation, info):
        return f"The answer is {len(info.get('problem', {}))}"


@pytest.fixture
def privileged_suite():
    suite = register_suite(
        Suite("peek", 1, (SuiteEntry("fbgym/Math-v0", ("verbal",), 3, {"privileged": True}),))
    )
    yield suite
    unregister_suite(suite.name)


def test_privileged_label_follows_the_env_not_the_agent(privileged_suite, tmp_path):
    run = tmp_path / "peek"
    fbgym.evaluate(Peeker(), privileged_suite, run_dir=run, executor="serial")
    assert json.loads((run / "meta.json").read_text())["agent"]["privileged"] is False
    results = tmp_path / "results"
    submit(run, submitter="ann", results=results)
    table = leaderboard(Index(ResultsStore(results)).episodes())
    assert table["privileged"].all()
    assert set(table["setting"]) == {"peek@1 [privileged]"}
    text = format_leaderboard(table)
    assert text.startswith("peek@1 [privileged] · all · all")
    assert "privileged" in text.splitlines()[3]  # the row's notes too


def test_settings_are_ranked_apart_never_mixed(math_run, tmp_path):
    results = tmp_path / "results"
    plain = math_run("plain", channels=["ranked"])
    pairwise = math_run("pairwise", channels=["ranked"], env_kwargs={"pairwise": True})
    for run in (plain, pairwise):
        submit(run, submitter="ann", results=results)
    table = leaderboard(Index(ResultsStore(results)).episodes())
    ranked = table[table["channel"] == "ranked"]
    assert len(ranked) == 2 and set(ranked["rank"]) == {1}  # each first in its own setting
    assert set(ranked["setting"]) == {"fbgym/Math-v0", "fbgym/Math-v0 {pairwise=True}"}
    text = format_leaderboard(table)
    assert "fbgym/Math-v0 · math · ranked" in text
    assert "fbgym/Math-v0 {pairwise=True} · math · ranked" in text


def test_privileged_agent_is_ranked_apart_from_others(played, math_run, tmp_path):
    results = tmp_path / "results"
    submit(played["plain"], submitter="ann", results=results)  # the feedback baseline
    submit(math_run("seven", episodes=3), submitter="bob", results=results)
    table = leaderboard(Index(ResultsStore(results)).episodes(), family="math")
    settings = dict(zip(table["agent"], table["setting"]))
    assert settings == {
        "feedback-baseline": "fbgym/Math-v0 [privileged]",
        "seven": "fbgym/Math-v0",
    }
    assert list(table["rank"]) == [1, 1]


def test_unverified_run_is_ranked_apart_from_replayed_ones(played, run_copy, editor, tmp_path):
    """Marking a turn per episode as not replayable skips replay: such scores rank apart."""
    run = run_copy("blind")

    def forge(records):
        for record in records:
            last = record["transcript"][-1]
            last["feedback"]["notes"]["replayable"] = False
            last["outcome"].update(success=True, score=1.0)
            last["reward"] = 1.0
            record.update(episode_totals(record["transcript"]))

    editor.edit_episodes(run, forge)
    results = tmp_path / "results"
    submit(played["feedback"], submitter="ann", results=results)
    (forged,) = submit(run, submitter="mallory", results=results)
    assert json.loads((forged / "submission.json").read_text())["status"] == "unverified"
    table = leaderboard(Index(ResultsStore(results)).episodes(), family="all")
    assert dict(zip(table["submitter"], table["setting"])) == {
        "ann": "smoke@2 [privileged]",
        "mallory": "smoke@2 [privileged] [unverified]",
    }
    assert list(table["rank"]) == [1, 1]  # each first in its own setting
