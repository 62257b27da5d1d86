"""The channel is the only path from the judge to the agent: control agents that look elsewhere."""

import json
import sys

import pytest

import fbgym
from fbgym.agents import BlindAgent
from fbgym.leaderboard.sealed import evaluate_sealed
from fbgym.runner.suites import Suite, SuiteEntry, all_suites, register_suite
from tests.validity.controls import (
    GraderTamperer,
    IdRegenerator,
    InfoReader,
    InterpreterReader,
    ProcReader,
)

MATH = ["fbgym/Math-v0"]


def _play(agent, tmp_path, name, **kwargs):
    kwargs.setdefault("episodes", 20)
    return fbgym.evaluate(agent, MATH, run_dir=tmp_path / name, executor="serial", **kwargs)


def test_info_reader_scores_no_better_in_unary_than_the_blind_baseline(tmp_path):
    log = tmp_path / "seen.log"
    reader = _play(InfoReader(log), tmp_path, "reader", channels=["unary"], episodes=40)
    blind = _play(BlindAgent(), tmp_path, "blind", channels=["unary"], episodes=40)
    assert reader.success.mean() <= blind.success.mean() + 0.05
    seen = set(log.read_text().splitlines())
    assert seen == {"[] []"}  # no info key beyond the table, no judge's notes, ever


def test_info_reader_would_solve_math_from_a_leaked_closeness(tmp_path):
    """The control is real: handed an outcome's closeness, it solves within the budget."""
    from fbgym.core.types import Outcome

    env = fbgym.make("fbgym/Math-v0", feedback="unary")
    solved = 0
    for seed in range(20):
        obs, info = env.reset(seed=seed)
        agent = InfoReader(tmp_path / "leak.log")
        agent.reset(obs["instruction"], seed=seed)
        for _ in range(5):
            obs, _, terminated, truncated, info = env.step(agent.act(obs, info))
            leaked: Outcome = env.unwrapped.history[-1].outcome  # what info used to carry
            info = {**info, "outcome": leaked}
            if terminated or truncated:
                break
        solved += info["success"]
    assert solved >= 18


def test_interpreter_reader_finds_the_env_only_when_it_shares_the_judges_process(tmp_path):
    beside = _play(InterpreterReader(), tmp_path, "beside", channels=["verbal"], in_process=True)
    apart = _play(InterpreterReader(), tmp_path, "apart", channels=["verbal"])
    assert beside.success.all() and (beside.turns == 1).all()  # the exploit is real
    assert not apart.success.any()


@pytest.mark.skipif(sys.platform != "linux", reason="/proc and prctl are Linux's")
def test_proc_reader_cannot_read_the_judges_process(tmp_path):
    log = tmp_path / "opened.log"
    df = _play(ProcReader(log), tmp_path, "proc", channels=["verbal"], episodes=2)
    assert not df.success.any()
    assert set(log.read_text().splitlines()) == {""}  # nothing of the judge's could be opened
    meta = json.loads((tmp_path / "proc" / "meta.json").read_text())
    assert meta["agent_process"] == "separate" and meta["agent_isolation"]["judge_memory_hidden"]


def test_grader_tamperer_fails_every_episode_and_replays_as_such(tmp_path):
    from fbgym.leaderboard.submit import submit

    df = _play(GraderTamperer(), tmp_path, "tamper", channels=["verbal", "unary"], episodes=5)
    assert not df.success.any() and df.error.isna().all()
    (folder,) = submit(tmp_path / "tamper", submitter="ann", results=tmp_path / "results")
    manifest = json.loads((folder / "submission.json").read_text())
    assert manifest["status"] == "verified"


@pytest.fixture(scope="module")
def math_suite():
    if "controls-math" not in all_suites():
        register_suite(Suite("controls-math", 1, (SuiteEntry(MATH[0], ("verbal",), 30),)))
    return all_suites()["controls-math"]


def test_id_regenerator_solves_open_problems_and_guesses_on_sealed_ones(math_suite, tmp_path):
    open_run = fbgym.evaluate(
        IdRegenerator(), math_suite, run_dir=tmp_path / "open", executor="serial"
    )
    assert (open_run.attempts_to_success == 1).mean() >= 0.9  # public problems: solved
    folder = evaluate_sealed(
        IdRegenerator(), math_suite, submitter="host", results=tmp_path / "results",
        executor="serial",
    )  # fmt: skip
    manifest = json.loads((folder / "submission.json").read_text())
    assert manifest["evaluation"] == "sealed" and manifest["status"] == "verified"
    records = [json.loads(line) for line in (folder / "episodes.jsonl").open()]
    first = sum(r["attempts_to_success"] == 1 for r in records) / len(records)
    blind = fbgym.evaluate(BlindAgent(), math_suite, run_dir=tmp_path / "blind", executor="serial")
    assert first <= (blind.attempts_to_success == 1).mean() + 0.1  # chance, no better
    meta = json.loads((folder / "meta.json").read_text())
    assert meta["sealed_seed"] not in (0, None)
    assert all(r["kwargs"]["seed"] == meta["sealed_seed"] for r in records)
