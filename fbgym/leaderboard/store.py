"""The results directory: one folder per submission, the leaderboard's source of truth.

Layout (all plain files, reviewable in git)::

    results/
      <submitter>/<agent>-<id>/submission.json   the manifest (schema ``manifest``)
                               meta.json         the run's meta, byte for byte as submitted
                               episodes.jsonl    the run's episodes, byte for byte
      index.sqlite                               the query index, rebuilt from the folders
      .lock                                      held while a submission is added
      README.md                                  what reviewers read

A submission is written to a temporary folder beside its final place and renamed into place
while ``.lock`` is held, so concurrent submits neither interleave nor leave half a folder.
Submitter names share the top level with the store's own files, so those names (and the
SQLite index's side files, ``index.sqlite-journal``, ...) are reserved, in any letter case,
and so is any name a file already has there.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from filelock import FileLock

from fbgym.errors import FbgymError, SubmissionRejected
from fbgym.leaderboard.checks import check_name, episode_totals
from fbgym.leaderboard.loading import parse_json, parse_jsonl
from fbgym.leaderboard.schema import validate
from fbgym.runner.records import EPISODES, META

MANIFEST = "submission.json"
INDEX = "index.sqlite"
LOCK = ".lock"
README = "README.md"
LOCK_TIMEOUT_S = 120.0

RESERVED_PREFIXES = (INDEX, README)
"""Top-level names the store keeps for itself (SQLite adds ``-journal``, ``-wal``, ``-shm``)."""


def sha256(data: bytes) -> str:
    """The hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class StoredSubmission:
    """A submission folder read back: its manifest and its episode records."""

    path: Path
    manifest: dict[str, Any]
    episodes: list[dict[str, Any]]

    def rows(self) -> list[dict[str, Any]]:
        """One row per episode, with totals recomputed from the transcript."""
        envs = self.manifest["envs"]
        return [
            {
                "key": r["key"],
                "env_id": r["env_id"],
                "family": r["family"],
                "channel": r["channel"],
                "seed": r["seed"],
                "problem_id": r["problem_id"],
                "max_turns": envs[r["env_id"]]["max_turns"],
                "error": r["error"],
                **episode_totals(r["transcript"]),
            }
            for r in self.episodes
        ]


def _subfolders(path: Path) -> list[Path]:
    """The folders in ``path`` not named with a leading dot, sorted; none if it is gone."""
    try:
        return sorted(p for p in path.iterdir() if not p.name.startswith(".") and p.is_dir())
    except (FileNotFoundError, NotADirectoryError):
        return []


class ResultsStore:
    """Submission folders under ``root`` (default ``results/``), added atomically under a lock."""

    def __init__(self, root: str | Path = "results"):
        self.root = Path(root)

    @property
    def index_path(self) -> Path:
        """Where the SQLite index lives."""
        return self.root / INDEX

    def lock(self) -> FileLock:
        """The lock that serialises writers of this store (folders and index alike)."""
        self.root.mkdir(parents=True, exist_ok=True)
        return FileLock(str(self.root / LOCK), timeout=LOCK_TIMEOUT_S)

    def folders(self) -> list[Path]:
        """Every submission folder, sorted; staging folders (dot names) are not submissions.

        Readers list the store without the lock, while a writer may be renaming a staging
        folder away, so a folder that vanishes while it is listed is simply not there.
        """
        return [
            folder
            for submitter in _subfolders(self.root)
            for folder in _subfolders(submitter)
            if (folder / MANIFEST).is_file()
        ]

    def read(self, folder: Path) -> StoredSubmission:
        """Read one folder, checking its manifest and that its files are those it hashed."""
        raw = (folder / MANIFEST).read_bytes()
        manifest = parse_json(raw, str(folder / MANIFEST))
        validate("manifest", manifest, str(folder / MANIFEST))
        for name in (META, EPISODES):
            if sha256((folder / name).read_bytes()) != manifest["files"][name]:
                raise FbgymError(
                    f"{folder / name} does not match the SHA-256 in its {MANIFEST}: the stored "
                    "run was edited after it was verified"
                )
        episodes = parse_jsonl((folder / EPISODES).read_bytes(), str(folder / EPISODES))
        return StoredSubmission(folder, manifest, episodes)

    def __iter__(self) -> Iterator[StoredSubmission]:
        return (self.read(folder) for folder in self.folders())

    def find(self, digest: str) -> Path | None:
        """The folder of the submission with this run digest, if stored."""
        for folder in self.folders():
            if not folder.name.endswith(f"-{digest[:12]}"):
                continue
            manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
            if manifest.get("digest") == digest:
                return folder
        return None

    def check_submitter(self, name: object) -> str:
        """``name`` if it can be a submitter's folder here: safe, not reserved, not a file."""
        name = check_name(name, "submitter")
        reserved = name.casefold().startswith(tuple(p.casefold() for p in RESERVED_PREFIXES))
        taken = (self.root / name).exists() and not (self.root / name).is_dir()
        if reserved or taken or (self.root / name).is_symlink():
            raise SubmissionRejected(
                "unsafe-name",
                f"submitter {name!r} is reserved: the results store keeps "
                f"{'its own files' if reserved else 'a file'} under that name in {self.root}; "
                "choose another name",
            )
        return name

    def folder_for(self, manifest: dict[str, Any]) -> Path:
        """Where ``manifest``'s submission lives; names are re-checked so nothing escapes."""
        submitter = self.check_submitter(manifest["submitter"])
        agent = check_name(manifest["agent"]["name"], "agent name")
        folder = self.root / submitter / f"{agent}-{manifest['id']}"
        if not folder.resolve().is_relative_to(self.root.resolve()):
            raise SubmissionRejected("unsafe-name", f"{folder} would lie outside {self.root}")
        return folder

    def add(self, manifest: dict[str, Any], raw_meta: bytes, raw_episodes: bytes) -> Path:
        """Store a verified submission; a ``duplicate`` rejection if its run is already here.

        Must be called with :meth:`lock` held, so that the duplicate check, the rename and
        the index update happen as one step.
        """
        validate("manifest", manifest, MANIFEST)
        existing = self.find(manifest["digest"])
        if existing is not None:
            raise SubmissionRejected(
                "duplicate", f"this run is already on the leaderboard as {existing}"
            )
        folder = self.folder_for(manifest)
        tmp = self.root / f".tmp-{uuid.uuid4().hex}"
        tmp.mkdir(parents=True)
        try:
            for name, data in (
                (META, raw_meta),
                (EPISODES, raw_episodes),
                (MANIFEST, (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode()),
            ):
                with (tmp / name).open("wb") as handle:
                    handle.write(data)
                    handle.flush()
                    os.fsync(handle.fileno())
            folder.parent.mkdir(parents=True, exist_ok=True)
            os.rename(tmp, folder)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return folder
