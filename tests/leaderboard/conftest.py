"""Shared runs for the leaderboard tests: played once per session, copied per test."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import fbgym
from fbgym.agents.base import BaseAgent
from fbgym.agents.baselines import BlindAgent, FeedbackAgent
from fbgym.runner import EpisodeSpec, get_suite


class Seven(BaseAgent):
    """Answers 7 to everything and declares no privileged access."""

    name = "seven"

    def act(self, observation, info):
        return "The answer is 7"


def _play(agent, envs, path: Path, **kwargs: Any) -> Path:
    fbgym.evaluate(agent, envs, run_dir=path, **kwargs)
    return path


@pytest.fixture(scope="session")
def played(tmp_path_factory) -> dict[str, Path]:
    """Pristine run directories: two suite runs and one run of plain env ids."""
    root = tmp_path_factory.mktemp("played")
    smoke = get_suite("smoke")
    return {
        "feedback": _play(FeedbackAgent(), smoke, root / "feedback"),
        "blind": _play(BlindAgent(), smoke, root / "blind"),
        "plain": _play(
            FeedbackAgent(), ["fbgym/Math-v0"], root / "plain", channels=["verbal"], episodes=3
        ),
    }


@pytest.fixture
def run_copy(played, tmp_path) -> Callable[[str], Path]:
    """A fresh, editable copy of one of the played runs."""

    def copy(name: str = "feedback") -> Path:
        target = tmp_path / f"run-{name}"
        shutil.copytree(played[name], target)
        return target

    return copy


class RunEditor:
    """Reads and rewrites a copied run's files, as a forger would."""

    @staticmethod
    def episodes(run: Path) -> list[dict[str, Any]]:
        return [json.loads(line) for line in (run / "episodes.jsonl").read_text().splitlines()]

    @staticmethod
    def write_episodes(run: Path, records: list[dict[str, Any]]) -> None:
        text = "".join(json.dumps(r, sort_keys=True) + "\n" for r in records)
        (run / "episodes.jsonl").write_text(text)

    def edit_episodes(self, run: Path, change: Callable[[list[dict[str, Any]]], None]) -> None:
        records = self.episodes(run)
        change(records)
        self.write_episodes(run, records)

    @staticmethod
    def edit_meta(run: Path, change: Callable[[dict[str, Any]], None]) -> None:
        meta = json.loads((run / "meta.json").read_text())
        change(meta)
        (run / "meta.json").write_text(json.dumps(meta, indent=2))

    def set_kwargs(self, run: Path, env_id: str, kwargs: dict[str, Any]) -> None:
        """Give ``env_id`` other kwargs everywhere the run names them, keys included."""
        renamed = {}

        def rekey(record: dict[str, Any]) -> None:
            key = EpisodeSpec(env_id, record["channel"], record["seed"], kwargs).key
            renamed[record["key"]] = key
            record.update(kwargs=kwargs, key=key)

        self.edit_episodes(
            run, lambda records: [rekey(r) for r in records if r["env_id"] == env_id]
        )

        def change(meta: dict[str, Any]) -> None:
            meta["envs"][env_id]["kwargs"] = kwargs
            meta["episodes"] = [renamed.get(k, k) for k in meta["episodes"]]

        self.edit_meta(run, change)


@pytest.fixture
def editor() -> RunEditor:
    return RunEditor()


@pytest.fixture
def no_replay(monkeypatch):
    """Fails the test if a submission gets as far as replaying an episode."""

    def refuse(*args, **kwargs):
        raise AssertionError("the submission reached replay")

    monkeypatch.setattr("fbgym.leaderboard.submit.replay_all", refuse)


@pytest.fixture
def no_env(no_replay, monkeypatch):
    """Fails the test if a submission gets as far as constructing one of its envs."""

    def refuse(*args, **kwargs):
        raise AssertionError("the submission reached env construction")

    monkeypatch.setattr("fbgym.leaderboard.submit.check_env", refuse)


@pytest.fixture
def math_run(tmp_path) -> Callable[..., Path]:
    """``math_run(name, agent=Seven(), **evaluate_kwargs)``: a small run of ``fbgym/Math-v0``.

    Two verbal episodes unless told otherwise, played serially into ``tmp_path / name``.
    """

    def play(name: str, agent: Any = None, **kwargs: Any) -> Path:
        kwargs.setdefault("channels", ["verbal"])
        kwargs.setdefault("episodes", 2)
        return _play(agent or Seven(), ["fbgym/Math-v0"], tmp_path / name, executor="serial",
                     **kwargs)  # fmt: skip

    return play
