"""The submission pipeline: load, validate, check, bound the cost, replay, then store and index.

Every check that can refuse a run comes before replay, cheapest first: the submitter's name,
the files and their schemas, the env kwargs against the suite (before any env is made), the
episodes against the suite, the agent's errors, then the worst-case cost of replay.

>>> from fbgym.leaderboard import submit  # doctest: +SKIP
>>> submit("runs/smoke-feedback-baseline-20250101-120000", submitter="ann")  # doctest: +SKIP
[PosixPath('results/ann/feedback-baseline-3f9c0e1a2b4d')]
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import gymnasium as gym

from fbgym.errors import SubmissionRejected
from fbgym.leaderboard.checks import check_coverage, check_records, defined_suite, parse_suite
from fbgym.leaderboard.index import Index
from fbgym.leaderboard.limits import (
    DEFAULT_LIMITS,
    SubmissionLimits,
    check_agent_errors,
    check_budget,
)
from fbgym.leaderboard.loading import RunFiles, load_run, run_dirs
from fbgym.leaderboard.replay import EnvCheck, ReplayReport, check_env, replay_all
from fbgym.leaderboard.schema import SCHEMA_ID, SCHEMA_VERSION
from fbgym.leaderboard.settings import check_env_kwargs
from fbgym.leaderboard.store import ResultsStore, sha256
from fbgym.runner.records import EPISODES, META
from fbgym.version import __version__


@dataclass(frozen=True)
class AgentLabel:
    """What the submitter says about the agent, beyond the run's agent card."""

    version: str | None = None
    model: str | None = None
    """The model id (e.g. a hub name), for agents built on a model."""
    revision: str | None = None
    """The model's revision (a commit hash or tag)."""


def config_hash(card: dict[str, Any]) -> str:
    """The card's ``config_hash``, or one computed as :class:`fbgym.agents.BaseAgent` does."""
    if card.get("config_hash"):
        return str(card["config_hash"])
    payload = json.dumps({"class": card["class"], **card["config"]}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def run_digest(run: RunFiles) -> str:
    """What makes two runs the same: agent class and config, suite, seeds and every action."""
    meta = run.meta
    episodes = sorted(run.episodes, key=lambda r: r["key"])
    payload = {
        "agent": [meta["agent"]["class"], config_hash(meta["agent"])],
        "suite": meta["suite"],
        "seed": meta["seed"],
        "episodes": [
            [r["key"], [t["action"] or {"type": t.get("action_type")} for t in r["transcript"]]]
            for r in episodes
        ],
    }
    return sha256(json.dumps(payload, sort_keys=True, ensure_ascii=True).encode())


def _from_config(config: dict[str, Any], *names: str) -> str | None:
    for name in names:
        if isinstance(config.get(name), (str, int, float)):
            return str(config[name])
    return None


def build_manifest(
    run: RunFiles,
    submitter: str,
    label: AgentLabel,
    envs: dict[str, EnvCheck],
    report: ReplayReport,
    digest: str,
) -> dict[str, Any]:
    """The ``submission.json`` of a verified run."""
    meta = run.meta
    card = meta["agent"]
    suite = parse_suite(meta["suite"])
    manifest: dict[str, Any] = {
        "schema": SCHEMA_ID,
        "schema_version": SCHEMA_VERSION,
        "id": digest[:12],
        "submitter": submitter,
        "submitted_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "agent": {
            "name": card["name"],
            "version": label.version or _from_config(card["config"], "version"),
            "model": label.model or _from_config(card["config"], "model", "model_id"),
            "revision": label.revision or _from_config(card["config"], "revision"),
            "class": card["class"],
            "config_hash": config_hash(card),
            "privileged": card["privileged"],
        },
        "suite": None if suite is None else {"name": suite[0], "version": suite[1]},
        "seed": meta["seed"],
        "environment": {
            "fbgym_version": meta["fbgym_version"],
            "gymnasium_version": meta["gymnasium_version"],
            "python": meta.get("python"),
            "verified_with": f"fbgym {__version__}, gymnasium {gym.__version__}",
        },
        "envs": {
            env_id: {
                "family": check.family,
                "kwargs": meta["envs"][env_id]["kwargs"],
                "version": check.version,
                "max_turns": check.max_turns,
            }
            for env_id, check in sorted(envs.items())
        },
        "status": report.status,
        "agent_process": meta["agent_process"],
        "evaluation": meta.get("evaluation", "open"),
        "episodes": len(run.episodes),
        "digest": digest,
        "files": {META: sha256(run.raw_meta), EPISODES: sha256(run.raw_episodes)},
    }
    if report.unverified:
        manifest["unverified_episodes"] = len(report.unverified)
    return manifest


def checked_run(
    run_dir: str | Path, limits: SubmissionLimits = DEFAULT_LIMITS, *, sealed: bool = False
) -> tuple[RunFiles, dict[str, EnvCheck]]:
    """Load ``run_dir`` and pass it through every check that comes before replay.

    Returns the run and its envs' checks; no env is made before its kwargs are allowed.
    ``sealed`` is for the board's own sealed evaluations: a run that calls itself sealed is
    accepted from them alone.
    """
    run = load_run(run_dir, max_bytes=limits.max_bytes)
    check_records(run)
    if (run.meta.get("evaluation") == "sealed") != sealed:
        raise SubmissionRejected(
            "sealed",
            "a sealed run is stored only by the `fbgym leaderboard evaluate` that played it"
            if not sealed
            else "this run was not played sealed",
        )
    suite = defined_suite(run.meta["suite"])
    check_env_kwargs(run.meta, suite)
    check_coverage(run, suite)
    check_agent_errors(run, limits)
    envs = {
        env_id: check_env(env_id, spec["family"], spec["kwargs"])
        for env_id, spec in run.meta["envs"].items()
    }
    check_budget(run, envs, limits)
    return run, envs


@contextmanager
def replay_progress(
    run: RunFiles, name: str, show: bool
) -> Iterator[Callable[[dict[str, Any]], None]]:
    """A tqdm bar per family on stderr while ``run`` is re-played; yields the update callback.

    A code episode re-runs programs and costs far more than a math one, so each family's bar
    keeps its own rate and ETA. With ``show`` false nothing is drawn.
    """
    from tqdm import tqdm

    totals = Counter(record["family"] for record in run.episodes)
    bars = {
        family: tqdm(
            total=total,
            unit="ep",
            desc=f"replaying {name} {family}",
            position=i,
            leave=True,
            dynamic_ncols=True,
            file=sys.stderr,
            disable=not show,
        )
        for i, (family, total) in enumerate(sorted(totals.items()))
    }
    try:
        yield lambda record: bars[record["family"]].update(1)
    finally:
        for bar in bars.values():
            bar.close()


def submit_run(
    run_dir: str | Path,
    *,
    submitter: str,
    results: str | Path = "results",
    label: AgentLabel = AgentLabel(),
    limits: SubmissionLimits = DEFAULT_LIMITS,
    sealed: bool = False,
    progress: bool = False,
) -> Path:
    """Verify one run directory and store it; returns its folder under ``results``.

    ``sealed``: the run is a sealed evaluation this board played (see ``checked_run``).
    ``progress``: show a bar per family on stderr while the run is re-played.
    """
    store = ResultsStore(results)
    store.check_submitter(submitter)
    run, envs = checked_run(run_dir, limits, sealed=sealed)
    digest = run_digest(run)
    existing = store.find(digest)
    if existing is not None:  # checked again under the lock; this saves a pointless replay
        raise SubmissionRejected(
            "duplicate", f"this run is already on the leaderboard as {existing}"
        )
    with replay_progress(run, Path(run_dir).name, progress) as on_done:
        report = replay_all(run.episodes, on_done)
    manifest = build_manifest(run, submitter, label, envs, report, digest)
    with store.lock():
        folder = store.add(manifest, run.raw_meta, run.raw_episodes)
        Index(store).add(folder)
    return folder


def submit(
    path: str | Path,
    *,
    submitter: str,
    results: str | Path = "results",
    label: AgentLabel = AgentLabel(),
    limits: SubmissionLimits = DEFAULT_LIMITS,
    progress: bool = False,
) -> list[Path]:
    """Submit a run directory, or every run a pytest-benchmark JSON names; returns the folders.

    Raises :class:`~fbgym.errors.SubmissionRejected` with a precise reason at the
    first problem, before anything of that run is replayed; runs stored before a later one
    is rejected stay stored. ``progress`` shows the replay's progress on stderr.
    """
    return [
        submit_run(
            run_dir,
            submitter=submitter,
            results=results,
            label=label,
            limits=limits,
            progress=progress,
        )
        for run_dir in run_dirs(path, max_bytes=limits.max_bytes)
    ]
