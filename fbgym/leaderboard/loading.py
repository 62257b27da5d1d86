"""Read what is submitted — a run directory, or a pytest-benchmark JSON naming run directories.

Reading is strict where the runner's own reader is forgiving: a symbolic link or anything but a
regular file, a file over the size limit, bytes that are not UTF-8, JSON that does not parse, a
key given twice in one object, a non-finite number (``NaN``, ``Infinity``, or one too large for
a float, like ``1e400``) or a torn last line is a ``malformed`` (or ``too-large``) rejection
that names the file and line.
"""

from __future__ import annotations

import json
import math
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fbgym.errors import SubmissionRejected
from fbgym.runner.records import EPISODES, META

DEFAULT_MAX_BYTES = 64 * 2**20
"""The largest file accepted (each of ``meta.json``, ``episodes.jsonl``, a benchmark JSON)."""

RUN_DIR_KEY = "fbgym_run_dir"
"""The ``extra_info`` key under which ``pytest --benchmark`` records its run directory."""

_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
"""Never through a link, and never waiting on a FIFO swapped in after the check."""


@dataclass(frozen=True)
class RunFiles:
    """A run directory as submitted: its parsed files and their exact bytes."""

    path: Path
    meta: dict[str, Any]
    episodes: list[dict[str, Any]]
    raw_meta: bytes
    raw_episodes: bytes


def _regular(path: Path, mode: int) -> None:
    if stat.S_ISLNK(mode):
        raise SubmissionRejected(
            "malformed", f"{path} is a symbolic link; submit a folder holding the file itself"
        )
    if not stat.S_ISREG(mode):
        raise SubmissionRejected("malformed", f"{path} is not a regular file")


def read_limited(path: Path, max_bytes: int) -> bytes:
    """The bytes of the regular file ``path``: no link, nothing special, at most ``max_bytes``."""
    try:
        _regular(path, os.lstat(path).st_mode)
        fd = os.open(path, _OPEN_FLAGS)
    except FileNotFoundError:
        raise SubmissionRejected("malformed", f"{path} does not exist") from None
    except OSError as exc:
        raise SubmissionRejected("malformed", f"{path} cannot be read: {exc.strerror}") from None
    try:
        info = os.fstat(fd)
        _regular(path, info.st_mode)  # what was opened, should the path have changed since
        if info.st_size > max_bytes:
            raise SubmissionRejected(
                "too-large", f"{path} is {info.st_size:,} bytes; the limit is {max_bytes:,} bytes"
            )
        with open(fd, "rb", closefd=False) as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise SubmissionRejected("malformed", f"{path} cannot be read: {exc.strerror}") from None
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise SubmissionRejected(
            "too-large", f"{path} grew past the limit of {max_bytes:,} bytes while it was read"
        )
    return data


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"non-finite number {text} is not allowed")
    return value


def _reject_constant(name: str) -> float:
    raise ValueError(f"non-finite number {name} is not allowed")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            raise ValueError(f"key {key!r} appears twice in one object")
        seen.add(key)
    return dict(pairs)


def parse_json(data: bytes, where: str) -> Any:
    """``data`` parsed strictly as one JSON document; ``where`` names it in the rejection."""
    try:
        return json.loads(
            data.decode("utf-8"),
            object_pairs_hook=_unique_keys,
            parse_float=_finite,
            parse_constant=_reject_constant,
        )
    except UnicodeDecodeError as exc:
        raise SubmissionRejected(
            "malformed", f"{where} is not UTF-8 (byte {exc.start}: {exc.reason})"
        ) from None
    except json.JSONDecodeError as exc:
        raise SubmissionRejected(
            "malformed",
            f"{where} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
        ) from None
    except ValueError as exc:
        raise SubmissionRejected("malformed", f"{where}: {exc}") from None


def parse_jsonl(data: bytes, where: str) -> list[dict[str, Any]]:
    """One JSON object per line; a torn or blank line is refused."""
    if data and not data.endswith(b"\n"):
        raise SubmissionRejected(
            "malformed",
            f"{where} ends in a torn line (the run was interrupted); finish it with the same "
            "`fbgym run` command, which resumes it, before submitting",
        )
    records = []
    for number, line in enumerate(data.splitlines(), 1):
        if not line.strip():
            raise SubmissionRejected("malformed", f"{where} line {number} is blank")
        record = parse_json(line, f"{where} line {number}")
        if not isinstance(record, dict):
            raise SubmissionRejected(
                "malformed",
                f"{where} line {number}: expected a JSON object, got {type(record).__name__}",
            )
        records.append(record)
    return records


def load_run(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> RunFiles:
    """Read the run directory ``path`` (``meta.json`` and ``episodes.jsonl``)."""
    path = Path(path)
    if not path.is_dir():
        raise SubmissionRejected("malformed", f"{path} is not a run directory")
    raw_meta = read_limited(path / META, max_bytes)
    raw_episodes = read_limited(path / EPISODES, max_bytes)
    meta = parse_json(raw_meta, str(path / META))
    if not isinstance(meta, dict):
        raise SubmissionRejected(
            "malformed", f"{path / META}: expected a JSON object, got {type(meta).__name__}"
        )
    episodes = parse_jsonl(raw_episodes, str(path / EPISODES))
    return RunFiles(path, meta, episodes, raw_meta, raw_episodes)


def run_dirs(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> list[Path]:
    """The run directories ``path`` stands for: itself, or those a benchmark JSON names.

    A pytest-benchmark JSON (``pytest --benchmark-json``) names its run directory in each
    benchmark's ``extra_info["fbgym_run_dir"]``; a relative one is taken relative to the JSON
    file's folder when it exists there, else to the working directory.
    """
    path = Path(path)
    if path.is_dir():
        return [path]
    document = parse_json(read_limited(path, max_bytes), str(path))
    benchmarks = document.get("benchmarks") if isinstance(document, dict) else None
    if not isinstance(benchmarks, list):
        raise SubmissionRejected(
            "malformed",
            f"{path} is neither a run directory nor a pytest-benchmark JSON (no 'benchmarks' list)",
        )
    found: list[Path] = []
    for bench in benchmarks:
        extra = bench.get("extra_info") if isinstance(bench, dict) else None
        value = extra.get(RUN_DIR_KEY) if isinstance(extra, dict) else None
        if not isinstance(value, str) or not value:
            continue
        candidate = Path(value)
        if not candidate.is_absolute() and (path.parent / candidate).is_dir():
            candidate = path.parent / candidate
        if candidate not in found:
            found.append(candidate)
    if not found:
        raise SubmissionRejected(
            "malformed",
            f"{path}: no benchmark carries extra_info[{RUN_DIR_KEY!r}]; was it "
            "written by `pytest --benchmark --benchmark-json`?",
        )
    return found
