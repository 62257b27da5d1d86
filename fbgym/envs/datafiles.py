"""Reading local data files for the families' loaders: text, gzip, JSON Lines, JSON arrays."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO, TypeVar

from fbgym.errors import ConfigError, DataFormatError

T = TypeVar("T")


def open_text(path: str | Path) -> TextIO:
    """``path`` opened as UTF-8 text, decompressed if it ends in ``.gz``."""
    path = Path(path)
    if not path.is_file():
        raise DataFormatError(f"no such data file: {path}")
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")
    return open(path, encoding="utf-8", newline="")


def read_records(path: str | Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, record) for each record of a .jsonl, .jsonl.gz or .json (array) file.

    Errors name the file and line: a line that is not JSON, or not a JSON object.
    """
    path = Path(path)
    with open_text(path) as handle:
        if path.name.endswith((".json", ".json.gz")):
            try:
                records = json.load(handle)
            except json.JSONDecodeError as exc:
                raise DataFormatError(f"{path}: not valid JSON ({exc})") from None
            if not isinstance(records, list):
                raise DataFormatError(f"{path}: expected a JSON array of records")
            for number, record in enumerate(records, start=1):
                if not isinstance(record, dict):
                    raise DataFormatError(f"{path}: record {number} is not a JSON object")
                yield number, record
            return
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DataFormatError(f"{path}:{number}: not valid JSON ({exc.msg})") from None
            if not isinstance(record, dict):
                raise DataFormatError(
                    f"{path}:{number}: expected a JSON object, got {type(record).__name__}"
                )
            yield number, record


def load_problems(loader: Callable[[str], list[T]], path: str) -> list[T]:
    """``loader(path)``, refusing a file that yields no usable problem."""
    problems = loader(path)
    if not problems:
        raise ConfigError(f"{path} holds no usable problems")
    return problems
