"""Checks that need no env: safe names, episode keys, suite completeness, reported totals."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from fbgym.errors import SubmissionRejected, UnknownIdError
from fbgym.leaderboard.loading import RunFiles
from fbgym.leaderboard.schema import SAFE_NAME, validate
from fbgym.runner.episode import EpisodeSpec
from fbgym.runner.records import EPISODES, META
from fbgym.runner.suites import Suite, get_suite

LEADERBOARD_SEED = 0
"""Suite runs are ranked on the suite's episodes from seed 0, so nobody can pick easy seeds."""

TOTALS = (
    "success", "turns", "turns_to_success", "attempts", "attempts_to_success", "score",
    "ended_by_user",
)  # fmt: skip
"""Reported totals recomputed from the transcript; runs from before a field existed lack it."""


def check_name(value: object, what: str) -> str:
    """``value`` if it is safe as a directory name, else an ``unsafe-name`` rejection."""
    if not isinstance(value, str) or not re.fullmatch(SAFE_NAME, value):
        raise SubmissionRejected(
            "unsafe-name",
            f"{what} {value!r} cannot be used as a directory name: use 1 to 64 letters, digits, "
            "'.', '_' or '-', starting with a letter or digit",
        )
    return value


def episode_totals(transcript: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """An episode's totals recomputed from its transcript, by the runner's rules."""
    graded = [t["outcome"] for t in transcript if t["outcome"]["graded"]]
    success_turn = next((i for i, t in enumerate(transcript, 1) if t["outcome"]["success"]), None)
    success_attempt = next((i for i, o in enumerate(graded, 1) if o["success"]), None)
    return {
        "success": success_turn is not None,
        "turns": len(transcript),
        "turns_to_success": success_turn,
        "attempts": len(graded),
        "attempts_to_success": success_attempt,
        "score": max((o["score"] for o in graded), default=0.0),
        "ended_by_user": bool(
            transcript and transcript[-1]["feedback"]["end"] and success_turn is None
        ),
    }


def canonical(kwargs: dict[str, Any]) -> str:
    """Env kwargs as one JSON text, so that ``True`` and ``1``, or a tuple and a list, differ."""
    return json.dumps(kwargs, sort_keys=True, separators=(",", ":"))


def parse_suite(label: str | None) -> tuple[str, int] | None:
    """``"smoke@1"`` as ``("smoke", 1)``; ``None`` for a run that named no suite."""
    if label is None:
        return None
    name, _, version = label.rpartition("@")
    return name, int(version)


def defined_suite(label: str | None) -> Suite | None:
    """The suite ``label`` (``name@version``) names, as this fbgym defines it; ``None`` for none."""
    suite = parse_suite(label)
    if suite is None:
        return None
    name, version = suite
    try:
        defined = get_suite(name)
    except UnknownIdError as exc:
        raise SubmissionRejected("unknown-suite", str(exc)) from None
    if defined.version != version:
        raise SubmissionRejected(
            "unknown-suite",
            f"suite {name}@{version} does not exist; this fbgym defines {defined.label}",
        )
    return defined


def _check_records(run: RunFiles) -> None:
    meta = run.meta
    where = run.path / EPISODES
    seen: dict[str, int] = {}
    for number, record in enumerate(run.episodes, 1):
        validate("episode", record, f"{where} line {number}")
        key = record["key"]
        if key in seen:
            raise SubmissionRejected(
                "missing-episodes",
                f"episode {key!r} is recorded twice (lines {seen[key]} and {number} of {where})",
            )
        seen[key] = number
        expected = EpisodeSpec(
            record["env_id"], record["channel"], record["seed"], record["kwargs"]
        ).key
        if key != expected:
            raise SubmissionRejected(
                "inconsistent",
                f"episode {key!r} (line {number}): its env, channel, kwargs and "
                f"seed make the key {expected!r}",
            )
        env = meta["envs"].get(record["env_id"])
        if (
            env is None
            or canonical(env["kwargs"]) != canonical(record["kwargs"])
            or env["family"] != record["family"]
        ):
            raise SubmissionRejected(
                "inconsistent",
                f"episode {key!r}: env {record['env_id']!r} with family "
                f"{record['family']!r} and kwargs {record['kwargs']!r} does not match "
                f"meta.json's envs {meta['envs']!r}",
            )
        totals = episode_totals(record["transcript"])
        for name in TOTALS:
            if name in record and record[name] != totals[name]:
                raise SubmissionRejected(
                    "inconsistent",
                    f"episode {key!r}: reported {name} {record[name]!r} but its "
                    f"transcript gives {totals[name]!r}",
                )
    unplayed = sorted(set(meta["envs"]) - {r["env_id"] for r in run.episodes})
    if unplayed:
        raise SubmissionRejected(
            "inconsistent", f"meta.json names env {unplayed[0]!r}, but no episode plays it"
        )


def _missing(wanted: Sequence[str], have: set[str]) -> list[str]:
    return [k for k in wanted if k not in have]


def suite_specs(suite: Suite, meta: dict[str, Any]) -> list[EpisodeSpec]:
    """The episodes a run of ``suite`` must hold, as its meta says it was played.

    From the leaderboard's seed, with ``privileged=True`` where its envs were made so, and
    on the dataset seed of a sealed run.
    """
    from fbgym.runner.evaluate import build_specs

    privileged = any(env["kwargs"].get("privileged") for env in meta["envs"].values())
    specs, _ = build_specs(suite, seed=LEADERBOARD_SEED, privileged=privileged)
    if meta.get("evaluation") == "sealed":
        specs = [replace(s, kwargs={**s.kwargs, "seed": meta["sealed_seed"]}) for s in specs]
    return specs


def check_coverage(run: RunFiles, defined: Suite | None) -> None:
    """That the run holds each of its listed episodes once, and all of its suite's."""
    meta = run.meta
    listed = meta["episodes"]
    seen: set[str] = set()
    for key in listed:
        if key in seen:
            raise SubmissionRejected(
                "missing-episodes", f"{run.path / META} lists episode {key!r} more than once"
            )
        seen.add(key)
    recorded = {r["key"] for r in run.episodes}
    missing = _missing(listed, recorded)
    if missing:
        raise SubmissionRejected(
            "missing-episodes",
            f"the run is incomplete: {len(missing)} of {len(listed)} "
            f"episodes in meta.json have no record (first: {missing[0]!r})",
        )
    extra = _missing(sorted(recorded), set(listed))
    if extra:
        raise SubmissionRejected(
            "missing-episodes",
            f"{len(extra)} recorded episode(s) are not listed in meta.json (first: {extra[0]!r})",
        )
    if defined is None:
        return
    if meta["seed"] != LEADERBOARD_SEED:
        raise SubmissionRejected(
            "missing-episodes",
            f"suite runs are ranked on seeds from {LEADERBOARD_SEED}; this "
            f"run starts at seed {meta['seed']}, so it misses the suite's episodes",
        )
    expected = [s.key for s in suite_specs(defined, meta)]
    missing = _missing(expected, set(listed))
    if missing:
        raise SubmissionRejected(
            "missing-episodes",
            f"{len(missing)} of the {len(expected)} episodes of suite "
            f"{defined.label} are missing (first: {missing[0]!r})",
        )
    extra = _missing(listed, set(expected))
    if extra:
        raise SubmissionRejected(
            "missing-episodes",
            f"{len(extra)} episode(s) are not in suite {defined.label} (first: {extra[0]!r})",
        )


def check_records(run: RunFiles) -> None:
    """Validate ``run`` against the schemas and check that its records agree with themselves."""
    validate("meta", run.meta, str(run.path / META))
    check_name(run.meta["agent"]["name"], "agent name")
    _check_records(run)
