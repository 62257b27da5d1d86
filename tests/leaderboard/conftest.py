"""Shared runs for the leaderboard tests: played once per session, copied per test."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import fbgym
from fbgym.agents.baselines import BlindAgent, FeedbackAgent
from fbgym.runner import get_suite


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


@pytest.fixture
def editor() -> RunEditor:
    return RunEditor()
