"""Leaderboard costs: replay verification, the checks before it, and a whole submit.

Replay and submit are ratios to playing the run; the checks that come before replay (strict
reading, schemas, settings, cost bound) are a ratio to replay, and strict JSON parsing a ratio
to the standard library's plain ``json.loads``.
"""

import json
import shutil

import pytest

import fbgym
from fbgym.agents.baselines import FeedbackAgent
from fbgym.leaderboard.loading import parse_jsonl
from fbgym.leaderboard.replay import replay_all
from fbgym.leaderboard.submit import checked_run, submit
from fbgym.runner import get_suite


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory):
    run = tmp_path_factory.mktemp("bench") / "run"
    fbgym.evaluate(FeedbackAgent(), get_suite("smoke"), run_dir=run)
    return run


@pytest.fixture(scope="module")
def records(smoke_run):
    return [json.loads(line) for line in (smoke_run / "episodes.jsonl").read_text().splitlines()]


@pytest.fixture(scope="module")
def play_seconds(smoke_run, per_call, tmp_path_factory):
    """Seconds to play the smoke suite with the feedback baseline (the reference)."""
    root = tmp_path_factory.mktemp("play")
    counter = iter(range(10**6))

    def play():
        fbgym.evaluate(FeedbackAgent(), get_suite("smoke"), run_dir=root / str(next(counter)))

    return per_call(play, number=1, repeat=3)


@pytest.fixture(scope="module")
def replay_seconds(records, per_call):
    """Seconds to replay the smoke run."""
    return per_call(lambda: replay_all(records), number=1, repeat=3)


def test_replay_smoke_run(benchmark, records, replay_seconds, play_seconds, report):
    result = benchmark(replay_all, records)
    assert result.replayed == len(records)
    report(benchmark, "replay_smoke", replay_seconds, play_seconds, "play_smoke")


def test_checks_before_replay(benchmark, smoke_run, replay_seconds, per_call, report):
    run, envs = benchmark(checked_run, smoke_run)
    assert len(run.episodes) == len(get_suite("smoke").specs()) and len(envs) == 4
    report(benchmark, "checks_smoke", per_call(lambda: checked_run(smoke_run), number=1, repeat=5),
           replay_seconds, "replay_smoke")  # fmt: skip


def test_strict_parsing(benchmark, smoke_run, per_call, report):
    data = (smoke_run / "episodes.jsonl").read_bytes()
    assert benchmark(parse_jsonl, data, "episodes.jsonl")
    plain = per_call(lambda: [json.loads(line) for line in data.splitlines()], number=3)
    report(benchmark, "strict_parse", per_call(lambda: parse_jsonl(data, "e"), number=3),
           plain, "json_loads")  # fmt: skip


def test_submit_smoke_run(benchmark, smoke_run, play_seconds, per_call, report, tmp_path):
    counter = iter(range(10**6))

    def fresh_submit():
        results = tmp_path / str(next(counter))
        submit(smoke_run, submitter="bench", results=results)
        shutil.rmtree(results)

    benchmark.pedantic(fresh_submit, rounds=3, iterations=1)
    report(benchmark, "submit_smoke", per_call(fresh_submit, number=1, repeat=3),
           play_seconds, "play_smoke")  # fmt: skip
