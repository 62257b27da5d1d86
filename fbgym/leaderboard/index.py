"""The SQLite index of the results store: rebuilt from the folders, queried for the views.

The index holds nothing the folders do not: it can be deleted and rebuilt at any time
(``fbgym leaderboard rebuild-index``). Writers hold the store's lock and write in one
transaction; a rebuild writes a new file and renames it over the old one, so readers see
either the old index or the new, never a half-written one.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from contextlib import closing
from pathlib import Path

import pandas as pd

from fbgym.leaderboard.settings import PRIVILEGED, labels, setting, suite_label
from fbgym.leaderboard.store import ResultsStore, StoredSubmission

INDEX_VERSION = 2
"""Bump when the tables change; an index of another version is rebuilt on first use."""

_TABLES = """
CREATE TABLE submissions (
    id TEXT PRIMARY KEY, digest TEXT UNIQUE NOT NULL, submitter TEXT NOT NULL,
    agent TEXT NOT NULL, agent_version TEXT, model TEXT, revision TEXT, config_hash TEXT,
    privileged INTEGER NOT NULL, suite TEXT, status TEXT NOT NULL, submitted_at TEXT NOT NULL,
    path TEXT NOT NULL, episodes INTEGER NOT NULL
);
CREATE TABLE episodes (
    submission_id TEXT NOT NULL REFERENCES submissions(id), key TEXT NOT NULL,
    setting TEXT NOT NULL, env_id TEXT NOT NULL, family TEXT NOT NULL,
    channel TEXT NOT NULL, seed INTEGER NOT NULL,
    problem_id TEXT NOT NULL, success INTEGER NOT NULL, turns INTEGER NOT NULL,
    turns_to_success INTEGER, attempts INTEGER NOT NULL, attempts_to_success INTEGER,
    score REAL NOT NULL, ended_by_user INTEGER NOT NULL,
    max_turns INTEGER NOT NULL, error TEXT, PRIMARY KEY (submission_id, key)
);
"""

_EPISODE_COLUMNS = (
    "key", "setting", "env_id", "family", "channel", "seed", "problem_id", "success", "turns",
    "turns_to_success", "attempts", "attempts_to_success", "score", "ended_by_user",
    "max_turns", "error",
)  # fmt: skip


def _insert(conn: sqlite3.Connection, stored: StoredSubmission, root: Path) -> None:
    m = stored.manifest
    agent = m["agent"]
    conn.execute(
        "INSERT INTO submissions VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            m["id"],
            m["digest"],
            m["submitter"],
            agent["name"],
            agent["version"],
            agent["model"],
            agent["revision"],
            agent["config_hash"],
            int(PRIVILEGED in labels(m)),
            suite_label(m),
            m["status"],
            m["submitted_at"],
            stored.path.relative_to(root).as_posix(),
            m["episodes"],
        ),  # fmt: skip
    )
    settings = {env_id: setting(m, env_id).name for env_id in m["envs"]}
    conn.executemany(
        f"INSERT INTO episodes VALUES (?,{','.join('?' * len(_EPISODE_COLUMNS))})",
        [
            (m["id"], *({**row, "setting": settings[row["env_id"]]}[c] for c in _EPISODE_COLUMNS))
            for row in stored.rows()
        ],
    )


class Index:
    """The query index of one :class:`ResultsStore`."""

    def __init__(self, store: ResultsStore):
        self.store = store
        self.path = store.index_path

    def _connect(self, path: Path | None = None) -> sqlite3.Connection:
        return sqlite3.connect(path or self.path, timeout=60, isolation_level=None)

    def is_current(self) -> bool:
        """Whether the index exists and is of this version."""
        if not self.path.exists():
            return False
        with closing(self._connect()) as conn:
            return conn.execute("PRAGMA user_version").fetchone()[0] == INDEX_VERSION

    def rebuild(self) -> int:
        """Rebuild from the folders (caller holds the store's lock); returns the submissions."""
        tmp = self.path.with_name(f".{self.path.name}.{uuid.uuid4().hex}")
        count = 0
        try:
            with closing(self._connect(tmp)) as conn:
                conn.executescript(_TABLES)
                conn.execute("BEGIN")
                for stored in self.store:
                    _insert(conn, stored, self.store.root)
                    count += 1
                conn.execute(f"PRAGMA user_version = {INDEX_VERSION}")
                conn.execute("COMMIT")
            os.replace(tmp, self.path)
        finally:
            tmp.unlink(missing_ok=True)
        return count

    def add(self, folder: Path) -> None:
        """Index one newly stored folder in one transaction (caller holds the store's lock)."""
        if not self.is_current():
            self.rebuild()
            return
        stored = self.store.read(folder)
        with closing(self._connect()) as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                _insert(conn, stored, self.store.root)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def ensure(self) -> None:
        """Rebuild the index if it is missing or of another version."""
        if not self.is_current():
            with self.store.lock():
                if not self.is_current():
                    self.rebuild()

    def submissions(self) -> pd.DataFrame:
        """One row per submission."""
        self.ensure()
        with closing(self._connect()) as conn:
            return pd.read_sql_query("SELECT * FROM submissions ORDER BY submitted_at", conn)

    def episodes(self) -> pd.DataFrame:
        """One row per episode of every submission, with its submission's columns."""
        self.ensure()
        query = (
            "SELECT e.*, s.submitter, s.agent, s.agent_version, s.model, s.suite, s.status, "
            "s.privileged FROM episodes e JOIN submissions s ON e.submission_id = s.id "
            "ORDER BY s.id, e.key"
        )
        with closing(self._connect()) as conn:
            frame = pd.read_sql_query(query, conn)
        for column in ("success", "ended_by_user", "privileged"):
            frame[column] = frame[column].astype(bool)
        for column in ("turns_to_success", "attempts_to_success"):
            frame[column] = frame[column].astype("float")
        return frame
