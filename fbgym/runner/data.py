"""Suites over a data file: a data set's problems, in the file's order, as one suite entry."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from fbgym.core.family import CHANNELS, SuiteEntry
from fbgym.envs.datafiles import read_records
from fbgym.errors import DataFormatError
from fbgym.registration import registry
from fbgym.runner.suites import Suite


def data_suite(
    path: str | Path,
    *,
    data_format: str | None = None,
    channels: Sequence[str] = CHANNELS,
    episodes: int | None = None,
) -> Suite:
    """A suite playing the data file ``path``'s problems in order (seed ``i``: record ``i``).

    The format is ``data_format``, else the one whose identifying fields the first record has
    (each family lists its formats in ``Family.data_formats``); the env is the family's
    ``data_env_id``. ``episodes`` plays only the first so many records.
    """
    path = Path(path).resolve()
    records = [record for _, record in read_records(path)]
    if not records:
        raise DataFormatError(f"{path}: no records")
    formats = {
        name: (family, fields)
        for _, family in registry.families.items()
        for name, fields in family.data_formats.items()
    }
    if data_format is None:
        found = [name for name, (_, fields) in formats.items() if set(fields) <= set(records[0])]
        if len(found) != 1:
            described = "; ".join(f"{n}: {', '.join(f)}" for n, (_, f) in sorted(formats.items()))
            raise DataFormatError(
                f"{path}: cannot tell the format from the first record's fields "
                f"({', '.join(sorted(records[0]))}); "
                + (f"it fits {found}; " if found else "")
                + f"name one with --data-format ({described})"
            )
        data_format = found[0]
    if data_format not in formats:
        raise DataFormatError(f"unknown data format {data_format!r}; known: {sorted(formats)}")
    family = formats[data_format][0]
    count = len(records) if episodes is None else min(episodes, len(records))
    entry = SuiteEntry(
        family.data_env_id,
        tuple(channels),
        count,
        {"data_path": str(path), "data_format": data_format},
    )
    return Suite(f"{path.name}", 1, (entry,), f"{data_format} file {path}, in its order")
