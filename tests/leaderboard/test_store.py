"""The results store: concurrent submits, an index rebuilt from the folders, tamper evidence."""

import json
import sqlite3
import subprocess
import sys

import pytest

from fbgym.errors import FbgymError
from fbgym.leaderboard.index import Index
from fbgym.leaderboard.store import ResultsStore
from fbgym.leaderboard.submit import submit


def _submit_process(run, submitter, results):
    return subprocess.Popen(
        [sys.executable, "-m", "fbgym.cli", "leaderboard", "submit", str(run),
         "--submitter", submitter, "--results", str(results)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


def test_concurrent_submits_store_each_run_once(played, tmp_path):
    results = tmp_path / "results"
    jobs = [
        _submit_process(played["feedback"], "ann", results),
        _submit_process(played["blind"], "bob", results),
        _submit_process(played["plain"], "cy", results),
        _submit_process(played["plain"], "dee", results),
        _submit_process(played["plain"], "eve", results),
    ]
    outputs = [job.communicate(timeout=300)[0] for job in jobs]
    codes = [job.returncode for job in jobs]
    assert codes[:2] == [0, 0], outputs
    assert sorted(codes[2:]) == [0, 1, 1], outputs  # the same run twice more: duplicates
    assert sum("rejected: duplicate" in out for out in outputs) == 2, outputs
    store = ResultsStore(results)
    assert len(store.folders()) == 3
    assert not list(results.glob(".tmp-*"))
    index = Index(store)
    before = index.episodes().sort_values(["submission_id", "key"]).reset_index(drop=True)
    assert before["submission_id"].nunique() == 3
    with store.lock():
        assert index.rebuild() == 3
    after = index.episodes().sort_values(["submission_id", "key"]).reset_index(drop=True)
    assert before.equals(after)


def test_staging_folders_are_not_submissions(played, tmp_path):
    results = tmp_path / "results"
    (folder,) = submit(played["plain"], submitter="ann", results=results)
    store = ResultsStore(results)
    manifest = json.loads((folder / "submission.json").read_text())
    staged = results / ".tmp-0123" / folder.name  # a writer's half-renamed copy, same digest
    staged.mkdir(parents=True)
    (staged / "submission.json").write_text(json.dumps(manifest))
    assert store.folders() == [folder]
    assert store.find(manifest["digest"]) == folder
    (folder / "submission.json").unlink()  # a folder without a manifest is not a submission
    assert store.folders() == []
    assert store.find(manifest["digest"]) is None
    assert ResultsStore(tmp_path / "missing").folders() == []


def test_index_is_rebuilt_when_missing_or_stale(played, tmp_path):
    results = tmp_path / "results"
    submit(played["plain"], submitter="ann", results=results)
    index = Index(ResultsStore(results))
    expected = index.episodes()
    index.path.unlink()
    assert index.episodes().equals(expected)
    with sqlite3.connect(index.path) as conn:
        conn.execute("PRAGMA user_version = 999")
    assert not index.is_current()
    assert index.episodes().equals(expected)


def test_index_totals_come_from_transcripts_not_reported_fields(played, tmp_path):
    results = tmp_path / "results"
    (folder,) = submit(played["blind"], submitter="ann", results=results)
    episodes = Index(ResultsStore(results)).episodes()
    stored = ResultsStore(results).read(folder)
    by_key = {r["key"]: r for r in stored.episodes}
    for row in episodes.itertuples():
        turns = by_key[row.key]["transcript"]
        assert row.turns == len(turns)
        assert row.success == any(t["outcome"]["success"] for t in turns)


def test_edited_stored_run_is_detected_on_rebuild(played, tmp_path):
    results = tmp_path / "results"
    (folder,) = submit(played["plain"], submitter="ann", results=results)
    path = folder / "episodes.jsonl"
    path.write_text(path.read_text().replace('"success": false', '"success": true', 1))
    store = ResultsStore(results)
    with pytest.raises(FbgymError, match="does not match the SHA-256 in its submission.json"):
        with store.lock():
            Index(store).rebuild()
