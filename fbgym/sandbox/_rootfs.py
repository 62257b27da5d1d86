"""The runs' root filesystem: read-only, holding only what the standard library needs."""

import os
import stat
import struct
import sys

if "mount" not in globals():  # imported as a module rather than run as the server
    from fbgym.sandbox._sys import (
        MNT_DETACH,
        MS_BIND,
        MS_NODEV,
        MS_NOEXEC,
        MS_NOSUID,
        MS_RDONLY,
        MS_REC,
        MS_REMOUNT,
        libc,
        mount,
    )

_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41, "riscv64": 41}
"""pivot_root(2) by machine; glibc has no wrapper for it."""
_STAT_TO_MS = ((2, 2), (4, 4), (8, 8), (1024, 1024), (2048, 2048), (4096, 1 << 21))
"""statvfs ``f_flag`` bits (nosuid, nodev, noexec, noatime, nodiratime, relatime) and the
mount flags that keep them: a remount must keep the flags of a mount it did not make."""
DEVICES = ("null", "zero", "full", "random", "urandom")
_SYSTEM_LIBS = ("/lib/", "/lib64/", "/lib32/", "/usr/lib/", "/usr/lib64/", "/usr/lib32/")
SCRATCH = "/.scratch"
"""Where each run mounts its scratch tmpfs."""
_SCRATCH_LINKS = {"/tmp": "tmp", "/var/tmp": "var-tmp", "/dev/shm": "shm"}
"""Links in the runs' root into the scratch space, and what they point to there."""


def import_roots():
    """Where this interpreter imports from: the standard library (its ``sys.path``, run -S)."""
    return sorted({os.path.realpath(p) for p in sys.path if p and os.path.exists(p)})


def mapped_files():
    """Every file mapped by a process that imported all of lib-dynload.

    That is the interpreter, libpython, the C library and every shared library an extension
    module of the standard library loads (found by doing it, in a throwaway child).
    """
    rfd, wfd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(rfd)
        try:
            _import_extensions()
            with open("/proc/self/maps") as maps:
                fields = [line.split(None, 5) for line in maps]
            text = "\n".join({f[5].strip() for f in fields if len(f) == 6 and f[5].startswith("/")})
            data = text.encode("utf-8", "surrogateescape")
            while data:
                data = data[os.write(wfd, data) :]
        finally:
            os._exit(0)
    os.close(wfd)
    chunks = []
    while chunk := os.read(rfd, 1 << 16):
        chunks.append(chunk)
    os.close(rfd)
    os.waitpid(pid, 0)
    paths = b"".join(chunks).decode("utf-8", "surrogateescape").split("\n")
    return sorted({os.path.realpath(p) for p in paths if os.path.isfile(p)})


def split_libraries(files):
    """``(dirs, files)`` to bind for ``files``: system library directories whole, else files.

    A library in a system directory (under /lib or /usr/lib) brings its directory, whose
    soname links the loader follows; elsewhere (a Python under a home) only the file comes,
    with the links beside it that point to it.
    """
    dirs, single = set(), set()
    for path in files:
        folder = os.path.dirname(path)
        if folder.startswith(_SYSTEM_LIBS):
            dirs.add(folder)
        else:
            single.add(path)
    return sorted(dirs), sorted(single)


def elf_interpreter(path):
    """The program interpreter (``PT_INTERP``) an ELF executable names, or None."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(64)
            if head[:4] != b"\x7fELF":
                return None
            end, wide = "<" if head[5] == 1 else ">", head[4] == 2
            phoff = struct.unpack_from(end + ("Q" if wide else "I"), head, 32 if wide else 28)[0]
            size, count = struct.unpack_from(end + "HH", head, 54 if wide else 42)
            for number in range(count):
                handle.seek(phoff + number * size)
                header = handle.read(size)
                if struct.unpack_from(end + "I", header, 0)[0] == 3:  # PT_INTERP
                    fields = (end + "QQ", 8, 32) if wide else (end + "II", 4, 16)
                    offset = struct.unpack_from(fields[0][0] + fields[0][1], header, fields[1])[0]
                    length = struct.unpack_from(fields[0][0] + fields[0][1], header, fields[2])[0]
                    handle.seek(offset)
                    return handle.read(length).rstrip(b"\0").decode()
    except (OSError, struct.error, UnicodeDecodeError):
        return None
    return None


def link_chain(root, path):
    """Recreate under ``root`` the symbolic links that ``path`` goes through to its file."""
    for _ in range(16):
        parent = os.path.realpath(os.path.dirname(path))
        path = os.path.join(parent, os.path.basename(path))
        if not os.path.islink(path):
            return
        os.makedirs(root + parent, mode=0o755, exist_ok=True)
        if not os.path.lexists(root + path):
            os.symlink(os.readlink(path), root + path)
        path = os.path.join(parent, os.readlink(path))


def _links_to(path):
    """The symbolic links beside ``path`` that resolve to it."""
    folder, found = os.path.dirname(path), []
    for name in os.listdir(folder):
        link = os.path.join(folder, name)
        if os.path.islink(link) and os.path.realpath(link) == path:
            found.append(link)
    return found


def outermost(paths):
    """``paths`` without those inside another of them."""
    kept = []
    for path in sorted(set(paths)):
        if not any(path == k or path.startswith(k.rstrip("/") + "/") for k in kept):
            kept.append(path)
    return kept


def _import_extensions():
    import importlib

    for root in sys.path:
        if not root.endswith("lib-dynload") or not os.path.isdir(root):
            continue
        for name in sorted(os.listdir(root)):
            if name.endswith(".so"):
                try:
                    importlib.import_module(name.split(".", 1)[0])
                except BaseException:
                    pass


def _keep_flags(path):
    """The mount flags a read-only remount of a bind of ``path`` must keep."""
    try:
        have = os.statvfs(path).f_flag
    except OSError:
        return 0
    return sum(ms for st, ms in _STAT_TO_MS if have & st)


def _bind_readonly(source, target):
    if not mount(source, target, None, MS_BIND | MS_REC, None):
        return False
    flags = MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | _keep_flags(source)
    return mount(None, target, None, flags, None)


def _make_path(root, path, is_dir):
    """Create ``path`` (directories world-readable) under ``root``; the full path there."""
    target = root + path
    os.makedirs(target if is_dir else os.path.dirname(target), mode=0o755, exist_ok=True)
    if not is_dir and not os.path.exists(target):
        open(target, "w").close()
    return target


def build_root(root, dirs, files, hide, links=()):
    """Assemble the runs' root at ``root`` (an empty directory); True if all of it worked.

    A small tmpfs holds read-only binds of ``dirs`` and ``files`` at their own paths, the
    host's top-level links (``/lib -> usr/lib``) and those ``links`` go through (the path
    of the dynamic loader an executable names), a /dev of a few device nodes, an empty
    /proc, links for /tmp, /var/tmp and /dev/shm into each run's scratch space, and an
    empty read-only tmpfs over every path in ``hide`` that the binds brought in. Then it is
    remounted read-only. Few mounts: each is copied, then torn down, with every run.
    """
    if not mount("tmpfs", root, "tmpfs", MS_NOSUID, "size=1m,mode=755"):
        return False
    ok = True
    for path in sorted(set(dirs)):
        ok &= _bind_readonly(path, _make_path(root, path, True))
    for path in sorted(set(files)):
        if os.path.isfile(path) and not os.path.exists(root + path):
            ok &= _bind_readonly(path, _make_path(root, path, False))
            for link in _links_to(path):
                if not os.path.lexists(root + link):
                    os.symlink(os.readlink(link), root + link)
    for name in os.listdir("/"):
        if os.path.islink("/" + name) and not os.path.lexists(root + "/" + name):
            os.symlink(os.readlink("/" + name), root + "/" + name)
    for path in links:
        link_chain(root, path)
    for path in (SCRATCH, "/proc", "/var", "/dev"):
        os.makedirs(root + path, mode=0o755, exist_ok=True)
    for link, part in _SCRATCH_LINKS.items():
        if not os.path.lexists(root + link):
            os.symlink(f"{SCRATCH}/{part}", root + link)
    ok &= _make_devices(root + "/dev")
    flags = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC
    for path in sorted(set(hide)):
        target = root + path
        if os.path.isdir(target) and not os.path.islink(target):
            ok &= mount("tmpfs", target, "tmpfs", flags, "size=4k,mode=555")
        elif os.path.isfile(target) and not os.path.islink(target):
            ok &= mount("/dev/null", target, None, MS_BIND, None)
    return ok and mount(None, root, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID, None)


def _make_devices(dev):
    """The device nodes runs may use, made here (or, where that is not allowed, bound)."""
    ok = True
    for name in DEVICES:
        node, host = f"{dev}/{name}", os.stat(f"/dev/{name}")
        try:
            os.mknod(node, stat.S_IFCHR | 0o666, host.st_rdev)
            os.chmod(node, 0o666)
        except OSError:  # no CAP_MKNOD (a user namespace)
            open(node, "w").close()
            ok &= mount(f"/dev/{name}", node, None, MS_BIND, None)
    for number, name in enumerate(("stdin", "stdout", "stderr")):
        os.symlink(f"/proc/self/fd/{number}", f"{dev}/{name}")
    os.symlink("/proc/self/fd", f"{dev}/fd")
    return ok


def enter_root(root):
    """Make ``root`` this mount namespace's root, and drop the old one entirely."""
    number = _PIVOT_ROOT.get(os.uname().machine)
    if number is None:
        return False
    os.chdir(root)
    if libc().syscall(number, b".", b".") != 0:
        return False
    ok = libc().umount2(b".", MNT_DETACH) == 0
    os.chdir("/")
    return ok


def mount_scratch(megabytes, files, uid, gid):
    """Give this process fresh /tmp, /var/tmp and /dev/shm; its work directory.

    Together they hold at most ``megabytes`` MiB and ``files`` files; the work directory
    belongs to ``uid``/``gid``. In the runs' root those three are links into
    :data:`SCRATCH`: one tmpfs mount serves them all.
    """
    data = f"size={int(megabytes)}m,nr_inodes={int(files) + 5},mode=755"
    if not mount("tmpfs", SCRATCH, "tmpfs", MS_NOSUID | MS_NODEV, data):
        raise OSError("could not mount the run's scratch space")
    for part in _SCRATCH_LINKS.values():
        os.mkdir(f"{SCRATCH}/{part}")
        os.chmod(f"{SCRATCH}/{part}", 0o1777)  # mkdir's mode passes through the umask
    work = f"{SCRATCH}/tmp/run"
    os.mkdir(work, 0o700)
    if uid is not None:
        os.chown(work, uid, gid)
    return "/tmp/run"
