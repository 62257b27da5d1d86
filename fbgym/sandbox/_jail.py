"""The fork server's jail, set up once: namespaces, the runs' root, and dropping privileges."""

import ctypes
import os
import signal
import sys

if "mount" not in globals():  # imported as a module rather than run as the server
    from fbgym.sandbox._rootfs import (
        build_root,
        elf_interpreter,
        enter_root,
        import_roots,
        mapped_files,
        outermost,
        split_libraries,
    )
    from fbgym.sandbox._sys import (
        CLONE_NEWIPC,
        CLONE_NEWNET,
        CLONE_NEWNS,
        CLONE_NEWPID,
        CLONE_NEWUSER,
        MS_PRIVATE,
        MS_REC,
        PR_SET_PDEATHSIG,
        libc,
        mount,
        prctl,
        unshare,
        write_file,
    )

_SHARED_FILES = ("/etc/ld.so.cache",)
_SHARED_DIRS = ("/usr/share/zoneinfo",)
_CAP_LAST = 63
PR_CAPBSET_DROP, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 24, 47, 4
PR_SET_SECUREBITS, SECUREBITS_LOCKED_NOROOT = 28, 0x2F  # NOROOT, NO_SETUID_FIXUP: locked


def _hidden_in(roots, hide, keep):
    """``hide``, and every site-packages and dist-packages the bound ``roots`` bring in.

    A path that holds any of ``keep`` (the standard library) is not hidden.
    """
    found = {p for p in hide if not any(k == p or k.startswith(p.rstrip("/") + "/") for k in keep)}
    for root in roots:
        nested = [os.path.join(root, d) for d in _listdir(root) if d.startswith("python")]
        for inner in [root, *nested]:
            found.update(os.path.join(inner, d) for d in _listdir(inner) if d.endswith("-packages"))
    return sorted(found)


def _listdir(path):
    try:
        return os.listdir(path)
    except OSError:
        return []


def _stage_for(sources):
    """An existing directory to assemble the root on, holding none of ``sources``."""
    for stage in ("/dev/shm", "/mnt", "/tmp", "/media"):
        if os.path.isdir(stage) and not any(
            s == stage or s.startswith(stage + "/") for s in sources
        ):
            return stage
    return None


def _make_root(cfg):
    """Build the runs' read-only root and pivot into it; True if it all worked."""
    roots = import_roots()
    lib_dirs, lib_files = split_libraries(mapped_files())
    dirs = outermost(roots + lib_dirs + [d for d in _SHARED_DIRS if os.path.isdir(d)])
    files = [os.path.realpath(sys.executable), *lib_files, *_SHARED_FILES]
    stage = _stage_for(dirs + files)
    if stage is None:
        return False
    hide = _hidden_in(dirs, [os.path.realpath(p) for p in cfg.get("hide", ())], roots)
    loader = elf_interpreter(files[0])
    links = [loader] if loader else []
    return build_root(stage, dirs, files, hide, links) and enter_root(stage)


def setup_isolation(cfg):
    """Enter the namespaces ``cfg`` asks for; the isolation achieved, as a dict.

    Leave the network (a new, empty network namespace) and the host's IPC objects; take a
    private mount namespace whose root is built for the runs (see :func:`build_root`): the
    standard library and the shared libraries it loads, read-only, and nothing else of the
    host's filesystem. When not root, all this happens in a new user namespace. Last, the
    server becomes init of a new PID namespace.
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
    become_uid = privileged and cfg.get("uid") is not None and _mapped(cfg["uid"], cfg.get("gid"))
    if not privileged and cfg.get("userns", True) and sys.platform.startswith("linux"):
        if unshare(CLONE_NEWUSER):
            write_file("/proc/self/setgroups", "deny")
            if write_file("/proc/self/uid_map", f"0 {euid} 1") and write_file(
                "/proc/self/gid_map", f"0 {egid} 1"
            ):
                privileged = True
                iso["user"] = "namespace"
    if privileged and cfg.get("network", True):
        iso["network"] = unshare(CLONE_NEWNET)
    if privileged:
        iso["ipc"] = unshare(CLONE_NEWIPC)
    if privileged and cfg.get("filesystem", True) and unshare(CLONE_NEWNS):
        if mount(None, "/", None, MS_REC | MS_PRIVATE, None) and _make_root(cfg):
            iso["filesystem"] = iso["stdlib_only"] = iso["proc_hidden"] = True
    if privileged and cfg.get("pid", True):
        iso["pid_namespace"] = _become_init()
    if become_uid:
        iso["user"] = f"uid {int(cfg['uid'])}"
        iso["uid"] = int(cfg["uid"])
    elif euid == 0:
        iso["user"] = "namespace"  # root of a user namespace that cannot become that uid
    return iso


def _mapped(uid, gid):
    """Whether this process's user namespace maps ``uid`` and ``gid``."""
    for name, wanted in (("uid_map", uid), ("gid_map", gid)):
        if wanted is None:
            continue
        try:
            with open(f"/proc/self/{name}") as handle:
                ranges = [tuple(map(int, line.split())) for line in handle if line.strip()]
        except (OSError, ValueError):
            return False
        if not any(inside <= int(wanted) < inside + count for inside, _, count in ranges):
            return False
    return True


def drop_privileges(iso, gid):
    """Leave root for good: become ``iso["uid"]`` (real root), or drop every capability.

    In a user namespace this process is that namespace's root; dropping its capabilities,
    and locking the securebits so that no exec gives them back, leaves it as unprivileged as
    a plain uid. Without either there was no privilege to drop.
    """
    if os.geteuid() != 0:
        return
    if iso["user"].startswith("uid "):
        os.setgroups([])
        os.setgid(gid)
        os.setuid(iso["uid"])
        return
    prctl(PR_SET_SECUREBITS, SECUREBITS_LOCKED_NOROOT)
    for cap in range(_CAP_LAST + 1):
        prctl(PR_CAPBSET_DROP, cap)
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL)
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
    data = (ctypes.c_uint32 * 6)()  # effective, permitted, inheritable: all empty
    if libc().capset(header, data) != 0:
        raise OSError(ctypes.get_errno(), "capset() failed")


class PidNamespaces:
    """Forks each child into a new PID namespace as its init; the server stays in its own.

    When such a child dies the kernel kills every process in its namespace, and the child
    is reaped only once they are all gone: a run ends with all it started, and nothing else.
    """

    def __init__(self):
        self.home = os.pidfd_open(os.getpid())  # setns() on it brings the next fork back home
        self._unshare, self._setns = libc().unshare, libc().setns  # looked up once: see fork

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
        """``os.fork()``, the child the init of a new PID namespace.

        Lean: whatever the server touches between forks, it copies (see ``fork_spares``).
        """
        if self._unshare(CLONE_NEWPID) != 0:
            raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWPID) failed")
        try:
            pid = os.fork()
        except OSError:
            self._come_home()
            raise
        if pid != 0 and self._setns(self.home, CLONE_NEWPID) != 0:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            self._come_home()  # raises
        return pid

    def _come_home(self):
        if libc().setns(self.home, CLONE_NEWPID) != 0:
            raise OSError(ctypes.get_errno(), "setns() back to the server's PID namespace failed")


def _become_init():
    """Move this server into a new PID namespace as its init; the old process only waits."""
    if not unshare(CLONE_NEWPID):
        return False
    pid = os.fork()
    if pid != 0:
        os.close(0)
        os.close(1)
        status = os.waitpid(pid, 0)[1]
        os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1)
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    return os.getpid() == 1
