"""Run directories: ``meta.json`` and an append-only ``episodes.jsonl`` that survives kill -9."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fbgym.errors import FbgymError

EPISODE_COLUMNS = [
    "agent", "env_id", "family", "channel", "seed", "problem_id", "success", "turns",
    "turns_to_success", "attempts", "attempts_to_success", "max_turns", "score", "ended_by_user",
    "error", "elapsed_s", "stream", "position",
]  # fmt: skip
"""An episode record's fields other than its transcript and family metrics: the columns of
the table ``fbgym.evaluate`` returns (family metrics follow as further columns)."""

META = "meta.json"
EPISODES = "episodes.jsonl"


def encode_record(record: dict[str, Any]) -> str:
    """An episode record as its line of ``episodes.jsonl`` (ASCII JSON, newline-terminated)."""
    return json.dumps(record, ensure_ascii=True, default=str) + "\n"


class RunDir:
    """A run on disk: its metadata and its episodes, one JSON line each.

    Each write is flushed to the operating system at once, so a killed run loses at most the
    episode being written (a torn last line is dropped on reopening); it is also fsync'ed to
    disk, at most every ``sync_every`` seconds, against a machine that goes down.
    """

    def __init__(self, path: str | Path, sync_every: float = 1.0):
        self.path = Path(path)
        self.sync_every = sync_every
        self._synced = 0.0

    @property
    def meta_path(self) -> Path:
        """Where the run's metadata lives."""
        return self.path / META

    @property
    def episodes_path(self) -> Path:
        """Where the episode records live."""
        return self.path / EPISODES

    def read_meta(self) -> dict[str, Any]:
        """The run's metadata."""
        try:
            return json.loads(self.meta_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise FbgymError(f"{self.path} is not a run directory (no {META})") from None

    def write_meta(self, meta: dict[str, Any]) -> None:
        """Write the metadata atomically."""
        self.path.mkdir(parents=True, exist_ok=True)
        tmp = self.meta_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(meta, indent=2, sort_keys=True, default=str), encoding="utf-8")
        os.replace(tmp, self.meta_path)

    def episodes(self) -> Iterator[dict[str, Any]]:
        """Every complete episode record, in the order written."""
        if not self.episodes_path.exists():
            return
        with self.episodes_path.open("rb") as handle:
            for line in handle:
                if not line.endswith(b"\n"):
                    break  # torn write from an interrupted run
                yield json.loads(line)

    def repair(self) -> int:
        """Cut a torn last line left by a killed run; returns how many bytes were dropped."""
        if not self.episodes_path.exists():
            return 0
        data = self.episodes_path.read_bytes()
        keep = data.rfind(b"\n") + 1
        if keep < len(data):
            with self.episodes_path.open("r+b") as handle:
                handle.truncate(keep)
        return len(data) - keep

    def append_lines(self, lines: list[str]) -> None:
        """Append encoded records: one write for the lot, flushed, fsync'ed now and then."""
        with self.episodes_path.open("ab") as handle:
            handle.write("".join(lines).encode("ascii"))
            handle.flush()
            if time.monotonic() - self._synced >= self.sync_every:
                os.fsync(handle.fileno())
                self._synced = time.monotonic()
