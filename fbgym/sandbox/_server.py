"""The fork server: run as ``python -I -S -c <values.py, _sys.py, ..., this file>``."""

import fcntl
import gc
import json
import os
import select
import shutil
import signal
import socket
import struct
import sys
import tempfile
import time

if "encode_value" not in globals():  # imported as a module rather than run as the server
    from fbgym.sandbox._harness import run_request, set_limits, warm_up
    from fbgym.sandbox._jail import PidNamespaces, drop_privileges, setup_isolation
    from fbgym.sandbox._rootfs import mount_scratch, resize_scratch
    from fbgym.sandbox._seccomp import install_seccomp, seccomp_program
    from fbgym.sandbox._sys import (
        CLONE_NEWIPC,
        CLONE_NEWNS,
        CLONE_NEWUSER,
        PR_SET_NO_NEW_PRIVS,
        PR_SET_PDEATHSIG,
        _libc,
        prctl,
        unshare,
    )


def _child(cfg, iso, tmp, qfd, wfd, out_fd, program):
    """A spare child: set up while idle, then wait for its request, jail itself and run it.

    ``tmp`` is its work directory, or None to mount scratch space of its own (sized as
    ``cfg["scratch"]`` says, unless the request asks for another size).
    """
    try:
        os.setsid()
        uid = iso["uid"] if iso["user"].startswith("uid ") else None
        if tmp is None:
            if not unshare(CLONE_NEWNS | CLONE_NEWIPC):
                raise OSError("could not give the run its own mount and IPC namespaces")
            tmp = mount_scratch(*cfg["scratch"], uid, cfg.get("gid"))
        elif uid is not None:
            os.chown(tmp, uid, int(cfg["gid"]))
        null = os.open(os.devnull, os.O_RDONLY)
        sources = [fcntl.fcntl(fd, fcntl.F_DUPFD, 16) for fd in (null, out_fd, out_fd, wfd, qfd)]
        for target, fd in enumerate(sources):  # moved above 4 first: none overwrites another
            os.dup2(fd, target)
        os.closerange(5, 1 << 16)
        os.environ.clear()
        for name in ("SIGINT", "SIGTERM", "SIGPIPE", "SIGXFSZ"):
            sig = getattr(signal, name, None)
            if sig is not None:
                signal.signal(sig, signal.SIG_DFL if name != "SIGXFSZ" else signal.SIG_IGN)
        sys.stdin = open(0, closefd=False)
        sys.stdout = open(1, "w", buffering=1, errors="backslashreplace", closefd=False)
        sys.stderr = open(2, "w", buffering=1, errors="backslashreplace", closefd=False)
        sys.argv = ["solution"]
        reader = open(4, "rb")
        line = reader.readline()  # all above is done while idle; all below, once it has come
        if not line:
            os._exit(0)
        setup = json.loads(line)
        lim = setup["limits"]
        scratch = [lim["scratch_mb"], lim["scratch_files"]]
        if iso["filesystem"] and scratch != cfg["scratch"]:
            resize_scratch(*scratch)
        os.chdir(tmp)
        set_limits(lim)
        drop_privileges(iso, int(cfg.get("gid") or 0))
        prctl(PR_SET_NO_NEW_PRIVS, 1)
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if program is not None and not install_seccomp(program):
            os._exit(70)
        run_request(setup, reader, 3)
    except BaseException:
        pass
    os._exit(0)


class Spare:
    """A child forked ahead of its request, with its pipes and output file.

    With ``pid_namespaces`` it is the init of a PID namespace of its own, so that when it
    dies every process its run started dies too, and nothing else does. With a jail it makes
    its own scratch space, which vanishes with it; else it works in a directory under
    ``base``. The parent gets the ends of its pipes and talks to it directly: this server
    never sees a request's code or inputs, so no spare forked from it can find them.
    """

    def __init__(self, cfg, iso, base, number, pid_namespaces, program):
        self.tmp, self.status, self.timed_out = None, None, False
        if not iso["filesystem"]:
            self.tmp = os.path.join(base, f"run-{number}")
            os.mkdir(self.tmp, 0o700)  # the child hands it to the run's uid once it starts
        self.out = _output_file(base)
        self.rfd, wfd = os.pipe()
        qfd, self.qw = os.pipe()
        try:
            self.pid = pid_namespaces.fork() if pid_namespaces else os.fork()
        except OSError:
            for fd in (wfd, qfd):
                os.close(fd)
            self.close()
            raise
        if self.pid == 0:
            os.close(self.rfd)
            os.close(self.qw)
            _child(cfg, iso, self.tmp, qfd, wfd, self.out, program)
        os.close(wfd)
        os.close(qfd)

    def start(self, spec):
        """Its wall clock starts now; the ends of its pipes and its output file, for the parent."""
        self.started = time.monotonic()
        self.deadline = self.started + float(spec["wall_s"])
        fds, self.qw, self.rfd, self.out = [self.qw, self.rfd, self.out], None, None, None
        return fds

    def wait(self):
        """Wait for it to exit (as init of its PID namespace: with all its run started)."""
        if self.status is None:
            try:
                self.status = os.waitpid(self.pid, 0)[1]
            except ChildProcessError:  # reaped with the rest of a batch
                self.status = 0

    def result(self, done):
        """What the parent cannot see: whether it was killed at its deadline, how it ended.

        A run that is done is left to die meanwhile; any other is killed and waited for, so
        that all it printed is in its output file when the parent reads it.
        """
        if not done:
            _kill(self.pid)
            self.wait()
        reply = {"timed_out": self.timed_out}
        if done and not self.timed_out:
            reply["exit_code"] = 0  # ended by the server; the harness would have exited 0
        elif os.WIFSIGNALED(self.status):
            reply["signal"] = os.WTERMSIG(self.status)
        elif os.WIFEXITED(self.status):
            reply["exit_code"] = os.WEXITSTATUS(self.status)
        return reply

    def finish(self):
        """Kill it, wait for it, and clean up."""
        _kill(self.pid)
        self.wait()
        self.close()

    def close(self):
        for fd in (self.rfd, self.qw, self.out):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self.rfd = self.qw = self.out = None
        if self.tmp is not None:
            shutil.rmtree(self.tmp, onerror=_force_remove)


def _output_file(base):
    """An fd of a fresh unnamed file for a run's stdout and stderr."""
    if hasattr(os, "memfd_create"):
        return os.memfd_create("fbgym-run-output")
    fd, path = tempfile.mkstemp(dir=base)
    os.unlink(path)
    return fd


def _kill(pid, group=False):
    try:
        (os.killpg if group else os.kill)(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _kill_all_but_me():
    """As init of a PID namespace, kill and reap every other process in it."""
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:  # nothing left
        return
    _kill(-1)  # as init of the namespace: every process in it but this server (no spare yet)
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return


def _force_remove(func, path, exc_info):
    try:
        os.chmod(os.path.dirname(path), 0o700)
        os.chmod(path, 0o700)
        func(path)
    except OSError:
        pass


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
        sent = socket.send_fds(sock, [data], list(fds))
        data = data[sent:]
    sock.sendall(data)


def _seccomp_refuses_userns(program):
    """Whether ``program``, installed in a throwaway child, makes unshare(CLONE_NEWUSER) fail."""
    pid = os.fork()
    if pid == 0:
        ok = prctl(PR_SET_NO_NEW_PRIVS, 1) and install_seccomp(program)
        os._exit(0 if ok and _libc().unshare(CLONE_NEWUSER) != 0 else 1)
    status = os.waitpid(pid, 0)[1]
    return os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


class Spares:
    """The spare children, forked ahead of their requests; as many as the largest batch.

    Where a batch's leftovers die by this server killing every process of its PID namespace
    (``reap == "init"``), no spare waits beside a batch: each is forked when it is needed.
    """

    def __init__(self, cfg, iso, base, pid_namespaces, program, reap):
        self.args = (cfg, iso, base)
        self.pid_namespaces, self.program, self.reap = pid_namespaces, program, reap
        self.ready, self.number, self.wanted = [], 0, 1

    def fill(self, wanted=None):
        """Fork spares until there are ``wanted`` (by default, as many as the largest batch)."""
        if wanted is None:
            wanted = 0 if self.reap == "init" else self.wanted
        while len(self.ready) < wanted:
            self.number += 1
            self.ready.append(Spare(*self.args, self.number, self.pid_namespaces, self.program))

    def take(self, n):
        """``n`` spares (forked now if there are too few)."""
        self.wanted = max(self.wanted, n)
        self.fill(n)
        taken, self.ready = self.ready[:n], self.ready[n:]
        return taken

    def end_batch(self, batch):
        """Kill what is left of ``batch``, and wait until it is all gone."""
        for spare in batch:
            spare.finish()
        if self.reap == "init":
            _kill_all_but_me()
        elif self.reap == "group":
            for spare in batch:
                _kill(spare.pid, group=True)


def _await_end(sock, batch):
    """The parent's next message; any run still going at its deadline is killed meanwhile."""
    while True:
        live = [s for s in batch if not s.timed_out]
        wait = min((s.deadline for s in live), default=None)
        if wait is not None:
            wait = max(0.0, wait - time.monotonic())
        if select.select([sock], [], [], wait)[0]:
            return _read_message(sock)
        now = time.monotonic()
        for spare in live:
            if now >= spare.deadline:
                _kill(spare.pid)
                spare.timed_out = True


def serve():
    """Answer requests on fd 0 (a Unix socket) until the parent closes it.

    Set-up, once (see ``_jail.py``): namespaces, a read-only root with only what the standard
    library needs, and the server as init of its own PID namespace. Each run goes to a spare
    child forked ahead of time: the init of a PID namespace of its own, in a mount and IPC
    namespace of its own, set up while it waits. The parent asks for a batch of runs (a
    solution, or a solution and its test program): the server hands it the ends of each
    run's pipes and starts its wall clock; the parent sends the request to the child
    directly. Given it, the child mounts its scratch space, sets rlimits, drops to an
    unprivileged uid, forbids new privileges, installs the seccomp filter and runs the code.
    When the parent says the batch is over (or a run reaches its deadline) the server kills
    each run's init, and with it the kernel kills the rest of its namespace; it answers with
    how each ended and what it printed. Spares for the next batch are forked while a batch
    goes on, but get their requests only once every process of it is gone. Where a kernel
    lacks PID namespaces per child, the server forks spares after a batch and kills what is
    left as init of its own namespace, or by process group.

    Protocol on the socket: 4-byte big-endian length, then a JSON object. The first message
    is the configuration, answered with the isolation in force; then ``{"start": [{"wall_s"},
    ...]}``, answered with ``{"started": n}`` and three fds per run (its request pipe's write
    end, its result pipe's read end, its output file); then ``{"end": [done, ...], "reply":
    bool}``, answered (if asked) with ``{"runs": [...]}`` once the runs not done are dead.
    """
    sock = socket.socket(fileno=0)
    cfg = _read_message(sock)
    if cfg is None:
        return
    iso = setup_isolation(cfg)
    import site  # run -S: only its quit(), exit() and help(), never its package paths

    site.setquit()
    site.sethelper()
    base = None
    if not iso["filesystem"]:
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
    pid_namespaces = PidNamespaces.if_available() if iso["pid_namespace"] else None
    # How a run's leftovers die: with its own PID namespace (the next spare can wait beside
    # it), killed by this server as init of the shared one, or by process group.
    reap = "namespace" if pid_namespaces else "init" if iso["pid_namespace"] else "group"
    iso["pid_namespace"] = pid_namespaces is not None
    iso["ipc"] = iso["ipc"] and iso["filesystem"]  # each run unshares its own with its mounts
    gc.collect()
    gc.freeze()  # forked children then leave the server's objects (and pages) untouched
    _send_message(sock, {"isolation": iso})
    spares, batch = Spares(cfg, iso, base, pid_namespaces, program, reap), []
    try:
        spares.fill()
        while True:
            message = _read_message(sock)
            if message is None:
                break
            batch = spares.take(len(message["start"]))
            fds = [fd for spare, spec in zip(batch, message["start"]) for fd in spare.start(spec)]
            _send_message(sock, {"started": len(batch)}, fds)
            for fd in fds:
                os.close(fd)
            if reap == "namespace":
                spares.fill()  # while the batch runs
            end = _await_end(sock, batch)
            if end is None:
                break
            done = list(end.get("end", ())) + [False] * len(batch)
            runs = [spare.result(d) for spare, d in zip(batch, done)]
            if end.get("reply", True):
                _send_message(sock, {"runs": runs})
            spares.end_batch(batch)  # while the parent goes on
            batch = []
            spares.fill()
    finally:
        spares.end_batch(batch + spares.ready)
        if base is not None:
            shutil.rmtree(base, onerror=_force_remove)


if __name__ == "__main__":
    serve()
