"""Leaderboard costs: replay verification and a whole submit, as ratios to playing the run."""

import json
import shutil

import pytest

import fbgym
from fbgym.agents.baselines import FeedbackAgent
from fbgym.leaderboard.replay import replay_all
from fbgym.leaderboard.submit import submit
from fbgym.runner import get_suite


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory):
    run = tmp_path_factory.mktemp("bench") / "run"
    fbgym.evaluate(FeedbackAgent(), get_suite("smoke"), run_dir=run)
    return run


@pytest.fixture(scope="module")
def play_seconds(smoke_run, per_call, tmp_path_factory):
    """Seconds to play the smoke suite with the feedback baseline (the reference)."""
    root = tmp_path_factory.mktemp("play")
    counter = iter(range(10**6))

    def play():
        fbgym.evaluate(FeedbackAgent(), get_suite("smoke"), run_dir=root / str(next(counter)))

    return per_call(play, number=1, repeat=3)


def test_replay_smoke_run(benchmark, smoke_run, play_seconds, per_call, report):
    records = [json.loads(line) for line in (smoke_run / "episodes.jsonl").read_text().splitlines()]
    result = benchmark(replay_all, records)
    assert result.replayed == len(records)
    report(benchmark, "replay_smoke", per_call(lambda: replay_all(records), number=1, repeat=3),
           play_seconds, "play_smoke")  # fmt: skip


def test_submit_smoke_run(benchmark, smoke_run, play_seconds, per_call, report, tmp_path):
    counter = iter(range(10**6))

    def fresh_submit():
        results = tmp_path / str(next(counter))
        submit(smoke_run, submitter="bench", results=results)
        shutil.rmtree(results)

    benchmark.pedantic(fresh_submit, rounds=3, iterations=1)
    report(benchmark, "submit_smoke", per_call(fresh_submit, number=1, repeat=3),
           play_seconds, "play_smoke")  # fmt: skip
