"""Run directories: ``meta.json`` and an append-only ``episodes.jsonl`` that survives kill -9."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fbgym.errors import FbgymError

META = "meta.json"
EPISODES = "episodes.jsonl"


class RunDir:
    """A run on disk: its metadata and its episodes, one JSON line each.

    Each line is flushed and fsync'ed, so an interrupted run loses at most the episode being
    written; a torn last line is dropped on reopening.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)

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

    def append(self, *records: dict[str, Any]) -> None:
        """Append episode records durably: one write and one fsync for the lot."""
        lines = "".join(
            json.dumps(r, ensure_ascii=True, sort_keys=True, default=str) + "\n" for r in records
        )
        with self.episodes_path.open("ab") as handle:
            handle.write(lines.encode("ascii"))
            handle.flush()
            os.fsync(handle.fileno())
