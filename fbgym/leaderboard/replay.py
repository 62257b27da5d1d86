"""Replay verification: re-play every recorded action through its env and compare every turn.

An episode is a pure function of (env id and kwargs, seed, actions), so re-creating the env,
resetting it to the recorded seed and stepping the recorded actions must reproduce every
outcome, feedback and reward byte for byte. Feedback from a model-backed critic is marked
``notes["replayable"] = False``; such episodes cannot be re-played and count as unverified.

One thing in an episode is not a function of its actions: whether a program near its time
limit finished, which depends on the machine that ran it. A turn whose recorded or replayed
verdict is a timeout, and which replays otherwise, is settled by running its program again
with :data:`PATIENCE` times the time limit. The recorded verdict stands when the program,
given that time, does exactly what the record says (it finished on a faster machine), or
when the record is a timeout that claims no more than the program achieves given that time
and the program is slow here too (it ran out of time on a slower machine). Anything else is
a mismatch. A settled turn goes on with the recorded verdict, so the feedback and rewards
that follow it must match the record as they are.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import gymnasium as gym

from fbgym.core.types import Outcome, Problem, Turn
from fbgym.errors import SubmissionRejected, UnknownIdError
from fbgym.registration import registry
from fbgym.runner.player import stand_in

_VERSION = re.compile(r"-v(\d+)$")


STEP_S = 0.05
"""A generous bound on one reset or one step of an env that runs no code (they take ~1 ms)."""
PATIENCE = 3
"""How many times its time limit a program gets when a turn's verdict depends on time: the
record stands for a machine up to this many times faster, or slower, than the replaying one."""
SETTLED_SHARE = 0.05
"""At most this share of a run's turns (and three more) may be settled; each costs up to
:data:`PATIENCE` times its time limit again, on top of the replay's worst case."""


@dataclass(frozen=True)
class EnvCheck:
    """A registered env of the run: its version, turn budget, and the most a step may take."""

    env_id: str
    family: str
    version: int
    max_turns: int
    turn_limit_s: float = STEP_S
    """Seconds one replayed turn may take at worst: the time limit of the code it runs, if any."""
    reset_s: float = STEP_S
    """Seconds one reset may take at worst."""


def turn_limit_s(env: gym.Env) -> float:
    """The most one step of ``env`` may take: its task's time limit for running code, if any."""
    config = getattr(getattr(env.unwrapped, "task", None), "config", None)
    return STEP_S + float(getattr(config, "wall_s", 0.0) or 0.0)


@dataclass(frozen=True)
class ReplayReport:
    """What replay established: episodes re-played, and those that could not be."""

    replayed: int
    unverified: tuple[str, ...]
    settled: int = 0
    """Turns whose verdict depended on time, accepted as recorded (see the module's notes)."""

    @property
    def status(self) -> str:
        """``verified`` when every episode was re-played, else ``unverified``."""
        return "unverified" if self.unverified else "verified"


def check_env(env_id: str, family: str, kwargs: dict[str, Any]) -> EnvCheck:
    """That ``env_id`` (its version included) is registered, of ``family``, and constructible."""
    try:
        info = registry.get(env_id)
    except UnknownIdError as exc:
        raise SubmissionRejected("unknown-env", f"env version does not exist: {exc}") from None
    if info.family != family:
        raise SubmissionRejected(
            "inconsistent", f"{env_id} is of family {info.family!r}, not {family!r}"
        )
    try:
        env = gym.make(env_id, feedback=info.channels[0], **kwargs)
    except Exception as exc:  # bad kwargs of any kind: the run cannot have been made so
        raise SubmissionRejected(
            "replay-mismatch",
            f"cannot re-create {env_id} with kwargs {kwargs!r}: {type(exc).__name__}: {exc}",
        ) from None
    max_turns = int(getattr(env.unwrapped, "max_turns", 1))
    limit = turn_limit_s(env)
    env.close()
    match = _VERSION.search(env_id)
    return EnvCheck(env_id, family, int(match.group(1)) if match else 0, max_turns, limit)


def _normal(value: Any) -> Any:
    """``value`` as the runner's JSON record holds it."""
    return json.loads(json.dumps(value, sort_keys=True, default=str))


def _first_difference(recorded: Any, replayed: Any, path: str) -> str | None:
    if isinstance(recorded, dict) and isinstance(replayed, dict):
        for key in sorted(set(recorded) | set(replayed)):
            if key not in recorded or key not in replayed:
                side = "recorded" if key in recorded else "replayed"
                return f"{path}.{key} is only in the {side} turn"
            found = _first_difference(recorded[key], replayed[key], f"{path}.{key}")
            if found:
                return found
        return None
    if recorded != replayed or type(recorded) is not type(replayed):
        return f"{path}: recorded {recorded!r}, replay gives {replayed!r}"
    return None


def _replayable(record: dict[str, Any]) -> bool:
    return all(
        t["feedback"].get("notes", {}).get("replayable") is not False for t in record["transcript"]
    )


def _timed_out(outcome: dict[str, Any]) -> bool:
    diagnosis = outcome.get("diagnosis")
    return isinstance(diagnosis, dict) and diagnosis.get("timeout") is True


class _Settler:
    """The grader of a replayed env, which settles turns whose verdict depends on time.

    It stands in for the env's task: everything but :meth:`grade` is the task's own.
    """

    def __init__(self, task: Any, record: dict[str, Any], allowed: int):
        self.task, self.record, self.allowed = task, record, allowed
        self.limit = float(getattr(getattr(task, "config", None), "wall_s", 0.0) or 0.0)
        self.recorded: dict[str, Any] | None = None
        """The outcome the record gives the turn being replayed."""
        self.settled = 0
        self.note = ""
        """Why the last turn that depended on time could not be settled."""
        self._patient: Any = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.task, name)

    def grade(self, problem: Problem, action: str, history: Sequence[Turn]) -> Outcome:
        """The task's verdict, or the recorded one where that is what time made of it."""
        started = time.monotonic()
        outcome = self.task.grade(problem, action, history)
        elapsed = time.monotonic() - started
        recorded, self.note = self.recorded, ""
        replayed = _normal(outcome.to_dict())
        if recorded is None or replayed == recorded or self.limit <= 0:
            return outcome
        if not (_timed_out(recorded) or _timed_out(replayed)):
            return outcome
        if self.settled >= self.allowed:
            self.note = f"; more than {self.allowed} turns of the run depend on time"
            return outcome
        try:
            task = self._patient_task()
        except Exception as exc:  # the env takes no longer limit: the turn cannot be settled
            self.note = f"; it cannot be given more time ({type(exc).__name__}: {exc})"
            return outcome
        patient = _normal(task.grade(problem, action, history).to_dict())
        slow = _timed_out(replayed) or elapsed >= self.limit / PATIENCE
        if recorded == patient or (slow and _cut_short(recorded, patient)):
            try:
                settled = Outcome.from_dict(recorded)
            except (TypeError, ValueError):
                return outcome
            self.settled += 1
            return settled
        given = self.limit * PATIENCE
        self.note = (
            f"; given {given:g} s instead of {self.limit:g} s, the program gives "
            f"{_verdict(patient)}"
        )
        return outcome

    def _patient_task(self) -> Any:
        """The same task with :data:`PATIENCE` times the time limit (made once)."""
        if self._patient is None:
            record = self.record
            kwargs = {**record["kwargs"], "wall_s": self.limit * PATIENCE}
            self._patient = gym.make(record["env_id"], feedback=record["channel"], **kwargs)
        return self._patient.unwrapped.task

    def close(self) -> None:
        if self._patient is not None:
            self._patient.close()


def _cut_short(recorded: dict[str, Any], patient: dict[str, Any]) -> bool:
    """Whether ``recorded`` is what running out of time early makes of the ``patient`` run.

    A failed timeout over the same tests, passing no more of them, scored no higher; its
    first failure is the patient run's, unless it is the timeout itself (the test that time
    ran out in).
    """
    mine, theirs = recorded.get("diagnosis"), patient.get("diagnosis")
    if not (_timed_out(recorded) and recorded.get("success") is False):
        return False
    score, best = recorded.get("score"), patient.get("score")
    if not (isinstance(score, (int, float)) and isinstance(best, (int, float)) and score <= best):
        return False
    if not (isinstance(mine, dict) and isinstance(theirs, dict)) or mine.keys() != theirs.keys():
        return False
    passed, most = mine.get("passed"), theirs.get("passed")
    if not (type(passed) is int and type(most) is int and 0 <= passed <= most):
        return False
    if mine.get("total") != theirs.get("total"):
        return False
    if mine.get("status") == "timeout":
        return True
    return mine.get("status") == theirs.get("status") and mine.get("failure") == theirs.get(
        "failure"
    )


def _verdict(outcome: dict[str, Any]) -> str:
    diagnosis = outcome.get("diagnosis") or {}
    status = diagnosis.get("status", "success" if outcome.get("success") else "failure")
    return f"{status!r} with {diagnosis.get('passed')}/{diagnosis.get('total')} tests passed"


def replay_episode(record: dict[str, Any], *, settle: int = 3) -> int:
    """Re-play ``record``'s actions; a ``replay-mismatch`` rejection at the first difference.

    Up to ``settle`` turns whose verdict depends on time may be settled (see the module's
    notes); returns how many were.
    """
    key = record["key"]
    env = gym.make(record["env_id"], feedback=record["channel"], **record["kwargs"])
    settler = _Settler(env.unwrapped.task, record, settle)
    env.unwrapped.task = settler
    try:
        _, info = env.reset(seed=record["seed"])
        if info["problem_id"] != record["problem_id"]:
            raise SubmissionRejected(
                "replay-mismatch",
                f"episode {key!r}: seed {record['seed']} plays problem "
                f"{info['problem_id']!r}, but the record says {record['problem_id']!r}",
            )
        budget = getattr(env.unwrapped, "max_turns", None)
        if record.get("max_turns") is not None and record["max_turns"] != budget:
            raise SubmissionRejected(
                "replay-mismatch",
                f"episode {key!r}: recorded max_turns {record['max_turns']} "
                f"but the env allows {budget}",
            )
        done = False
        for number, turn in enumerate(record["transcript"], 1):
            if done:
                raise SubmissionRejected(
                    "replay-mismatch",
                    f"episode {key!r}: turn {number} is recorded after the "
                    f"episode ended at turn {number - 1}",
                )
            action = turn["action"]
            if action is None:
                action = stand_in(turn["action_type"])
            settler.recorded = turn["outcome"]
            _, reward, terminated, truncated, info = env.step(action)
            done = terminated or truncated
            turn_seen = env.unwrapped.history[-1]
            replayed = {
                "reward": float(reward),
                "outcome": turn_seen.outcome.to_dict(),
                "feedback": turn_seen.feedback.to_dict(),
            }
            recorded = {name: turn[name] for name in replayed}
            difference = _first_difference(recorded, _normal(replayed), f"turn {number}")
            if difference:
                raise SubmissionRejected(
                    "replay-mismatch", f"episode {key!r}: {difference}{settler.note}"
                )
        if not done and record["error"] is None:
            raise SubmissionRejected(
                "replay-mismatch",
                f"episode {key!r}: the transcript stops after turn "
                f"{len(record['transcript'])} but the episode was not over, and no agent "
                "error is recorded",
            )
        return settler.settled
    finally:
        settler.close()
        env.close()


def replay_all(
    records: Iterable[dict[str, Any]],
    on_done: Callable[[dict[str, Any]], None] | None = None,
) -> ReplayReport:
    """Re-play every replayable record; the others are reported as unverified.

    ``on_done`` is called with each record once it is re-played or set aside (for progress).
    """
    records = list(records)
    allowed = 3 + int(SETTLED_SHARE * sum(len(r["transcript"]) for r in records))
    replayed = settled = 0
    unverified = []
    for record in records:
        if not _replayable(record):
            unverified.append(record["key"])
            if on_done is not None:
                on_done(record)
            continue
        try:
            settled += replay_episode(record, settle=allowed - settled)
        except SubmissionRejected:
            raise
        except Exception as exc:  # the env itself failed on a recorded action
            raise SubmissionRejected(
                "replay-mismatch",
                f"episode {record['key']!r}: replay raised {type(exc).__name__}: {exc}",
            ) from exc
        replayed += 1
        if on_done is not None:
            on_done(record)
    return ReplayReport(replayed, tuple(unverified), settled)
