"""The fork server's jail, set up once: namespaces, private mounts, what runs may read."""

import ctypes
import ctypes.util
import os
import signal
import sys

CLONE_NEWNS, CLONE_NEWIPC, CLONE_NEWUSER = 0x00020000, 0x08000000, 0x10000000
CLONE_NEWPID, CLONE_NEWNET = 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT = 1, 2, 4, 8, 32
MS_BIND, MS_MOVE, MS_REC, MS_PRIVATE = 4096, 8192, 16384, 1 << 18
PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS = 1, 38
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


def prctl(option, value):
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


def _fresh_tmp(size_mb):
    """Mount empty tmpfs over /tmp, /var/tmp and /dev/shm here; True if /tmp got one."""
    data = f"size={int(size_mb)}m,mode=1777"
    done = _mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, data)
    for extra in ("/var/tmp", "/dev/shm"):
        if os.path.isdir(extra):
            _mount("tmpfs", extra, "tmpfs", MS_NOSUID | MS_NODEV, data)
    return done


def private_tmp(size_mb):
    """Give this process its own mount and IPC namespaces, with an empty /tmp; its work dir.

    /tmp, /var/tmp and /dev/shm are fresh tmpfs, so nothing a run leaves there (files,
    shared memory, message queues) reaches another: the namespaces, and all they hold,
    vanish with the last process in them.
    """
    if not (_unshare(CLONE_NEWNS | CLONE_NEWIPC) and _fresh_tmp(size_mb)):
        raise OSError("could not give the run a private /tmp and IPC namespace")
    os.mkdir("/tmp/run", 0o700)
    return "/tmp/run"


def _within(path, root):
    """Whether ``path`` is ``root`` or inside it."""
    return root == "/" or path == root or path.startswith(root + "/")


def import_roots():
    """Where this interpreter imports from: the standard library (its ``sys.path``, run -S)."""
    return [os.path.realpath(p) for p in sys.path if p and os.path.exists(p)]


def hide_packages(paths, keep):
    """Cover each of ``paths`` with an empty read-only tmpfs (a file: with /dev/null).

    A path that holds anything in ``keep`` (or is ``/``) is left alone. True when every
    path asked for is hidden or absent.
    """
    hidden = True
    for path in sorted({os.path.realpath(p) for p in paths}):
        if any(_within(k, path) for k in keep):
            continue
        if os.path.isdir(path):
            flags = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC
            hidden &= _mount("tmpfs", path, "tmpfs", flags, "size=4k,mode=555")
        elif os.path.exists(path):
            hidden &= _mount("/dev/null", path, None, MS_BIND, None)
    return hidden


def _closed_ancestor(path):
    """The highest directory above ``path`` that other users may not enter, or None."""
    current = ""
    for part in path.strip("/").split("/")[:-1]:
        current += "/" + part
        if not os.stat(current).st_mode & 0o001:
            return current
    return None


def expose_readonly(paths, stage):
    """Make ``paths`` readable by any uid at the same place, read-only, inside this namespace.

    Each closed ancestor (a home such as /root) is covered by a read-only tmpfs holding
    only bind mounts of the ``paths`` below it, so nothing else of it can be reached.
    ``stage`` is a private directory for the bind mounts on their way. True on success.
    """
    tops = {}
    for path in sorted(set(paths)):  # a directory comes before what it holds
        top = _closed_ancestor(path)
        if top is not None and not any(_within(path, p) for p in tops.get(top, ())):
            tops.setdefault(top, []).append(path)
    ok = True
    for number, (top, inner) in enumerate(tops.items()):
        staged = []
        for index, path in enumerate(inner):
            spot = os.path.join(stage, f"{number}-{index}")
            _make_like(path, spot)
            if not _bind_readonly(path, spot):
                return False
            staged.append((spot, path))
        ok &= _mount("tmpfs", top, "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=755")
        for spot, path in staged:
            parent = os.path.dirname(path)
            os.makedirs(parent, exist_ok=True)
            _open_up(top, parent)
            _make_like(spot, path)
            ok &= _mount(spot, path, None, MS_MOVE, None)
            _remove(spot)
        ok &= _mount(None, top, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, None)
    return ok


def _bind_readonly(source, target):
    if not _mount(source, target, None, MS_BIND | MS_REC, None):
        return False
    flags = MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV
    return _mount(None, target, None, flags, None)


def _make_like(source, target):
    if os.path.isdir(source):
        os.makedirs(target, exist_ok=True)
    else:
        open(target, "a").close()


def _open_up(top, path):
    while _within(path, top):
        os.chmod(path, 0o755)
        if path == top:
            return
        path = os.path.dirname(path)


def _remove(path):
    try:
        (os.rmdir if os.path.isdir(path) else os.unlink)(path)
    except OSError:
        pass


def setup_isolation(cfg, stage):
    """Enter the namespaces ``cfg`` asks for; the isolation achieved, as a dict.

    Leave the network (a new, empty network namespace) and the host's IPC objects; take a
    private mount namespace with fresh tmpfs over /tmp, /var/tmp and /dev/shm and an empty
    /proc; hide the parent's own packages (``cfg["hide"]``) under empty read-only tmpfs;
    and make the standard library readable by the runs' uid at its own path (see
    :func:`expose_readonly`). When not root, all this happens in a new user namespace.
    Last, the server becomes init of a new PID namespace. ``stage`` names a directory to
    create on the private /tmp while setting it up.
    """
    iso = {
        "network": False,
        "filesystem": False,
        "proc_hidden": False,
        "pid_namespace": False,
        "stdlib_only": False,
        "ipc": False,
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
    if privileged:
        iso["ipc"] = _unshare(CLONE_NEWIPC)
    if privileged and cfg.get("filesystem", True) and _unshare(CLONE_NEWNS):
        if _mount(None, "/", None, MS_REC | MS_PRIVATE, None):
            iso["filesystem"] = _fresh_tmp(cfg.get("tmpfs_mb", 256))
            if iso["filesystem"]:
                roots = import_roots()
                keep = roots + ["/tmp", "/dev", "/proc", "/usr", "/bin", "/lib", "/etc"]
                os.mkdir(stage, 0o700)
                iso["stdlib_only"] = hide_packages(cfg.get("hide", ()), keep) and (
                    expose_readonly(roots, stage)
                )
                _remove(stage)
            iso["proc_hidden"] = _mount(
                "tmpfs", "/proc", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=16k,mode=555"
            )
    if privileged:
        iso["pid_namespace"] = _become_init()
    if euid == 0 and cfg.get("uid") is not None:
        iso["user"] = f"uid {int(cfg['uid'])}"
        iso["uid"] = int(cfg["uid"])
    return iso


class PidNamespaces:
    """Forks each child into a new PID namespace as its init; the server stays in its own.

    When such a child dies the kernel kills every process in its namespace, and the child
    is reaped only once they are all gone: a run ends with all it started, and nothing else.
    """

    def __init__(self):
        self.home = os.pidfd_open(os.getpid())  # setns() on it brings the next fork back home

    @classmethod
    def if_available(cls):
        """An instance when this kernel allows it (Linux 5.8 or later), else None."""
        try:
            forks = cls()
            pid = forks.fork()
        except (OSError, AttributeError):
            return None
        if pid == 0:
            os._exit(0 if os.getpid() == 1 else 1)
        status = os.waitpid(pid, 0)[1]
        return forks if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0 else None

    def fork(self):
        """``os.fork()``, the child the init of a new PID namespace."""
        if not _unshare(CLONE_NEWPID):
            raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWPID) failed")
        try:
            pid = os.fork()
        except OSError:
            self._come_home()
            raise
        if pid != 0 and _libc().setns(self.home, CLONE_NEWPID) != 0:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            self._come_home()  # raises
        return pid

    def _come_home(self):
        if _libc().setns(self.home, CLONE_NEWPID) != 0:
            raise OSError(ctypes.get_errno(), "setns() back to the server's PID namespace failed")


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
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    return os.getpid() == 1
