"""The fork server: run as ``python -I -c <values.py + this file>``; one jailed child per run.

Set-up, once: leave the network (a new, empty network namespace), take a private mount
namespace with fresh tmpfs over /tmp, /var/tmp and /dev/shm and an empty /proc, and — when
not root — do all this inside a new user namespace. Per run: fork an intermediate process
that opens a new PID namespace and forks the child into it as its init, so that when the
child ends, or is killed on timeout, every process it started dies with it. The child
starts its own session, enters a fresh temporary directory, drops to an unprivileged uid,
sets rlimits, forbids new privileges, clears its environment, and runs the code.

Protocol on stdin/stdout: 4-byte big-endian length, then a JSON object; the first request
is the configuration, answered with the isolation that is in force; then one request per
run, each answered with its result. The child's results come back as JSON lines that the
trusted parent decodes and judges; nothing the child says is taken as a verdict.
"""

import ctypes
import ctypes.util
import gc
import json
import linecache
import os
import resource
import select
import shutil
import signal
import struct
import sys
import tempfile
import time
import traceback

if "encode_value" not in globals():  # imported as a module rather than run as the server
    from fbgym.sandbox.values import UnencodableValue, decode_value, encode_value

CLONE_NEWNS, CLONE_NEWUSER = 0x00020000, 0x10000000
CLONE_NEWPID, CLONE_NEWNET = 0x20000000, 0x40000000
MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REC, MS_PRIVATE = 2, 4, 8, 16384, 1 << 18
PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS = 1, 38
SOLUTION = "<solution>"
_LIBC = None


def _libc():
    global _LIBC
    if _LIBC is None:
        _LIBC = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
    return _LIBC


def _unshare(flags):
    try:
        return _libc().unshare(flags) == 0
    except (OSError, AttributeError):
        return False


def _mount(source, target, fstype, flags, data):
    def enc(text):
        return None if text is None else text.encode()

    try:
        return _libc().mount(enc(source), enc(target), enc(fstype), flags, enc(data)) == 0
    except (OSError, AttributeError):
        return False


def _prctl(option, value):
    try:
        return _libc().prctl(option, value, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _write_file(path, text):
    try:
        with open(path, "w") as handle:
            handle.write(text)
        return True
    except OSError:
        return False


def setup_isolation(cfg):
    """Enter the namespaces ``cfg`` asks for; the isolation achieved, as a dict."""
    iso = {
        "network": False,
        "filesystem": False,
        "proc_hidden": False,
        "pid_namespace": False,
        "user": "same",
        "uid": os.geteuid(),
    }
    euid, egid = os.geteuid(), os.getegid()
    privileged = euid == 0
    if not privileged and cfg.get("userns", True) and sys.platform.startswith("linux"):
        if _unshare(CLONE_NEWUSER):
            _write_file("/proc/self/setgroups", "deny")
            if _write_file("/proc/self/uid_map", f"0 {euid} 1") and _write_file(
                "/proc/self/gid_map", f"0 {egid} 1"
            ):
                privileged = True
                iso["user"] = "namespace"
    if privileged and cfg.get("network", True):
        iso["network"] = _unshare(CLONE_NEWNET)
    if privileged and cfg.get("filesystem", True) and _unshare(CLONE_NEWNS):
        if _mount(None, "/", None, MS_REC | MS_PRIVATE, None):
            size = f"size={int(cfg.get('tmpfs_mb', 256))}m,mode=1777"
            iso["filesystem"] = _mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, size)
            for extra in ("/var/tmp", "/dev/shm"):
                if os.path.isdir(extra):
                    _mount("tmpfs", extra, "tmpfs", MS_NOSUID | MS_NODEV, size)
            iso["proc_hidden"] = _mount(
                "tmpfs", "/proc", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=16k,mode=555"
            )
    if privileged:
        iso["pid_namespace"] = _become_init()
    if euid == 0 and cfg.get("uid") is not None:
        iso["user"] = f"uid {int(cfg['uid'])}"
        iso["uid"] = int(cfg["uid"])
    return iso


def _become_init():
    """Move this server into a new PID namespace as its init; the old process only waits."""
    if not _unshare(CLONE_NEWPID):
        return False
    pid = os.fork()
    if pid != 0:
        os.close(0)
        os.close(1)
        status = os.waitpid(pid, 0)[1]
        os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1)
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    return os.getpid() == 1


def _limits(lim):
    pairs = [
        (resource.RLIMIT_AS, lim["memory_bytes"]),
        (resource.RLIMIT_CPU, lim["cpu_s"]),
        (resource.RLIMIT_FSIZE, lim["file_bytes"]),
        (resource.RLIMIT_NOFILE, lim["open_files"]),
        (resource.RLIMIT_CORE, 0),
    ]
    if hasattr(resource, "RLIMIT_NPROC"):
        pairs.append((resource.RLIMIT_NPROC, lim["processes"]))
    for which, value in pairs:
        hard = value + 1 if which == resource.RLIMIT_CPU else value
        try:
            resource.setrlimit(which, (value, hard))
        except (ValueError, OSError):
            resource.setrlimit(which, (value, resource.getrlimit(which)[1]))


def _error_info(exc, source_lines):
    tb = exc.__traceback__
    line = None
    frames = []
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == SOLUTION:
            line = tb.tb_lineno
            frames.append(tb)
        tb = tb.tb_next
    try:
        message = str(exc)[:1000]
    except BaseException:
        message = "<the exception's message could not be shown>"
    if isinstance(exc, SyntaxError) and exc.filename == SOLUTION:
        line = exc.lineno
        message = str(exc.msg)[:1000]
    try:
        lines = traceback.format_exception(type(exc), exc, exc.__traceback__)
        keep = [lines[0]] + [ln for ln in lines[1:-1] if f'"{SOLUTION}"' in ln] + [lines[-1]]
        text = "".join(keep)[-3000:]
    except BaseException:
        text = ""
    return {"type": type(exc).__name__[:100], "message": message, "line": line, "traceback": text}


def harness(source, entry, calls, fd):
    """Run ``source``, then ``entry(*args)`` for each call; report each as one JSON line."""
    dumps, write, encode, decode = json.dumps, os.write, encode_value, decode_value

    def report(obj):
        data = (dumps(obj) + "\n").encode("utf-8", "backslashreplace")
        while data:
            data = data[write(fd, data) :]

    linecache.cache[SOLUTION] = (len(source), None, source.splitlines(True), SOLUTION)
    namespace = {"__name__": "__main__", "__builtins__": __builtins__}
    try:
        exec(compile(source, SOLUTION, "exec"), namespace)
        fn = namespace.get(entry) if entry else None
        if entry and not callable(fn):
            raise NameError(f"no function named {entry!r} is defined")
    except BaseException as exc:
        report({"phase": "load", "error": _error_info(exc, source)})
        return
    report({"phase": "load", "ok": True})
    for index, args in enumerate(calls):
        try:
            value = fn(*decode(args))
        except BaseException as exc:
            report({"i": index, "error": _error_info(exc, source)})
            continue
        try:
            report({"i": index, "ok": encode(value)})
        except (UnencodableValue, RecursionError) as exc:
            report(
                {
                    "i": index,
                    "error": {
                        "type": "UnencodableValue",
                        "message": str(exc),
                        "line": None,
                        "traceback": "",
                    },
                }
            )
    report({"phase": "done"})


def _child(cfg, tmp, wfd, qfd, out_fd):
    """A spare child: set up while idle, then wait for its request, jail itself and run it."""
    try:
        os.setsid()
        os.chdir(tmp)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(out_fd, 1)
        os.dup2(out_fd, 2)
        os.dup2(wfd, 3)
        os.dup2(qfd, 4)
        os.closerange(5, 1 << 16)
        req = _read_message(4)
        os.close(4)
        if req is None:
            os._exit(0)
        _limits(req["limits"])
        if os.geteuid() == 0 and cfg.get("uid") is not None:
            os.setgroups([])
            os.setgid(int(cfg["gid"]))
            os.setuid(int(cfg["uid"]))
        _prctl(PR_SET_NO_NEW_PRIVS, 1)
        _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        os.environ.clear()
        for name in ("SIGINT", "SIGTERM", "SIGPIPE", "SIGXFSZ"):
            sig = getattr(signal, name, None)
            if sig is not None:
                signal.signal(sig, signal.SIG_DFL if name != "SIGXFSZ" else signal.SIG_IGN)
        sys.stdin = open(0, closefd=False)
        sys.stdout = open(1, "w", buffering=1, errors="backslashreplace", closefd=False)
        sys.stderr = open(2, "w", buffering=1, errors="backslashreplace", closefd=False)
        sys.argv = ["solution"]
        harness(req["source"], req.get("entry"), req.get("calls", []), 3)
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except BaseException:
                pass
    except BaseException:
        pass
    os._exit(0)


class Spare:
    """A child forked ahead of its request, with its directory, pipes and output file."""

    def __init__(self, cfg, base, number):
        self.tmp = os.path.join(base, f"run-{number}")
        os.mkdir(self.tmp, 0o700)
        if cfg.get("uid") is not None and os.geteuid() == 0:
            os.chown(self.tmp, int(cfg["uid"]), int(cfg["gid"]))
        self.out = tempfile.TemporaryFile(dir=base)
        self.rfd, wfd = os.pipe()
        qfd, self.qw = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:
            os.close(self.rfd)
            os.close(self.qw)
            _child(cfg, self.tmp, wfd, qfd, self.out.fileno())
        os.close(wfd)
        os.close(qfd)
        self.pidfd = os.pidfd_open(self.pid) if hasattr(os, "pidfd_open") else None

    def discard(self):
        """Kill it unused and clean up."""
        _kill(self.pid)
        os.waitpid(self.pid, 0)
        self.close()

    def close(self):
        for fd in (self.rfd, self.qw, self.pidfd):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self.out.close()
        shutil.rmtree(self.tmp, onerror=_force_remove)


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


def _reap_leftovers(iso, child):
    """Kill and reap whatever the run left behind (daemons, stray forks)."""
    if not iso["pid_namespace"]:
        _kill(child, group=True)
        return
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:  # nothing left
        return
    _kill(-1)  # as init of the namespace: every process in it but this server
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return


def run_one(req, spare, iso):
    """Hand one request to ``spare`` and watch it; the raw result as a dict."""
    lim = req["limits"]
    start = time.monotonic()
    _send_message(spare.qw, req)
    os.close(spare.qw)
    spare.qw = None
    child, rfd, pidfd = spare.pid, spare.rfd, spare.pidfd
    buf, state, deadline, status = bytearray(), "exited", start + lim["wall_s"], None
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
        if pidfd is not None and pidfd in ready:
            break
        if pidfd is None:
            done, status = os.waitpid(child, os.WNOHANG)
            if done == child:
                break
            status = None
    wall = time.monotonic() - start
    if state != "exited":
        _kill(child)
    if status is None:
        status = os.waitpid(child, 0)[1]
    if state == "exited" and rfd in watched:
        os.set_blocking(rfd, False)
        try:
            while len(buf) <= lim["result_bytes"]:
                chunk = os.read(rfd, 1 << 16)
                if not chunk:
                    break
                buf += chunk
        except BlockingIOError:
            pass
    _reap_leftovers(iso, child)
    output = os.pread(spare.out.fileno(), lim["output_bytes"] + 1, 0)
    spare.close()
    result = {
        "state": state,
        "wall_s": wall,
        "results": buf[: lim["result_bytes"]].decode("utf-8", "replace"),
        "output": output.decode("utf-8", "replace"),
    }
    if os.WIFSIGNALED(status):
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


def _warm_up():
    """Run the harness once here, so each child finds the parser and encoders warm."""
    null = os.open(os.devnull, os.O_WRONLY)
    source = "def f(x, y):\n    return {'k': [x * 2, str(y)], 'z': (1.5, None)}\n"
    harness(source, "f", [encode_value((3, "a"))], null)
    decode_value(encode_value({"a": [1, (2.0, None)]}))
    linecache.cache.pop(SOLUTION, None)
    os.close(null)


def _read_message(fd):
    header = _read_exact(fd, 4)
    if header is None:
        return None
    body = _read_exact(fd, struct.unpack("!I", header)[0])
    return None if body is None else json.loads(body)


def _send_message(fd, obj):
    body = json.dumps(obj).encode("utf-8")
    data = struct.pack("!I", len(body)) + body
    while data:
        data = data[os.write(fd, data) :]


def serve():
    """Answer requests on fds 0/1 until the parent closes the pipe."""
    cfg = _read_message(0)
    if cfg is None:
        return
    iso = setup_isolation(cfg)
    base = tempfile.mkdtemp(prefix="fbgym-sandbox-")
    os.chmod(base, 0o711)
    for name in cfg.get("preload", ()):
        try:
            __import__(name)
        except ImportError:
            pass
    _warm_up()
    gc.collect()
    gc.freeze()  # forked children then leave the server's objects (and pages) untouched
    _send_message(1, {"isolation": iso})
    number, spare = 1, None
    try:
        spare = Spare(cfg, base, number)
        while True:
            req = _read_message(0)
            if req is None:
                break
            try:
                reply = run_one(req, spare, iso)
            except Exception as exc:  # a broken run must not take the server down
                reply = {"state": "error", "error": f"{type(exc).__name__}: {exc}"}
                spare.discard()
            _send_message(1, reply)
            number += 1
            spare = None
            spare = Spare(cfg, base, number)  # forked while the parent reads the reply
    finally:
        if spare is not None:
            spare.discard()
        shutil.rmtree(base, onerror=_force_remove)


if __name__ == "__main__":
    serve()
