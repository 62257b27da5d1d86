"""The fork server: run as ``python -I -S -c <values.py, _jail.py, _harness.py, this file>``."""

import gc
import json
import os
import select
import shutil
import signal
import struct
import sys
import tempfile
import time

if "encode_value" not in globals():  # imported as a module rather than run as the server
    from fbgym.sandbox._harness import harness, set_limits, warm_up
    from fbgym.sandbox._jail import (
        PR_SET_NO_NEW_PRIVS,
        PR_SET_PDEATHSIG,
        PidNamespaces,
        prctl,
        private_tmp,
        setup_isolation,
    )


def _child(cfg, tmp, wfd, qfd, out_fd):
    """A spare child: set up while idle, then wait for its request, jail itself and run it.

    ``tmp`` is its work directory, or None to make one in a private /tmp of its own.
    """
    try:
        os.setsid()
        if tmp is None:
            tmp = private_tmp(cfg.get("tmpfs_mb", 256))
        os.chdir(tmp)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(out_fd, 1)
        os.dup2(out_fd, 2)
        os.dup2(wfd, 3)
        os.dup2(qfd, 4)
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
        req = _read_message(4)  # all above is done while idle; all below, once it has come
        os.close(4)
        if req is None:
            os._exit(0)
        set_limits(req["limits"])
        if os.geteuid() == 0 and cfg.get("uid") is not None:
            os.chown(tmp, int(cfg["uid"]), int(cfg["gid"]))
            os.setgroups([])
            os.setgid(int(cfg["gid"]))
            os.setuid(int(cfg["uid"]))
        prctl(PR_SET_NO_NEW_PRIVS, 1)
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        harness(req["source"], req.get("entry"), req.get("calls", []), 3)
    except BaseException:
        pass
    os._exit(0)


class Spare:
    """A child forked ahead of its request, with its directory, pipes and output file.

    With ``pid_namespaces`` it is the init of a PID namespace of its own, so that when it
    dies every process its run started dies too, and nothing else does. With ``fresh_tmp``
    it works in a /tmp of its own that vanishes with it; else in a directory under ``base``.
    """

    def __init__(self, cfg, base, number, pid_namespaces=None, fresh_tmp=False):
        self.tmp = None
        if not fresh_tmp:
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
            self.pidfd = None
            self.close()
            raise
        if self.pid == 0:
            os.close(self.rfd)
            os.close(self.qw)
            _child(cfg, self.tmp, wfd, qfd, self.out)
        os.close(wfd)
        os.close(qfd)
        self.pidfd = os.pidfd_open(self.pid) if hasattr(os, "pidfd_open") else None
        self.status = None
        self.reaped = False

    def start(self, body):
        """Hand it its request (as received); its wall clock starts now."""
        self.started = time.monotonic()
        _send_frame(self.qw, body)
        os.close(self.qw)
        self.qw = None

    def end(self, reap):
        """Wait until it, and every process its run started, is gone (see :func:`serve`)."""
        if self.status is None:
            self.status = os.waitpid(self.pid, 0)[1]
        if not self.reaped:
            self.reaped = True
            if reap == "group":
                _kill(self.pid, group=True)
            elif reap == "init":
                _kill_all_but_me()

    def finish(self, reap):
        """:meth:`end` it, and clean up."""
        self.end(reap)
        self.close()

    def discard(self, reap):
        """Kill it, used or not, and clean up."""
        _kill(self.pid)
        self.finish(reap)

    def close(self):
        for fd in (self.rfd, self.qw, self.pidfd, self.out):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        if self.tmp is not None:
            shutil.rmtree(self.tmp, onerror=_force_remove)


def _output_file(base):
    """An fd of a fresh unnamed file for a run's stdout and stderr."""
    if hasattr(os, "memfd_create"):
        return os.memfd_create("fbgym-run-output")
    fd, path = tempfile.mkstemp(dir=base)
    os.unlink(path)
    return fd


def _read_exact(fd, n):
    data = b""
    while len(data) < n:
        chunk = os.read(fd, n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


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


DONE = b'{"phase": "done"}\n'


def watch(spare, lim):
    """Collect the run's results until it is done, exits, overflows or times out."""
    child, rfd, pidfd, start = spare.pid, spare.rfd, spare.pidfd, spare.started
    buf, state, deadline, done = bytearray(), "exited", start + lim["wall_s"], False
    watched = [rfd] + ([pidfd] if pidfd is not None else [])
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            state = "timeout"
            break
        wait = remaining if pidfd is not None else min(remaining, 0.001)
        ready = select.select(watched, [], [], wait)[0]
        if rfd in ready:
            chunk = os.read(rfd, 1 << 16)
            if not chunk:
                watched.remove(rfd)
            buf += chunk
            if len(buf) > lim["result_bytes"]:
                state = "overflow"
                break
            if buf.endswith(DONE):
                done = True
                break
        if pidfd is not None and pidfd in ready:
            break
        if pidfd is None:
            finished, status = os.waitpid(child, os.WNOHANG)
            if finished == child:
                spare.status = status
                break
    wall = time.monotonic() - start
    if state != "exited" or done:
        _kill(child)  # done: the harness has nothing left but to exit
    elif rfd in watched:
        os.set_blocking(rfd, False)
        try:
            while len(buf) <= lim["result_bytes"]:
                chunk = os.read(rfd, 1 << 16)
                if not chunk:
                    break
                buf += chunk
        except BlockingIOError:
            pass
    return state, done, wall, buf


def run_one(req, spare, reap):
    """Run ``req`` in ``spare``; the raw result as a dict (the run may still be dying)."""
    lim = req["limits"]
    state, done, wall, buf = watch(spare, lim)
    if reap != "namespace" or not done:
        spare.end(reap)
    output = os.pread(spare.out, lim["output_bytes"] + 1, 0)
    result = {
        "state": state,
        "wall_s": wall,
        "results": buf[: lim["result_bytes"]].decode("utf-8", "replace"),
        "output": output.decode("utf-8", "replace"),
    }
    status = spare.status
    if done and state == "exited":
        result["exit_code"] = 0  # ended by the server; the harness would have exited 0
    elif os.WIFSIGNALED(status):
        result["signal"] = os.WTERMSIG(status)
    elif os.WIFEXITED(status):
        result["exit_code"] = os.WEXITSTATUS(status)
    return result


def _force_remove(func, path, exc_info):
    try:
        os.chmod(os.path.dirname(path), 0o700)
        os.chmod(path, 0o700)
        func(path)
    except OSError:
        pass


def _read_frame(fd):
    header = _read_exact(fd, 4)
    if header is None:
        return None
    return _read_exact(fd, struct.unpack("!I", header)[0])


def _read_message(fd):
    body = _read_frame(fd)
    return None if body is None else json.loads(body)


def _send_frame(fd, body):
    data = struct.pack("!I", len(body)) + body
    while data:
        data = data[os.write(fd, data) :]


def _send_message(fd, obj):
    _send_frame(fd, json.dumps(obj).encode("utf-8"))


def serve():
    """Answer requests on fds 0/1 until the parent closes the pipe.

    Set-up, once (see ``_jail.py``): namespaces, private mounts, only the standard library in
    reach; the server is then init of its own PID namespace. Each run goes to a spare child
    forked ahead of time: the init of a PID namespace of its own, with a fresh /tmp and IPC
    namespace of its own, set up while it waits. Given its request it sets rlimits, drops to an
    unprivileged uid, forbids new privileges and runs the code. The next spare is forked while
    a run goes on, but gets its request only once every process of that run is gone: when the
    run is done (or out of time) its init is killed, and with it the kernel kills the rest of
    its namespace. Where a kernel lacks this, the server forks each child after the run before
    it and kills what is left as init of its own namespace, or by process group.

    Protocol on stdin/stdout: 4-byte big-endian length, then a JSON object; the first request
    is the configuration, answered with the isolation that is in force; then one request per
    run, each answered with its result. The child's results come back as JSON lines that the
    trusted parent decodes and judges; nothing the child says is taken as a verdict.
    """
    cfg = _read_message(0)
    if cfg is None:
        return
    iso = setup_isolation(cfg, "/tmp/fbgym-sandbox-stage")
    import site  # run -S: only its quit(), exit() and help(), never its package paths

    site.setquit()
    site.sethelper()
    base = tempfile.mkdtemp(prefix="fbgym-sandbox-")
    os.chmod(base, 0o711)
    for name in cfg.get("preload", ()):
        try:
            __import__(name)
        except ImportError:
            pass
    warm_up()
    pid_namespaces = PidNamespaces.if_available() if iso["pid_namespace"] else None
    # How a run's leftovers die: with its own PID namespace (the next spare can wait beside
    # it), killed by this server as init of the shared one, or by process group.
    reap = "namespace" if pid_namespaces else "init" if iso["pid_namespace"] else "group"
    iso["pid_namespace"] = pid_namespaces is not None
    fresh = iso["filesystem"]
    iso["ipc"] = iso["ipc"] and fresh  # each run unshares its own with its /tmp
    gc.collect()
    gc.freeze()  # forked children then leave the server's objects (and pages) untouched
    _send_message(1, {"isolation": iso})
    number, spare, run = 1, None, None
    try:
        spare = Spare(cfg, base, number, pid_namespaces, fresh)
        while True:
            body = _read_frame(0)
            if body is None:
                break
            run, spare = spare, None
            try:
                req = json.loads(body)
                run.start(body)
                if reap == "namespace":
                    number += 1
                    try:
                        spare = Spare(cfg, base, number, pid_namespaces, fresh)
                    except OSError:  # no room to fork now: fork it once this run is over
                        spare = None
                reply = run_one(req, run, reap)
            except Exception as exc:  # a broken run must not take the server down
                reply = {"state": "error", "error": f"{type(exc).__name__}: {exc}"}
                _kill(run.pid)
            _send_message(1, reply)
            run.finish(reap)  # while the parent reads the reply
            run = None
            if spare is None:
                number += 1
                spare = Spare(cfg, base, number, pid_namespaces, fresh)
    finally:
        for child in (run, spare):
            if child is not None:
                child.discard(reap)
        shutil.rmtree(base, onerror=_force_remove)


if __name__ == "__main__":
    serve()
