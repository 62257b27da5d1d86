"""What isolation a sandbox achieved on this machine, and what ``strict`` mode requires."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Isolation:
    """The isolation in force for every run of one sandbox.

    Always in force: a fresh process per run in its own session and process group, its own
    temporary directory, an empty environment, rlimits, no new privileges, a wall-clock
    timeout that kills all its processes, call arguments sent one call at a time, answers
    decoded with bounded work, and output cleaned of control sequences. The fields say what
    this machine added on top; ``strict`` mode requires all but ``scoped``, which only
    decides whether a run may start while the one before it is being torn down.
    """

    network: bool
    """Runs are in a network namespace with no usable interface: no sockets reach anything."""
    filesystem: bool
    """Each run has fresh /tmp, /var/tmp and /dev/shm on one tmpfs, bounded in bytes and files
    (``Limits.scratch_mb``, ``Limits.scratch_files``), gone with the run; nothing else is
    writable."""
    proc_hidden: bool
    """/proc is empty, so other processes' command lines and environments cannot be read."""
    pid_namespace: bool
    """Each run is the init of its own PID namespace: it sees none of the host's processes
    nor another run's, and every process it starts dies with it (daemons included). As an
    init, it ignores the signals it sends itself (a crash or a limit still ends it)."""
    user: str
    """``uid N`` (dropped to an unprivileged uid), ``namespace`` (a user namespace), or ``same``."""
    ipc: bool = False
    """Runs can make no System V shared memory, semaphores or message queues, nor POSIX
    message queues (the seccomp filter), in an IPC namespace that is not the host's: none
    reaches the host or outlives a run. (POSIX shared memory lives in /dev/shm.)"""
    stdlib_only: bool = False
    """Runs see a root filesystem of their own, read-only, that holds the standard library,
    the shared libraries it loads (with the loader's cache), the interpreter and a few device
    nodes, and nothing else of the host's files (no homes, checkouts or site-packages)."""
    seccomp: bool = False
    """A seccomp filter refuses runs new user namespaces (and joining namespaces, and the
    kernel's keyrings and IPC objects, which outlive a run)."""
    scoped: bool = False
    """Each run is in a Landlock scope of its own (Linux 6.12): it can reach no abstract
    Unix socket and signal no process outside it. Then a run may start while the one before
    it is still being torn down, as they have no way left to talk."""

    @classmethod
    def from_server(cls, data: Mapping[str, Any]) -> Isolation:
        """Read the fork server's report."""
        return cls(
            network=bool(data.get("network")),
            filesystem=bool(data.get("filesystem")),
            proc_hidden=bool(data.get("proc_hidden")),
            pid_namespace=bool(data.get("pid_namespace")),
            user=str(data.get("user", "same")),
            ipc=bool(data.get("ipc")),
            stdlib_only=bool(data.get("stdlib_only")),
            seccomp=bool(data.get("seccomp")),
            scoped=bool(data.get("scoped")),
        )

    @property
    def missing(self) -> tuple[str, ...]:
        """What ``strict`` mode requires and this machine lacks."""
        gaps = []
        if not self.network:
            gaps.append("network namespace")
        if not self.pid_namespace:
            gaps.append("PID namespace")
        if not self.filesystem:
            gaps.append("a private, bounded /tmp")
        if not self.ipc:
            gaps.append("no IPC objects (an IPC namespace and the seccomp filter)")
        if not self.stdlib_only:
            gaps.append("a root filesystem of the standard library only (the host's hidden)")
        if not self.seccomp:
            gaps.append("a seccomp filter (against new user namespaces; x86-64 or arm64)")
        if self.user == "same" or (self.user == "namespace" and not self.proc_hidden):
            gaps.append("an unprivileged uid (or a user namespace with /proc hidden)")
        return tuple(gaps)

    @property
    def level(self) -> str:
        """``full`` when nothing strict mode needs is missing, else ``partial``."""
        return "full" if not self.missing else "partial"

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable, with ``level`` and ``missing``."""
        return {**asdict(self), "level": self.level, "missing": list(self.missing)}
