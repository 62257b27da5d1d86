"""evaluate(): play an agent over a suite or env ids, write the run, return one row per episode."""

from __future__ import annotations

import platform
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import gymnasium as gym
import pandas as pd

from fbgym.agents.base import Agent
from fbgym.errors import FbgymError
from fbgym.registry import registry
from fbgym.runner.episode import EpisodeSpec, play_episode
from fbgym.runner.records import RunDir
from fbgym.runner.suites import CHANNELS, SUITES, Suite, get_suite
from fbgym.version import __version__

COLUMNS = [
    "agent",
    "env_id",
    "family",
    "channel",
    "seed",
    "problem_id",
    "success",
    "turns",
    "turns_to_success",
    "score",
    "ended_by_user",
    "error",
    "elapsed_s",
]


def build_specs(
    envs: str | Sequence[str] | Suite,
    *,
    channels: Sequence[str] | None = None,
    episodes: int = 20,
    seed: int = 0,
    env_kwargs: dict[str, Any] | None = None,
) -> tuple[list[EpisodeSpec], str | None]:
    """The episodes to play, and the suite label if a suite was named."""
    if isinstance(envs, Suite):
        return envs.specs(seed), envs.label
    if isinstance(envs, str):
        if envs in SUITES:
            return get_suite(envs).specs(seed), get_suite(envs).label
        envs = [envs]
    specs = []
    for env_id in envs:
        info = registry.get(env_id)
        wanted = channels or [c for c in CHANNELS if c in info.channels]
        missing = [c for c in wanted if c not in info.channels]
        if missing:
            raise FbgymError(
                f"{env_id} has no channel(s) {missing}; it supports {list(info.channels)}"
            )
        specs += [
            EpisodeSpec(env_id, c, seed + i, dict(env_kwargs or {}))
            for c in wanted
            for i in range(episodes)
        ]
    return specs, None


def _agent_card(agent: Agent) -> dict[str, Any]:
    config = agent.config() if hasattr(agent, "config") else {}
    card = {
        "name": getattr(agent, "name", type(agent).__name__),
        "class": f"{type(agent).__module__}.{type(agent).__qualname__}",
        "config": config,
        "privileged": bool(getattr(agent, "privileged", False)),
    }
    if hasattr(agent, "config_hash"):
        card["config_hash"] = agent.config_hash()
    return card


def evaluate(
    agent: Agent,
    envs: str | Sequence[str] | Suite = "default",
    *,
    channels: Sequence[str] | None = None,
    episodes: int = 20,
    seed: int = 0,
    env_kwargs: dict[str, Any] | None = None,
    run_dir: str | Path | None = None,
    progress: bool = False,
) -> pd.DataFrame:
    """Play ``agent`` on a suite (by name) or on env ids × channels × ``episodes`` seeds.

    Writes ``run_dir`` (default ``runs/<agent>-<time>``): ``meta.json`` and one line of
    ``episodes.jsonl`` per episode with every action, outcome and feedback. A run directory
    that already holds some of these episodes is resumed: episodes already recorded are kept
    and not replayed. Returns one row per episode (see ``COLUMNS``), with the run directory
    in ``df.attrs["run_dir"]``.
    """
    specs, suite = build_specs(
        envs, channels=channels, episodes=episodes, seed=seed, env_kwargs=env_kwargs
    )
    card = _agent_card(agent)
    if run_dir is None:
        run_dir = Path("runs") / f"{card['name']}-{time.strftime('%Y%m%d-%H%M%S')}"
    run = RunDir(run_dir)
    meta = {
        "fbgym_version": __version__,
        "gymnasium_version": gym.__version__,
        "python": platform.python_version(),
        "agent": card,
        "suite": suite,
        "seed": seed,
        "episodes": [s.key for s in specs],
        "envs": {
            s.env_id: {"family": registry.get(s.env_id).family, "kwargs": s.kwargs} for s in specs
        },
    }
    done: dict[str, dict[str, Any]] = {}
    if run.meta_path.exists():
        old = run.read_meta()
        if old.get("episodes") != meta["episodes"] or old.get("agent", {}).get(
            "config_hash"
        ) != card.get("config_hash"):
            raise FbgymError(
                f"{run.path} holds a different run (other episodes or agent); "
                "choose a new run_dir to start afresh"
            )
        run.repair()
        done = {r["key"]: r for r in run.episodes()}
        meta["created"] = old.get("created")
    else:
        meta["created"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        run.write_meta(meta)
    todo = [s for s in specs if s.key not in done]
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(specs), initial=len(specs) - len(todo), unit="ep", desc=card["name"])
    wins = sum(r["success"] for r in done.values())
    for spec in todo:
        record = play_episode(agent, spec)
        record["agent"] = card["name"]
        run.append(record)
        done[spec.key] = record
        if bar is not None:
            wins += record["success"]
            bar.update(1)
            bar.set_postfix(success=f"{wins / (bar.n or 1):.2f}")
    if bar is not None:
        bar.close()
    rows = [{c: done[s.key].get(c) for c in COLUMNS} for s in specs]
    df = pd.DataFrame(rows, columns=COLUMNS)
    df["agent"] = card["name"]
    df.attrs["run_dir"] = str(run.path)
    return df
