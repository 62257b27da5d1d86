"""Resource limits for one sandboxed run: time, memory, processes, files and output."""

from __future__ import annotations

import functools
import math
from dataclasses import asdict, dataclass
from typing import Any

from fbgym.errors import ConfigError


@dataclass(frozen=True)
class Limits:
    """What one run may use; every limit applies to each run afresh.

    >>> Limits(wall_s=2.0).cpu_s
    3
    """

    wall_s: float = 5.0
    """Wall-clock seconds before the whole run (every process it started) is killed."""
    cpu_s: int | None = None
    """CPU seconds of each process (RLIMIT_CPU); ``None``: the wall limit rounded up, plus
    one. One thread cannot use more CPU time than wall time, so a busy single-threaded run
    always meets the wall limit first, whatever the machine's load; the CPU limit stops runs
    whose threads together burn faster. Either way the run has timed out."""
    memory_mb: int = 512
    """Address space per process (RLIMIT_AS), in MiB."""
    processes: int = 16
    """Processes the run's user may have at once (RLIMIT_NPROC)."""
    file_size_mb: int = 16
    """Largest file a run may write (RLIMIT_FSIZE), in MiB; stdout and stderr count too."""
    open_files: int = 64
    """Open file descriptors per process (RLIMIT_NOFILE)."""
    output_chars: int = 8_192
    """How much of stdout and stderr (together) is kept."""
    result_kb: int = 4_096
    """How much result data a run may send back before it is stopped, in KiB."""
    scratch_mb: int = 64
    """Bytes a run may keep in /tmp, /var/tmp and /dev/shm together, in MiB (with a jail).
    Set once per :class:`Sandbox`: its runs' scratch space is made before they come."""
    scratch_files: int = 1_024
    """Files and directories a run may create there, together (with a jail; per sandbox)."""

    def __post_init__(self) -> None:
        if not (isinstance(self.wall_s, (int, float)) and 0 < self.wall_s <= 3600):
            raise ConfigError(f"wall_s must be in (0, 3600] seconds, got {self.wall_s!r}")
        if self.cpu_s is None:
            object.__setattr__(self, "cpu_s", math.ceil(self.wall_s) + 1)
        positive = (
            "cpu_s",
            "memory_mb",
            "processes",
            "file_size_mb",
            "open_files",
            "output_chars",
            "result_kb",
            "scratch_mb",
            "scratch_files",
        )
        for name in positive:
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ConfigError(f"{name} must be a positive integer, got {value!r}")
        if self.memory_mb < 64:
            raise ConfigError(
                f"memory_mb must be at least 64 (Python needs it), got {self.memory_mb}"
            )
        if self.open_files < 8:
            raise ConfigError(f"open_files must be at least 8, got {self.open_files}")

    def to_wire(self) -> dict[str, Any]:
        """The limits as a run's harness reads them (bytes and seconds)."""
        return dict(_wire(self))

    def to_dict(self) -> dict[str, Any]:
        """The limits as given, JSON-serialisable."""
        return asdict(self)


@functools.lru_cache(maxsize=64)
def _wire(self: Limits) -> dict[str, Any]:
    return {
        "wall_s": float(self.wall_s),
        "cpu_s": int(self.cpu_s or 1),
        "memory_bytes": self.memory_mb << 20,
        "processes": self.processes,
        "file_bytes": self.file_size_mb << 20,
        "open_files": self.open_files,
        "output_bytes": self.output_chars * 4,
        "result_bytes": self.result_kb << 10,
        "scratch_mb": self.scratch_mb,
        "scratch_files": self.scratch_files,
    }
