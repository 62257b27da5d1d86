"""The fork server's children: spares forked ahead of their requests, and how they end."""

import fcntl
import json
import os
import signal
import sys
import time

if "encode_value" not in globals():  # imported as a module rather than run as the server
    from fbgym.sandbox._harness import Pipes, run_request, set_limits
    from fbgym.sandbox._jail import drop_privileges
    from fbgym.sandbox._landlock import scope_self
    from fbgym.sandbox._rootfs import mount_scratch
    from fbgym.sandbox._seccomp import install_seccomp
    from fbgym.sandbox._sys import (
        CLONE_NEWNS,
        PR_SET_NO_NEW_PRIVS,
        PR_SET_PDEATHSIG,
        prctl,
        unshare,
    )


def _child(cfg, iso, tmp, fds, program):
    """A spare child: set up while idle, then wait for its request, jail itself and run it.

    ``fds`` are its request pipe, result pipe, output file and gate (or None). ``tmp`` is its
    work directory, or None to mount scratch space of its own (sized as ``cfg["scratch"]``
    says). It jails itself while idle (scratch space, no new privileges, Landlock scope,
    seccomp filter), but takes the runs' uid only once its request has come, with the
    request's rlimits: the kernel counts a uid's processes together (``RLIMIT_NPROC``), and
    idle spares of many sandboxes must not use up a run's. With a gate it runs no code of
    the request's until the server opens it, which the server does only once the runs before
    it are gone.
    """
    try:
        os.setsid()
        null = os.open(os.devnull, os.O_RDONLY)
        qfd, wfd, out_fd, gate = fds
        order = [null, out_fd, out_fd, wfd, qfd] + ([gate] if gate is not None else [])
        moved = [fcntl.fcntl(fd, fcntl.F_DUPFD, 16) for fd in order]  # to fds 0-5
        for target, fd in enumerate(moved):  # moved above 5 first: none overwrites another
            os.dup2(fd, target)
        os.closerange(6, 1 << 16)  # first of all: the pipes of the spares forked beside it
        uid = iso["uid"] if iso["user"].startswith("uid ") else None
        if tmp is None:
            if not unshare(CLONE_NEWNS):
                raise OSError("could not give the run its own mount namespace")
            tmp = mount_scratch(*cfg["scratch"], uid, cfg.get("gid"))
        elif uid is not None:
            os.chown(tmp, uid, int(cfg["gid"]))
        os.chdir(tmp)
        prctl(PR_SET_NO_NEW_PRIVS, 1)
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if iso.get("scoped") and not scope_self():
            os._exit(70)
        if program is not None and not install_seccomp(program):
            os._exit(70)
        pipes = Pipes(4, 3)
        line = pipes.request()  # all above is done while idle; all below, once it has come
        if line is None:
            os._exit(0)
        setup = json.loads(line)
        set_limits(setup["limits"])
        drop_privileges(iso, int(cfg.get("gid") or 0))  # not while idle: see the docstring
        if gate is not None:
            if os.read(5, 1) != b"g":  # closed unopened: the server is gone
                os._exit(0)
            os.close(5)
        run_request(setup, pipes)
    except BaseException:
        pass
    os._exit(0)


class Spare:
    """A child forked ahead of its request, with its pipes, output file and gate.

    With ``pid_namespaces`` it is the init of a PID namespace of its own, so that when it
    dies every process its run started dies too, and nothing else does. With a jail it makes
    its own scratch space, which vanishes with it; else it works in a directory under
    ``base``. The parent gets the ends of its pipes and talks to it directly: this server
    never sees a request's code or inputs, so no spare forked from it can find them.
    """

    def __init__(self, iso, base, number, gated):
        """Its pipes, output file and work directory; :func:`fork_spares` forks it."""
        self.number, self.tmp, self.status, self.timed_out = number, None, None, False
        self.cpu_s, self.used_s, self.limit = None, 0.0, "wall"
        """Its CPU limit (seconds), and the CPU time it used, known once it is reaped."""
        self.pid = self.pidfd = None
        if not iso["filesystem"]:
            self.tmp = os.path.join(base, f"run-{number}")
            os.mkdir(self.tmp, 0o700)  # the child hands it to the run's uid once it starts
        self.out = _output_file(base)
        self.rfd, wfd = os.pipe()
        qfd, self.qw = os.pipe()
        gate, self.gate = os.pipe() if gated else (None, None)
        self.theirs = (qfd, wfd, self.out, gate)
        os.set_blocking(self.qw, False)  # for the parent: see session.Channel

    def forked(self, pid, pidfd):
        """Now that its child runs as ``pid``: close the child's ends here."""
        self.pid, self.pidfd = pid, pidfd
        qfd, wfd, _, gate = self.theirs
        for fd in (qfd, wfd, gate):
            if fd is not None:
                os.close(fd)
        self.theirs = None

    def hand_over(self):
        """The ends of its pipes and its output file, for the parent (closed here)."""
        fds, self.qw, self.rfd, self.out = [self.qw, self.rfd, self.out], None, None, None
        return fds

    def start(self, wall_s, cpu_s):
        """Its wall clock starts now; open its gate, if it has one."""
        self.cpu_s = cpu_s
        self.started = time.monotonic()
        self.deadline = self.started + float(wall_s)
        if self.gate is None:
            return
        try:
            os.write(self.gate, b"g")
        except OSError:  # it is gone: the parent finds out on its pipes
            pass
        os.close(self.gate)
        self.gate = None

    def alive(self):
        """Whether it still runs (if not, its status is recorded)."""
        if self.status is None:
            try:
                pid, status, usage = os.wait4(self.pid, os.WNOHANG)
            except ChildProcessError:
                return False
            if pid == 0:
                return True
            self._reaped(status, usage)
        return False

    def wait(self):
        """Wait for it to exit (as init of its PID namespace: with all its run started)."""
        if self.status is None:
            try:
                self._reaped(*os.wait4(self.pid, 0)[1:])
            except ChildProcessError:  # reaped with the rest of a batch
                self.status = 0

    def _reaped(self, status, usage):
        self.status = status
        self.used_s = usage.ru_utime + usage.ru_stime

    def out_of_cpu(self):
        """Whether the kernel killed it at its CPU limit (RLIMIT_CPU: SIGKILL at the limit).

        Asked of a run that ended by itself, before anyone here killed it: no process of
        the run may SIGKILL it, so the kernel did. The CPU time it used tells the limit from
        the out-of-memory killer; the kernel counts that time in ticks and the reported
        figure is the exact one, some percent lower, hence a loose bound.
        """
        return (
            self.cpu_s is not None
            and self.status is not None
            and os.WIFSIGNALED(self.status)
            and os.WTERMSIG(self.status) == signal.SIGKILL
            and self.used_s >= self.cpu_s / 2
        )

    def result(self, done, gone):
        """What the parent cannot see: whether it ran out of time, how it ended.

        Out of time is killed at its deadline (``limit`` ``wall``) or by the kernel at its CPU
        limit (``cpu``), one verdict whichever came first. ``gone``: the parent saw the run
        end by itself. A run that is done is left to die meanwhile; any other is killed and
        waited for, so that all it printed is in its output file when the parent reads it.
        """
        if not done:
            kill_process(self.pid)
            self.wait()
            if gone and not self.timed_out and self.out_of_cpu():
                self.timed_out, self.limit = True, "cpu"
        reply = {"timed_out": self.timed_out}
        if self.timed_out:
            reply["limit"] = self.limit
        if done and not self.timed_out:
            reply["exit_code"] = 0  # ended by the server; the harness would have exited 0
        elif os.WIFSIGNALED(self.status):
            reply["signal"] = os.WTERMSIG(self.status)
        elif os.WIFEXITED(self.status):
            reply["exit_code"] = os.WEXITSTATUS(self.status)
        return reply

    def finish(self):
        """Kill it, wait for it, and clean up."""
        kill_process(self.pid)
        self.wait()
        self.close()

    def close(self):
        if self.theirs is not None:  # never forked
            self.forked(None, None)
        for fd in (self.rfd, self.qw, self.out, self.gate, self.pidfd):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self.rfd = self.qw = self.out = self.gate = self.pidfd = None
        if self.tmp is not None:
            remove_tree(self.tmp)


def fork_spares(spares, cfg, iso, pid_namespaces, program):
    """Fork each of ``spares`` (made but not forked), one right after another.

    Each fork makes every page of the server shared with the new child, so that the server
    copies whatever it touches next: between these forks it touches as little as it can.
    Those it could not fork (out of processes) it closes; the others it returns.
    """
    fork, pids = pid_namespaces.fork if pid_namespaces else os.fork, []
    try:
        for spare in spares:
            pid = fork()
            if pid == 0:
                _child(cfg, iso, spare.tmp, spare.theirs, program)
            pids.append(pid)
    except OSError:
        pass
    for spare, pid in zip(spares, pids):
        spare.forked(pid, os.pidfd_open(pid) if pid_namespaces else None)
    for spare in spares[len(pids) :]:
        spare.close()
    return spares[: len(pids)]


def ready_for_children():
    """Set, once, what every child needs and the server can share: signals, sys.std*, argv.

    A child then only moves its pipes and output file onto fds 0-4: whatever else it
    touches after the fork is a page it copies.
    """
    for name in ("SIGINT", "SIGTERM", "SIGPIPE", "SIGXFSZ"):
        sig = getattr(signal, name, None)
        if sig is not None:
            signal.signal(sig, signal.SIG_DFL if name != "SIGXFSZ" else signal.SIG_IGN)
    os.environ.clear()
    sys.stdin = open(0, closefd=False)
    sys.stdout = open(1, "w", buffering=1, errors="backslashreplace", closefd=False)
    sys.stderr = open(2, "w", buffering=1, errors="backslashreplace", closefd=False)
    sys.argv = ["solution"]


def _output_file(base):
    """An fd of a fresh unnamed file for a run's stdout and stderr."""
    if hasattr(os, "memfd_create"):
        return os.memfd_create("fbgym-run-output")
    import tempfile  # only without a jail: not kept in the server's memory otherwise

    fd, path = tempfile.mkstemp(dir=base)
    os.unlink(path)
    return fd


def remove_tree(path):
    import shutil

    shutil.rmtree(path, onerror=_force_remove)


def kill_process(pid, group=False):
    try:
        (os.killpg if group else os.kill)(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def kill_all_but_me():
    """As init of a PID namespace, kill and reap every other process in it."""
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:  # nothing left
        return
    kill_process(-1)  # as init of the namespace: every process in it but this server (no spare yet)
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
