"""Run directories: ``meta.json`` and an append-only ``episodes.jsonl`` that survives kill -9.

One process writes a run directory at a time (:meth:`RunDir.writing` holds its lock), and a
write that fails — a full disk, a folder turned read-only — is undone before it is reported as
a :class:`~fbgym.errors.RunDirError`, so the directory holds only whole records and running
again resumes from them.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from fbgym.errors import FbgymError, RunDirError

EPISODE_COLUMNS = [
    "agent", "env_id", "family", "channel", "seed", "problem_id", "success", "turns",
    "turns_to_success", "attempts", "attempts_to_success", "max_turns", "score", "ended_by_user",
    "error", "elapsed_s", "stream", "position",
]  # fmt: skip
"""An episode record's fields other than its transcript and family metrics: the columns of
the table ``fbgym.evaluate`` returns (family metrics follow as further columns)."""

META = "meta.json"
EPISODES = "episodes.jsonl"
LOCK = ".lock"
WRITER = ".writer.json"
"""Who holds the lock: written by the writer once it holds it, read by those it keeps out."""


def encode_record(record: dict[str, Any]) -> str:
    """An episode record as its line of ``episodes.jsonl`` (ASCII JSON, newline-terminated)."""
    return json.dumps(record, ensure_ascii=True, default=str) + "\n"


def _unwritable(path: Path, exc: OSError) -> RunDirError:
    return RunDirError(
        f"cannot write the run directory {path}: {exc.strerror or exc}; what it holds is "
        "intact, and evaluating into it again once it is writable resumes the run"
    )


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


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

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the directory for writing; a :class:`RunDirError` at once if another process does.

        The error names the holder (process id, host, command), which the holder records in
        ``.writer.json`` once it has the lock.
        """
        lock = FileLock(str(self.path / LOCK), timeout=0)
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            lock.acquire()
        except Timeout:
            raise RunDirError(
                f"{self.path} is already being written by {self._holder()}; wait for that run "
                "to end, or choose another run directory"
            ) from None
        except OSError as exc:
            raise _unwritable(self.path, exc) from None
        try:
            with suppress(OSError):  # the lock alone keeps others out; this only names us
                self._write_file(self.path / WRITER, json.dumps(_whoami()).encode())
            yield
        finally:
            with suppress(OSError):
                (self.path / WRITER).unlink()
            lock.release()

    def _holder(self) -> str:
        try:
            who = json.loads((self.path / WRITER).read_text(encoding="utf-8"))
            return f"pid {who['pid']} on {who['host']} since {who['since']} ({who['command']})"
        except (OSError, ValueError, KeyError, TypeError):
            return "another process"

    def read_meta(self) -> dict[str, Any]:
        """The run's metadata."""
        try:
            return json.loads(self.meta_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise FbgymError(f"{self.path} is not a run directory (no {META})") from None

    def _write_file(self, path: Path, data: bytes) -> None:
        """Replace ``path`` with ``data`` atomically, leaving nothing behind if that fails."""
        tmp = path.with_name(f"{path.name}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            try:
                _write_all(fd, data)
            finally:
                os.close(fd)
            os.replace(tmp, path)
        except OSError:
            with suppress(OSError):
                tmp.unlink()
            raise

    def write_meta(self, meta: dict[str, Any]) -> None:
        """Write the metadata atomically."""
        data = json.dumps(meta, indent=2, sort_keys=True, default=str).encode()
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            self._write_file(self.meta_path, data)
        except OSError as exc:
            raise _unwritable(self.path, exc) from None

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
            try:
                os.truncate(self.episodes_path, keep)
            except OSError as exc:
                raise _unwritable(self.path, exc) from None
        return len(data) - keep

    def append_lines(self, lines: list[str]) -> None:
        """Append encoded records: one write for the lot, flushed, fsync'ed now and then.

        If the write fails part way, the file is cut back to where it was, so it never ends
        in part of a record; the episodes of ``lines`` are then played again on resuming.
        """
        data = "".join(lines).encode("ascii")
        try:
            fd = os.open(self.episodes_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        except OSError as exc:
            raise _unwritable(self.path, exc) from None
        try:
            start = os.fstat(fd).st_size
            try:
                _write_all(fd, data)
                if time.monotonic() - self._synced >= self.sync_every:
                    os.fsync(fd)
                    self._synced = time.monotonic()
            except OSError as exc:
                with suppress(OSError):  # if even this fails, reopening drops the torn line
                    os.ftruncate(fd, start)
                raise _unwritable(self.path, exc) from None
        finally:
            os.close(fd)


def _whoami() -> dict[str, Any]:
    return {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "since": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "command": " ".join(sys.argv) or sys.executable,
    }
