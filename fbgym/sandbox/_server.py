"""The fork server: its main loop, and the messages it exchanges with the parent.

It runs as ``python -I -S`` with the sandbox's server files (see ``forkserver.py``)
concatenated, this one last.
"""

import _socket
import array
import gc
import json
import os
import select
import struct
import time

if "encode_value" not in globals():  # imported as a module rather than run as the server
    from fbgym.sandbox._harness import warm_up
    from fbgym.sandbox._jail import PidNamespaces, setup_isolation
    from fbgym.sandbox._landlock import landlock_scopes
    from fbgym.sandbox._seccomp import install_seccomp, seccomp_program
    from fbgym.sandbox._spare import (
        Spare,
        fork_spares,
        kill_all_but_me,
        kill_process,
        ready_for_children,
        remove_tree,
    )
    from fbgym.sandbox._sys import CLONE_NEWUSER, PR_SET_NO_NEW_PRIVS, libc, prctl


def _read_message(sock):
    header = _recv_exact(sock, 4)
    if header is None:
        return None
    body = _recv_exact(sock, struct.unpack("!I", header)[0])
    return None if body is None else json.loads(body)


def _recv_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def _send_message(sock, obj, fds=()):
    body = json.dumps(obj).encode("utf-8")
    data = struct.pack("!I", len(body)) + body
    if fds:
        rights = [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, array.array("i", fds))]
        sent = sock.sendmsg([data], rights)
        data = data[sent:]
    sock.sendall(data)


def _seccomp_refuses_userns(program):
    """Whether ``program``, installed in a throwaway child, makes unshare(CLONE_NEWUSER) fail."""
    pid = os.fork()
    if pid == 0:
        ok = prctl(PR_SET_NO_NEW_PRIVS, 1) and install_seccomp(program)
        os._exit(0 if ok and libc().unshare(CLONE_NEWUSER) != 0 else 1)
    status = os.waitpid(pid, 0)[1]
    return os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


_SURPLUS = 3
"""Spares forked beyond the largest batch, when some are forked at all."""


class Spares:
    """The spare children: forked ahead of their requests and handed to the parent.

    As many wait as the largest batch asked for. Where a batch's leftovers die by this
    server killing every process of its PID namespace (``reap == "init"``), none may wait
    beside a batch: spares are forked only when the parent asks for them, between batches.
    """

    def __init__(self, sock, spawn, reap, overlap):
        self.sock, self.spawn, self.reap, self.overlap = sock, spawn, reap, overlap
        self.handed, self.running, self.number, self.wanted = {}, {}, 0, 1
        self.dying = {}
        """Runs killed and not yet reaped, by pidfd (only with ``overlap``)."""

    def fill(self, wanted=None):
        """Fork spares if the parent holds fewer than ``wanted`` (by default, the largest batch).

        Spares are forked a few at a time: each fork makes every page of this server shared,
        so that what it touches next is copied; forking in bursts pays for that once a burst.
        """
        if wanted is None:
            if self.reap == "init":
                return
            wanted = self.wanted
        self.wanted = max(self.wanted, wanted)
        if len(self.handed) >= wanted:
            return
        if self.reap != "init":
            wanted += _SURPLUS
        count = wanted - len(self.handed)
        new = self.spawn(range(self.number + 1, self.number + 1 + count))
        self.number += count
        if new:
            fds = [fd for spare in new for fd in spare.hand_over()]
            _send_message(self.sock, {"ready": [spare.number for spare in new]}, fds)
            for fd in fds:
                os.close(fd)
            self.handed.update((spare.number, spare) for spare in new)

    def go(self, runs):
        """Start the runs ``[[number, wall_s, cpu_s], ...]`` (their spares were handed over)."""
        for number, wall_s, cpu_s in runs:
            spare = self.handed.pop(number, None)
            if spare is not None:
                spare.start(wall_s, cpu_s)
                self.running[number] = spare

    def end(self, runs, reply):
        """End the runs ``[[number, done, gone], ...]``: answer how each ended, if asked.

        ``gone``: the parent saw the end of the run's result pipe (it ended by itself).
        Then, unless runs may overlap, wait until they are all gone.
        """
        batch = [(self.running.pop(n), bool(d), bool(g)) for n, d, g in runs if n in self.running]
        results = [spare.result(done, gone) for spare, done, gone in batch]
        if reply:
            _send_message(self.sock, {"runs": results})
        if not self.overlap:
            self.finish([spare for spare, _, _ in batch])
            return
        for spare, _, _ in batch:  # the next batch need not wait for these to be gone
            kill_process(spare.pid)
            self.dying[spare.pidfd] = spare

    def collect(self, ready):
        """Reap the dying runs whose pidfds are in ``ready``."""
        for pidfd in ready:
            spare = self.dying.pop(pidfd, None)
            if spare is not None:
                spare.finish()

    def finish(self, spares):
        """Kill ``spares`` and what is left of their runs, and wait until it is all gone."""
        for spare in spares:
            spare.finish()
        if self.reap == "init":
            kill_all_but_me()
        elif self.reap == "group":
            for spare in spares:
                kill_process(spare.pid, group=True)

    def kill_late(self):
        """Kill every run past its deadline; seconds to the next deadline (None: none)."""
        now, wait = time.monotonic(), None
        for spare in self.running.values():
            if spare.timed_out:
                continue
            if now >= spare.deadline:
                if spare.alive():
                    kill_process(spare.pid)
                    spare.timed_out = True
            else:
                wait = min(spare.deadline - now, wait if wait is not None else 1e9)
        return wait


def serve():
    """Answer the parent on fd 0 (a Unix socket) until it closes it.

    Set-up, once (see ``_jail.py``): namespaces, a read-only root with only what the standard
    library needs, and the server as init of its own PID namespace. Each run goes to a spare
    child forked ahead of time: the init of a PID namespace of its own, in a mount namespace
    of its own, set up while it waits (no IPC namespace: the seccomp filter lets runs make no
    IPC objects). The server hands each spare's pipes and output file to the parent as soon
    as it is forked; the parent sends its request to the child directly, and the child reads
    it, mounts its scratch space, sets rlimits, drops to an unprivileged uid, forbids new
    privileges, enters a Landlock scope of its own and installs the seccomp filter. Then it
    runs; a batch is a solution, or a solution and its test program. When the parent ends it
    (or a run reaches its deadline) the server kills each run's init, and with it the kernel
    kills the rest of its namespace. The next batch may start while that happens only where
    Landlock scopes runs (Linux 6.12): a run can then reach no other's abstract Unix sockets
    nor signal it, and sees nothing else of it, so a dying run has no way to talk to a new
    one. Elsewhere each child waits at a gate before it runs any code of the request's, and
    the server opens it when the parent says the batch goes, once every process of the batch
    before is gone. Where a kernel lacks PID
    namespaces per child, the server kills what is left as init of its own namespace
    (forking spares only between batches), or by process group.

    Protocol on the socket: 4-byte big-endian length, then a JSON object. The first message
    is the configuration, answered with the isolation in force. The server sends
    ``{"ready": [number, ...]}`` with three fds per spare (its request pipe's write end, its
    result pipe's read end, its output file) whenever it forks spares; the parent sends
    ``{"want": n}`` (have ``n`` spares handed over), ``{"go": [[number, wall_s, cpu_s], ...]}``
    and ``{"end": [[number, done, gone], ...], "reply": bool}`` (which a ``go`` may carry too),
    answered (if asked) with ``{"runs": [...]}`` once the runs not done are dead.
    """
    sock = _socket.socket(fileno=0)
    cfg = _read_message(sock)
    if cfg is None:
        return
    iso = setup_isolation(cfg)
    import site  # run -S: only its quit(), exit() and help(), never its package paths

    site.setquit()
    site.sethelper()
    base = None
    if not iso["filesystem"]:
        import tempfile

        base = tempfile.mkdtemp(prefix="fbgym-sandbox-")
        os.chmod(base, 0o711)
    for name in cfg.get("preload", ()):
        try:
            __import__(name)
        except ImportError:
            pass
    warm_up()
    program = seccomp_program() if cfg.get("seccomp", True) else None
    if program is not None and not _seccomp_refuses_userns(program):
        program = None
    iso["seccomp"] = program is not None
    iso["scoped"] = bool(cfg.get("scope", True)) and landlock_scopes()
    iso["ipc"] = iso["ipc"] and iso["seccomp"]  # runs share one IPC namespace, and make no objects
    per_run = iso["pid_namespace"] and cfg.get("pid_per_run", True)
    pid_namespaces = PidNamespaces.if_available() if per_run else None
    # How a run's leftovers die: with its own PID namespace (the next spare can wait beside
    # it), killed by this server as init of the shared one, or by process group.
    reap = "namespace" if pid_namespaces else "init" if iso["pid_namespace"] else "group"
    iso["pid_namespace"] = pid_namespaces is not None
    ready_for_children()
    gc.collect()
    gc.freeze()  # forked children then leave the server's objects (and pages) untouched
    libc().malloc_trim(0)  # every page the server keeps is one more for each fork to copy
    _send_message(sock, {"isolation": iso})

    overlap = reap == "namespace" and iso["scoped"]

    def spawn(numbers):
        spares = [Spare(iso, base, number, gated=not overlap) for number in numbers]
        return fork_spares(spares, cfg, iso, pid_namespaces, program)

    spares = Spares(sock, spawn, reap, overlap)
    try:
        spares.fill()
        while True:
            wait = spares.kill_late()
            ready = select.select([sock, *spares.dying], [], [], wait)[0]
            spares.collect([fd for fd in ready if fd != sock])
            if sock not in ready:
                continue
            message = _read_message(sock)
            if message is None:
                break
            if message.get("end"):
                spares.end(message["end"], message.get("reply", False))
            if "want" in message:
                spares.fill(int(message["want"]))
            elif "go" in message:
                spares.go(message["go"])
            spares.fill()  # beside a batch: a new spare runs only in a later one
    finally:
        spares.finish([*spares.running.values(), *spares.handed.values(), *spares.dying.values()])
        if base is not None:
            remove_tree(base)


if __name__ == "__main__":
    serve()
