"""Replay verification: re-play every recorded action through its env and compare every turn.

An episode is a pure function of (env id and kwargs, seed, actions), so re-creating the env,
resetting it to the recorded seed and stepping the recorded actions must reproduce every
outcome, feedback and reward byte for byte. Feedback from a model-backed critic is marked
``notes["replayable"] = False``; such episodes cannot be re-played and count as unverified.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import gymnasium as gym

from fbgym.errors import SubmissionRejected, UnknownIdError
from fbgym.registration import registry
from fbgym.runner.player import stand_in

_VERSION = re.compile(r"-v(\d+)$")


STEP_S = 0.05
"""A generous bound on one reset or one step of an env that runs no code (they take ~1 ms)."""


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


def replay_episode(record: dict[str, Any]) -> None:
    """Re-play ``record``'s actions; a ``replay-mismatch`` rejection at the first difference."""
    key = record["key"]
    env = gym.make(record["env_id"], feedback=record["channel"], **record["kwargs"])
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
                raise SubmissionRejected("replay-mismatch", f"episode {key!r}: {difference}")
        if not done and record["error"] is None:
            raise SubmissionRejected(
                "replay-mismatch",
                f"episode {key!r}: the transcript stops after turn "
                f"{len(record['transcript'])} but the episode was not over, and no agent "
                "error is recorded",
            )
    finally:
        env.close()


def replay_all(
    records: Iterable[dict[str, Any]],
    on_done: Callable[[dict[str, Any]], None] | None = None,
) -> ReplayReport:
    """Re-play every replayable record; the others are reported as unverified.

    ``on_done`` is called with each record once it is re-played or set aside (for progress).
    """
    replayed = 0
    unverified = []
    for record in records:
        if not _replayable(record):
            unverified.append(record["key"])
            if on_done is not None:
                on_done(record)
            continue
        try:
            replay_episode(record)
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
    return ReplayReport(replayed, tuple(unverified))
