"""Forged, broken or unsafe submissions are rejected with a precise reason, and nothing is stored."""

import json
import re

import pytest

from fbgym.leaderboard import SubmissionRejected
from fbgym.leaderboard.checks import episode_totals
from fbgym.leaderboard.limits import SubmissionLimits
from fbgym.leaderboard.submit import submit
from fbgym.runner import get_suite

SMOKE_EPISODES = len(get_suite("smoke").specs())


def _rejected(run, tmp_path, code, *, submitter="ann", **kwargs) -> str:
    results = tmp_path / "results"
    with pytest.raises(SubmissionRejected) as caught:
        submit(run, submitter=submitter, results=results, **kwargs)
    assert caught.value.code == code, str(caught.value)
    assert not list(results.glob("*/*/submission.json"))  # nothing stored
    return caught.value.reason


def _failed_episode(records):
    """A failed math episode of several turns (its score is 0 whatever the machine's speed)."""
    return next(
        i
        for i, r in enumerate(records)
        if not r["success"] and len(r["transcript"]) > 1 and r["family"] == "math"
    )


def test_edited_reported_score_is_rejected(run_copy, editor, tmp_path):
    run = run_copy("blind")

    def forge(records):
        records[_failed_episode(records)]["score"] = 1.0

    editor.edit_episodes(run, forge)
    reason = _rejected(run, tmp_path, "inconsistent")
    assert "reported score 1.0 but its transcript gives 0.0" in reason


def test_edited_outcome_with_matching_totals_is_caught_by_replay(run_copy, editor, tmp_path):
    run = run_copy("blind")

    def forge(records):
        record = records[_failed_episode(records)]
        last = record["transcript"][-1]
        last["outcome"].update(success=True, score=1.0, utility=1.0)
        record.update(episode_totals(record["transcript"]))  # a careful forger fixes the totals

    editor.edit_episodes(run, forge)
    reason = _rejected(run, tmp_path, "replay-mismatch")
    assert "outcome.score: recorded 1.0, replay gives 0.0" in reason


def test_edited_action_is_rejected(run_copy, editor, tmp_path):
    run = run_copy("feedback")
    records = editor.episodes(run)
    index = next(i for i, r in enumerate(records) if len(r["transcript"]) > 1)
    records[index]["transcript"][0]["action"] = "The answer is 123456789."
    editor.write_episodes(run, records)
    reason = _rejected(run, tmp_path, "replay-mismatch")
    assert f"episode {records[index]['key']!r}: turn 1" in reason


def test_dropped_episode_is_rejected(run_copy, editor, tmp_path):
    run = run_copy("feedback")
    dropped = editor.episodes(run)[4]["key"]
    editor.edit_episodes(run, lambda records: records.pop(4))
    reason = _rejected(run, tmp_path, "missing-episodes")
    assert f"incomplete: 1 of {SMOKE_EPISODES} episodes" in reason and repr(dropped) in reason


def test_episode_dropped_from_meta_too_is_missing_from_the_suite(run_copy, editor, tmp_path):
    run = run_copy("feedback")
    dropped = editor.episodes(run)[4]["key"]
    editor.edit_episodes(run, lambda records: records.pop(4))
    editor.edit_meta(run, lambda meta: meta["episodes"].remove(dropped))
    reason = _rejected(run, tmp_path, "missing-episodes")
    assert f"1 of the {SMOKE_EPISODES} episodes of suite smoke@2 are missing" in reason


def test_changed_seed_is_rejected(run_copy, editor, tmp_path):
    run = run_copy("feedback")
    records = editor.episodes(run)
    records[2]["seed"] += 1
    editor.write_episodes(run, records)
    reason = _rejected(run, tmp_path, "inconsistent")
    changed = f"{records[2]['key'].rsplit('|', 1)[0]}|{records[2]['seed']}"
    assert f"(line 3): its env, channel, kwargs and seed make the key {changed!r}" in reason


def test_changed_seed_with_matching_key_is_caught_by_replay(run_copy, editor, tmp_path):
    run = run_copy("plain")  # no suite, so only replay can tell

    key = editor.episodes(run)[1]["key"].rsplit("|", 1)[0] + "|7"

    def forge(records):
        records[1].update(seed=7, key=key)

    editor.edit_episodes(run, forge)
    editor.edit_meta(run, lambda meta: meta["episodes"].__setitem__(1, key))
    assert editor.episodes(run)[1]["problem_id"] != editor.episodes(run)[0]["problem_id"]
    reason = _rejected(run, tmp_path, "replay-mismatch")
    assert "seed 7 plays problem" in reason and "but the record says" in reason


def test_suite_run_from_another_seed_is_rejected(run_copy, editor, tmp_path):
    run = run_copy("feedback")
    editor.edit_meta(run, lambda meta: meta.update(seed=3))
    reason = _rejected(run, tmp_path, "missing-episodes")
    assert "starts at seed 3" in reason


def test_env_version_that_does_not_exist_is_rejected(run_copy, editor, tmp_path):
    run = run_copy("plain")
    for name in ("meta.json", "episodes.jsonl"):
        path = run / name
        path.write_text(path.read_text().replace("fbgym/Math-v0", "fbgym/Math-v9"))
    reason = _rejected(run, tmp_path, "unknown-env")
    assert "'fbgym/Math-v9'" in reason and re.search(r"did you mean [^?]*'fbgym/Math-v0'", reason)


def test_unknown_suite_version_is_rejected(run_copy, editor, tmp_path):
    run = run_copy("feedback")
    editor.edit_meta(run, lambda meta: meta.update(suite="smoke@9"))
    assert "smoke@9 does not exist; this fbgym defines smoke@2" in _rejected(
        run, tmp_path, "unknown-suite"
    )


def test_transcript_cut_short_without_an_error_is_rejected(run_copy, editor, tmp_path):
    run = run_copy("blind")

    def forge(records):
        record = records[_failed_episode(records)]
        record["transcript"].pop()
        record.update(episode_totals(record["transcript"]))

    editor.edit_episodes(run, forge)
    assert "the episode was not over" in _rejected(run, tmp_path, "replay-mismatch")


def test_duplicate_submission_is_rejected(run_copy, tmp_path):
    run = run_copy("feedback")
    (stored,) = submit(run, submitter="ann", results=tmp_path / "results")
    for submitter in ("ann", "bob"):  # the same run under another name is the same run
        with pytest.raises(SubmissionRejected) as caught:
            submit(run, submitter=submitter, results=tmp_path / "results")
        assert caught.value.code == "duplicate" and str(stored) in caught.value.reason
    assert len(list((tmp_path / "results").glob("*/*/submission.json"))) == 1


def test_oversized_file_is_rejected(run_copy, tmp_path):
    run = run_copy("feedback")
    size = (run / "episodes.jsonl").stat().st_size
    reason = _rejected(run, tmp_path, "too-large", limits=SubmissionLimits(max_bytes=size - 1))
    assert f"is {size:,} bytes; the limit is {size - 1:,} bytes" in reason


def test_malformed_json_line_is_rejected(run_copy, tmp_path):
    run = run_copy("feedback")
    lines = (run / "episodes.jsonl").read_text().splitlines(keepends=True)
    lines[2] = lines[2][:40] + "\n"
    (run / "episodes.jsonl").write_text("".join(lines))
    assert "episodes.jsonl line 3 is not valid JSON" in _rejected(run, tmp_path, "malformed")


def test_torn_last_line_is_rejected(run_copy, tmp_path):
    run = run_copy("feedback")
    data = (run / "episodes.jsonl").read_bytes()
    (run / "episodes.jsonl").write_bytes(data[:-30])
    assert "torn line" in _rejected(run, tmp_path, "malformed")


def test_malformed_meta_is_rejected(run_copy, tmp_path):
    run = run_copy("feedback")
    (run / "meta.json").write_text('{"agent": ')
    assert "meta.json is not valid JSON" in _rejected(run, tmp_path, "malformed")


def test_non_finite_number_is_rejected(run_copy, tmp_path):
    run = run_copy("feedback")
    path = run / "episodes.jsonl"
    path.write_text(path.read_text().replace('"elapsed_s": ', '"elapsed_s": NaN, "x": ', 1))
    assert "non-finite number NaN" in _rejected(run, tmp_path, "malformed")


def test_wrong_type_is_a_schema_rejection_naming_the_field(run_copy, editor, tmp_path):
    run = run_copy("feedback")
    editor.edit_episodes(
        run, lambda records: records[0]["transcript"][0]["outcome"].update(score="high")
    )
    reason = _rejected(run, tmp_path, "schema")
    assert "episodes.jsonl line 1: transcript[0].outcome.score: 'high' is not of type" in reason


@pytest.mark.parametrize("name", ["../evil", "a/b", ".hidden", "", "x" * 65, "ann\n", "..", "ü"])
def test_unsafe_submitter_is_rejected(run_copy, tmp_path, name):
    run = run_copy("feedback")
    reason = _rejected(run, tmp_path, "unsafe-name", submitter=name)
    assert f"submitter {name!r} cannot be used as a directory name" in reason
    assert not (tmp_path / "evil").exists()


@pytest.mark.parametrize("name", ["../../escaped", "/tmp/abs", "agent name"])
def test_unsafe_agent_name_is_rejected(run_copy, editor, tmp_path, name):
    run = run_copy("feedback")
    editor.edit_meta(run, lambda meta: meta["agent"].update(name=name))
    assert f"agent name {name!r}" in _rejected(run, tmp_path, "unsafe-name")
    assert not (tmp_path.parent / "escaped").exists()


def test_benchmark_json_without_run_dir_is_rejected(tmp_path):
    path = tmp_path / "bench.json"
    path.write_text(json.dumps({"benchmarks": [{"name": "x", "extra_info": {}}]}))
    assert "no benchmark carries extra_info['fbgym_run_dir']" in _rejected(
        path, tmp_path, "malformed"
    )
