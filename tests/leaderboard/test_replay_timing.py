"""Replay settles verdicts that depend on the machine's speed, and nothing else."""

import json

import gymnasium as gym
import pytest

from fbgym.errors import SubmissionRejected
from fbgym.leaderboard.replay import PATIENCE, replay_all, replay_episode
from fbgym.sandbox import Limits, Sandbox

WALL_S = 0.5
"""The episodes' time limit: the recorded runs are given more or less, as another machine."""
KWARGS = {"wall_s": WALL_S}
SEED = 3


def _slow(reference: str, entry: str, total_s: float, tests: int) -> str:
    """The reference solution, sleeping so that its tests take ``total_s`` together."""
    return (
        f"import time\n{reference}\n_reference = {entry}\n\n"
        f"def {entry}(*args):\n    time.sleep({total_s / tests!r})\n"
        "    return _reference(*args)\n"
    )


def _record(actions, machine_s, monkeypatch, channel="verbal"):
    """The record of an episode played where programs get ``machine_s`` seconds."""
    with Sandbox(Limits(wall_s=machine_s)) as box, monkeypatch.context() as patch:
        patch.setattr("fbgym.envs.code.task.shared_sandbox", lambda *a, **k: box)
        env = gym.make("fbgym/Code-v0", feedback=channel, **KWARGS)
        _, info = env.reset(seed=SEED)
        problem = env.unwrapped.problem
        entry, tests = problem.data["entry_point"], len(problem.data["tests"])
        transcript = []
        for make in actions:
            action = make(problem.answer, entry, tests)
            _, reward, terminated, truncated, _ = env.step(action)
            turn = env.unwrapped.history[-1]
            transcript.append(
                {
                    "action": action,
                    "reward": float(reward),
                    "outcome": turn.outcome.to_dict(),
                    "feedback": turn.feedback.to_dict(),
                }
            )
            if terminated or truncated:
                break
        env.close()
    record = {
        "key": f"fbgym/Code-v0|{channel}|wall_s=0.5|{SEED}",
        "env_id": "fbgym/Code-v0",
        "channel": channel,
        "kwargs": KWARGS,
        "seed": SEED,
        "problem_id": info["problem_id"],
        "max_turns": 5,
        "transcript": transcript,
        "error": None,
    }
    return json.loads(json.dumps(record, sort_keys=True, default=str))


def _wrong(reference, entry, tests):
    return f"def {entry}(*args):\n    return None\n"


def _takes(total_s):
    return lambda reference, entry, tests: _slow(reference, entry, total_s, tests)


def _outcome(record, turn):
    return record["transcript"][turn - 1]["outcome"]


def test_a_program_that_finished_on_a_faster_machine_is_accepted(monkeypatch):
    # 0.8 s of tests: out of time at 0.5 s here, done within 1.5 s given patience.
    record = _record([_wrong, _takes(0.8)], machine_s=WALL_S * PATIENCE, monkeypatch=monkeypatch)
    assert _outcome(record, 2)["success"] and not _outcome(record, 2)["diagnosis"]["timeout"]
    assert replay_episode(record) == 1
    assert replay_all([record]).settled == 1


def test_a_program_that_ran_out_of_time_on_a_slower_machine_is_accepted(monkeypatch):
    # 0.8 s of tests against 0.25 s there: fewer tests passed before time ran out than here.
    record = _record([_takes(0.8)] + [_wrong] * 4, machine_s=WALL_S / 2, monkeypatch=monkeypatch)
    first = _outcome(record, 1)
    assert first["diagnosis"]["timeout"] and first["diagnosis"]["status"] == "timeout"
    assert replay_episode(record) == 1  # the feedback after it matches the recorded verdict


def test_a_forged_success_of_a_slow_program_is_rejected(monkeypatch):
    # Too slow for any machine the patience allows: 4 s of tests against 1.5 s given.
    record = _record([_takes(4.0)], machine_s=5.0, monkeypatch=monkeypatch)
    assert _outcome(record, 1)["success"]
    with pytest.raises(SubmissionRejected, match="replay-mismatch") as caught:
        replay_episode(record)
    assert "given 1.5 s instead of 0.5 s" in str(caught.value)


def test_a_forged_success_of_a_wrong_program_is_rejected(monkeypatch):
    record = _record([_takes(0.8)], machine_s=WALL_S * PATIENCE, monkeypatch=monkeypatch)
    wrong = _record([_wrong], machine_s=WALL_S, monkeypatch=monkeypatch)
    record["transcript"][0]["action"] = wrong["transcript"][0]["action"]  # a changed action
    with pytest.raises(SubmissionRejected, match="replay-mismatch"):
        replay_episode(record)


def test_a_forged_timeout_that_claims_more_than_the_program_does_is_rejected(monkeypatch):
    record = _record([_takes(0.8)] + [_wrong] * 4, machine_s=WALL_S / 2, monkeypatch=monkeypatch)
    first = _outcome(record, 1)
    first["diagnosis"]["passed"] = first["diagnosis"]["total"]  # more than it passes given time
    with pytest.raises(SubmissionRejected, match="replay-mismatch"):
        replay_episode(record)


def test_a_changed_verdict_that_does_not_involve_time_is_not_settled(monkeypatch):
    record = _record([_wrong] * 5, machine_s=WALL_S, monkeypatch=monkeypatch)
    _outcome(record, 1)["diagnosis"]["status"] = "timeout"
    with pytest.raises(SubmissionRejected, match="turn 1.outcome.diagnosis.status"):
        replay_episode(record)
