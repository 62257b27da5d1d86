"""Store and input hygiene: reserved names, files that are not files, strict JSON, closed schemas,
runs that mostly crashed, and a replay cost bounded before anything is replayed."""

import json
import os

import pytest

from fbgym.agents.base import BaseAgent
from fbgym.leaderboard import SubmissionRejected
from fbgym.leaderboard.checks import episode_totals
from fbgym.leaderboard.index import Index
from fbgym.leaderboard.limits import SubmissionLimits, replay_bound
from fbgym.leaderboard.replay import check_env
from fbgym.leaderboard.store import ResultsStore
from fbgym.leaderboard.submit import submit
from fbgym.registration import registry
from fbgym.runner import get_suite


def _rejected(run, tmp_path, code, *, submitter="ann", results=None, **kwargs) -> str:
    results = results or tmp_path / "results"
    with pytest.raises(SubmissionRejected) as caught:
        submit(run, submitter=submitter, results=results, **kwargs)
    assert caught.value.code == code, str(caught.value)
    assert not list(results.glob("*/*/submission.json"))
    return caught.value.reason


@pytest.mark.parametrize(
    "name",
    ["index.sqlite", "INDEX.sqlite", "index.sqlite-journal", "index.sqlite-wal", "README.md"],
)
def test_store_file_names_are_reserved(played, tmp_path, name, no_replay):
    results = tmp_path / "results"
    results.mkdir()
    (results / "README.md").write_text("# results\n")
    reason = _rejected(played["plain"], tmp_path, "unsafe-name", submitter=name, results=results)
    assert f"submitter {name!r}" in reason and "reserved" in reason


def test_store_keeps_working_after_a_reserved_name_is_tried(played, tmp_path):
    results = tmp_path / "results"
    with pytest.raises(SubmissionRejected):
        submit(played["plain"], submitter="index.sqlite", results=results)
    (folder,) = submit(played["plain"], submitter="bob", results=results)
    index = Index(ResultsStore(results))
    assert set(index.episodes()["submitter"]) == {"bob"}
    with ResultsStore(results).lock():
        assert index.rebuild() == 1
    assert folder.parent.name == "bob"


def test_submitter_folder_taken_by_a_file_is_rejected(played, tmp_path, no_replay):
    results = tmp_path / "results"
    results.mkdir()
    (results / "notes.txt").write_text("a file the reviewers keep here\n")
    reason = _rejected(
        played["plain"], tmp_path, "unsafe-name", submitter="notes.txt", results=results
    )
    assert "notes.txt" in reason


@pytest.mark.parametrize("target", ["/proc/self/mem", "/dev/zero", "copy"])
@pytest.mark.parametrize("name", ["meta.json", "episodes.jsonl"])
def test_symlinked_run_file_is_rejected(run_copy, tmp_path, target, name, no_replay):
    run = run_copy("plain")
    if target == "copy":
        target = tmp_path / f"elsewhere-{name}"
        target.write_bytes((run / name).read_bytes())
    (run / name).unlink()
    os.symlink(target, run / name)
    reason = _rejected(run, tmp_path, "malformed")
    assert name in reason and "symbolic link" in reason


def test_fifo_run_file_is_rejected_without_blocking(run_copy, tmp_path, no_replay):
    run = run_copy("plain")
    (run / "episodes.jsonl").unlink()
    os.mkfifo(run / "episodes.jsonl")
    assert "not a regular file" in _rejected(run, tmp_path, "malformed")


@pytest.mark.parametrize("number", ["1e400", "-1e400", "NaN", "Infinity", "-Infinity"])
def test_non_finite_numbers_are_rejected(run_copy, tmp_path, number, no_replay):
    run = run_copy("plain")
    path = run / "episodes.jsonl"
    path.write_text(path.read_text().replace('"elapsed_s": ', f'"elapsed_s": {number}, "x": ', 1))
    reason = _rejected(run, tmp_path, "malformed")
    assert "episodes.jsonl line 1" in reason and "non-finite" in reason


@pytest.mark.parametrize(
    "name, old, new",
    [
        ("meta.json", '"seed": 0', '"seed": 7, "seed": 0'),
        ("episodes.jsonl", '"error": null', '"error": "hidden", "error": null'),
        ("episodes.jsonl", '"success": false', '"success": true, "success": false'),
    ],
)
def test_duplicate_keys_are_rejected(run_copy, tmp_path, name, old, new, no_replay):
    run = run_copy("blind")
    path = run / name
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    reason = _rejected(run, tmp_path, "malformed")
    assert name in reason and f"{old.split(':')[0].strip(chr(34))!r} appears twice" in reason


@pytest.mark.parametrize(
    "where",
    ["episode", "turn", "outcome", "meta", "agent card", "meta env"],
)
def test_unknown_fields_are_rejected(run_copy, editor, tmp_path, where, no_replay):
    run = run_copy("plain")
    if where in ("episode", "turn", "outcome"):

        def add(records):
            record = records[0]
            target = {
                "episode": record,
                "turn": record["transcript"][0],
                "outcome": record["transcript"][0]["outcome"],
            }[where]
            target["sneaky"] = 1

        editor.edit_episodes(run, add)
    else:

        def add(meta):
            target = {
                "meta": meta,
                "agent card": meta["agent"],
                "meta env": meta["envs"]["fbgym/Math-v0"],
            }[where]
            target["sneaky"] = 1

        editor.edit_meta(run, add)
    assert "'sneaky' was unexpected" in _rejected(run, tmp_path, "schema")


def test_seed_beyond_what_the_index_holds_is_rejected(math_run, tmp_path, no_replay):
    run = math_run("huge-seed", episodes=1, seed=10**20)
    assert "seed" in _rejected(run, tmp_path, "schema")


class Raiser(BaseAgent):
    """Raises on every action."""

    name = "raiser"

    def act(self, observation, info):
        raise RuntimeError("out of ideas")


class SometimesRaiser(BaseAgent):
    """Raises in the first, third, ... episode it plays, answers in the others."""

    name = "sometimes"
    played = 0

    def reset(self, instruction, *, seed=None):
        self.played += 1

    def act(self, observation, info):
        if self.played % 2:
            raise RuntimeError("odd episode")
        return "The answer is 7"


def test_run_where_the_agent_mostly_raised_is_rejected(math_run, tmp_path, no_replay):
    run = math_run("raiser", agent=Raiser(), episodes=3)
    reason = _rejected(run, tmp_path, "agent-errors")
    assert "3 of 3 episodes" in reason and "RuntimeError: out of ideas" in reason


def test_run_where_the_agent_sometimes_raised_is_accepted(math_run, tmp_path):
    run = math_run("sometimes", agent=SometimesRaiser(), episodes=4)
    (folder,) = submit(run, submitter="ann", results=tmp_path / "results")
    assert json.loads((folder / "submission.json").read_text())["status"] == "verified"
    three = math_run("three", agent=SometimesRaiser(), episodes=3, seed=1)  # seeds 1, 2, 3
    assert "2 of 3 episodes" in _rejected(three, tmp_path, "agent-errors", results=tmp_path / "b")


@pytest.mark.parametrize(
    "limits, says",
    [
        (SubmissionLimits(max_episodes=2), "3 episodes"),
        (SubmissionLimits(max_turns=2), "turns"),
        (SubmissionLimits(max_replay_s=0.01), "s to replay"),
    ],
)
def test_replay_cost_over_the_limit_is_rejected_before_replay(
    played, tmp_path, limits, says, no_replay
):
    assert says in _rejected(played["plain"], tmp_path, "too-costly", limits=limits)


def test_transcript_longer_than_the_turn_budget_is_rejected_before_replay(
    run_copy, editor, tmp_path, no_replay
):
    run = run_copy("blind")
    turns = []

    def stretch(records):
        record = next(r for r in records if r["env_id"] == "fbgym/Math-v1")
        record["transcript"] = record["transcript"] + record["transcript"][-1:] * 40
        record.update(episode_totals(record["transcript"]))
        turns.append(len(record["transcript"]))

    editor.edit_episodes(run, stretch)
    reason = _rejected(run, tmp_path, "inconsistent")
    assert f"records {turns[0]} turns" in reason and "allows 5" in reason


def test_code_turns_count_at_the_sandbox_time_limit():
    code = check_env("fbgym/Code-v0", "code", {})
    math = check_env("fbgym/Math-v0", "math", {})
    assert code.turn_limit_s >= 2.0 > math.turn_limit_s


def test_the_default_suite_fits_the_default_replay_bound():
    """Every default-suite episode at its full turn budget: still under the limit."""
    specs = get_suite("default").specs()
    envs = {s.env_id: check_env(s.env_id, registry.get(s.env_id).family, s.kwargs) for s in specs}
    records = [
        {"key": s.key, "env_id": s.env_id, "transcript": [{}] * envs[s.env_id].max_turns}
        for s in specs
    ]
    bound = replay_bound(records, envs)
    limits = SubmissionLimits()
    assert bound.episodes == len(specs) <= limits.max_episodes
    assert bound.turns <= limits.max_turns and bound.seconds <= limits.max_replay_s
    assert bound.seconds >= 300 * 5 * 2.0  # the code episodes at the sandbox's limit
