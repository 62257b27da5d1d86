"""evaluate(): play an agent over a suite or env ids, write the run, return one row per episode."""

from __future__ import annotations

import platform
import time
from collections.abc import Sequence
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import gymnasium as gym
import pandas as pd

from fbgym.agents.base import Agent
from fbgym.errors import FbgymError
from fbgym.registration import registry
from fbgym.runner.episode import EpisodeSpec
from fbgym.runner.executors import Executor, get_executor, make_streams
from fbgym.runner.player import Players, judge_memory_hidden, probe_isolation
from fbgym.runner.progress import FamilyProgress
from fbgym.runner.records import EPISODE_COLUMNS, RunDir
from fbgym.runner.suites import CHANNELS, Suite, all_suites, get_suite
from fbgym.version import __version__

STREAM_LENGTH = 20
"""Episodes per stream (see ``fbgym.runner.executors``), as in DROC's and LMPC's 20-episode runs."""


def build_specs(
    envs: str | Sequence[str] | Suite,
    *,
    channels: Sequence[str] | None = None,
    episodes: int = 20,
    seed: int = 0,
    env_kwargs: dict[str, Any] | None = None,
    privileged: bool = False,
) -> tuple[list[EpisodeSpec], str | None]:
    """The episodes to play, and the suite label if a suite was named.

    ``privileged`` makes every env expose its family structure (``privileged=True`` joins
    the env kwargs, so the run records what its envs exposed).
    """
    if isinstance(envs, str) and envs.partition("@")[0] in all_suites():
        envs = get_suite(envs)
    if isinstance(envs, Suite):
        specs = envs.specs(seed)
        if privileged:
            specs = [replace(s, kwargs={**s.kwargs, "privileged": True}) for s in specs]
        return specs, envs.label
    if isinstance(envs, str):
        envs = [envs]
    env_kwargs = {**(env_kwargs or {}), **({"privileged": True} if privileged else {})}
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
            EpisodeSpec(env_id, c, seed + i, dict(env_kwargs))
            for c in wanted
            for i in range(episodes)
        ]
    return specs, None


@cache
def agent_isolation() -> dict[str, Any]:
    """What keeps agents from the judge on this machine (probed once per process)."""
    return probe_isolation()


def agent_card(agent: Agent) -> dict[str, Any]:
    """Who played: name, class, config and its hash, and whether it reads privileged info."""
    card = {
        "name": getattr(agent, "name", type(agent).__name__),
        "class": f"{type(agent).__module__}.{type(agent).__qualname__}",
        "config": agent.config() if hasattr(agent, "config") else {},
        "privileged": bool(getattr(agent, "privileged", False)),
    }
    if hasattr(agent, "config_hash"):
        card["config_hash"] = agent.config_hash()
    return card


def _isolation(players: Players) -> dict[str, Any]:
    """How the agent was kept from the judge: nothing in-process, the network when served."""
    if players.in_process:
        return {}
    if players.remote is not None:
        from fbgym.remote.agent import REMOTE_ISOLATION

        return dict(REMOTE_ISOLATION)
    return agent_isolation()


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


def _fresh(run: RunDir) -> dict[str, dict[str, Any]]:
    """No episodes: ``run`` must hold no run yet (a sealed run starts afresh)."""
    if run.meta_path.exists():
        raise FbgymError(f"{run.path} already holds a run; a sealed run needs a new run_dir")
    return {}


def _open(run: RunDir, meta: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The episodes ``run`` already holds (writing its meta if it is new)."""
    if not run.meta_path.exists():
        run.write_meta({**meta, "created": _now()})
        return {}
    old = run.read_meta()
    same_agent = old.get("agent", {}).get("config_hash") == meta["agent"].get("config_hash")
    same_plan = all(old.get(k) == meta[k] for k in ("episodes", "stream_length"))
    if not (same_agent and same_plan):
        raise FbgymError(
            f"{run.path} holds a different run (other episodes or agent); "
            "choose a new run_dir to start afresh"
        )
    run.repair()
    return {r["key"]: r for r in run.episodes()}


def evaluate(
    agent: Agent | str,
    envs: str | Sequence[str] | Suite = "default",
    *,
    channels: Sequence[str] | None = None,
    episodes: int = 20,
    seed: int = 0,
    env_kwargs: dict[str, Any] | None = None,
    run_dir: str | Path | None = None,
    executor: str | Executor = "process",
    workers: int | None = None,
    step_timeout: float | None = None,
    batch_size: int = 16,
    stream_length: int = STREAM_LENGTH,
    progress: bool = False,
    in_process: bool = False,
    sealed_seed: int | None = None,
) -> pd.DataFrame:
    """Play ``agent`` on a suite (by name) or on env ids × channels × ``episodes`` seeds.

    Episodes are played in streams of ``stream_length`` consecutive seeds, each stream by
    a fresh agent that may remember across its episodes, on ``executor`` (``serial``,
    ``process`` — the default, with ``workers`` processes — ``ray``, or ``batched``, which
    plays ``batch_size`` streams side by side through the agent's ``act_batch``); the results
    do not depend on the executor. The envs (the judge: task, grader, simulated user) run in
    the executor's processes and the agent in a process of its own, which sees only its
    channel's view (``in_process=True`` plays it beside the envs, for debugging; such runs
    are marked and not ranked with the rest). An agent that raises, dies, or takes longer
    than ``step_timeout`` seconds for one action, fails that episode with the error recorded.
    An agent with ``privileged = True`` plays envs that expose their family structure, and
    the run records it.

    Writes ``run_dir`` (default ``runs/<agent>-<time>``): ``meta.json`` and one line of
    ``episodes.jsonl`` per episode with every action, outcome and feedback. A run directory
    that already holds some of these episodes is resumed without losing or repeating any.
    Only one process writes a run directory at a time: another ``evaluate`` on it, or one that
    cannot write it (read-only, full), raises :class:`~fbgym.errors.RunDirError` with what it
    holds intact.
    ``sealed_seed`` plays every env on the problems of that dataset seed (the ``seed`` env
    kwarg) and keeps it secret until the run is over: nothing is written to ``run_dir`` (which
    must be new) before the last episode ends, and only then with the seed. This is how a
    leaderboard plays an agent on problems nobody could know in advance (see
    :mod:`fbgym.leaderboard.sealed`); a sealed run cannot be resumed.
    Returns one row per episode (``fbgym.runner.records.EPISODE_COLUMNS``, then the family
    metrics), with the run directory in ``df.attrs["run_dir"]``.

    ``agent`` may be the URL of an agent served with ``fbgym serve-agent`` (or a
    :class:`fbgym.remote.RemoteAgent`): it plays where it is served, each judge process
    reaching it through a connection of its own.
    """
    if isinstance(agent, str):
        from fbgym.remote.agent import RemoteAgent

        agent = RemoteAgent(agent)
    specs, suite = build_specs(
        envs,
        channels=channels,
        episodes=episodes,
        seed=seed,
        env_kwargs=env_kwargs,
        privileged=bool(getattr(agent, "privileged", False)),
    )
    check_envs = getattr(agent, "check_envs", None)
    if callable(check_envs):  # an agent may refuse envs it cannot play before any is played
        check_envs(sorted({s.env_id for s in specs}))
    if sealed_seed is not None:
        specs = [replace(s, kwargs={**s.kwargs, "seed": int(sealed_seed)}) for s in specs]
        if executor == "ray" or getattr(executor, "name", "") == "ray":
            raise FbgymError(
                "a sealed run cannot use the ray executor: its object store is readable by the "
                "agent's process; use serial, process or batched"
            )
    card = agent_card(agent)
    players = Players.of(agent, in_process=in_process)
    run = RunDir(run_dir or Path("runs") / f"{card['name']}-{time.strftime('%Y%m%d-%H%M%S')}")
    meta = {
        "fbgym_version": __version__,
        "gymnasium_version": gym.__version__,
        "python": platform.python_version(),
        "agent": card,
        "agent_process": "in-process" if in_process else "separate",
        "agent_isolation": _isolation(players),
        "evaluation": "open" if sealed_seed is None else "sealed",
        "suite": suite,
        "seed": seed,
        "stream_length": stream_length,
        "episodes": [s.key for s in specs],
        "envs": {
            env_id: {"family": registry.get(env_id).family, "kwargs": kwargs}
            for env_id, kwargs in {s.env_id: s.kwargs for s in specs}.items()
        },
    }
    with run.writing():  # one writer per run directory; a second fails at once
        if sealed_seed is None:
            done = _open(run, meta)
            write = run.append_lines
        else:
            done, held = _fresh(run), []
            write = held.extend
        streams = [
            s for s in make_streams(specs, stream_length) if any(e.key not in done for e in s.specs)
        ]
        chosen = get_executor(executor, workers, batch_size)
        bar = None
        if progress:
            family_of = {env_id: env["family"] for env_id, env in meta["envs"].items()}
            bar = FamilyProgress(card["name"], specs, family_of, done.values())
        try:
            with judge_memory_hidden():
                for batch in chosen.run(players, streams, frozenset(done), step_timeout):
                    write([episode.line for episode in batch])
                    for summary, _ in batch:
                        done[summary["key"]] = summary
                    if bar is not None:
                        bar.update(summary for summary, _ in batch)
        finally:
            if bar is not None:
                bar.close()
        if sealed_seed is not None:  # the run is over: now the seed may be known
            run.write_meta({**meta, "sealed_seed": int(sealed_seed), "created": _now()})
            run.append_lines(held)
    df = pd.DataFrame(
        [{c: done[s.key].get(c) for c in EPISODE_COLUMNS} for s in specs], columns=EPISODE_COLUMNS
    )
    metrics = pd.DataFrame([done[s.key].get("metrics") or {} for s in specs])
    df = pd.concat([df, metrics], axis=1)
    df["agent"] = card["name"]
    df.attrs["run_dir"] = str(run.path)
    return df
