"""The Linux system calls the jail needs, through the C library (ctypes)."""

import ctypes

CLONE_NEWNS, CLONE_NEWIPC, CLONE_NEWUSER = 0x00020000, 0x08000000, 0x10000000
CLONE_NEWPID, CLONE_NEWNET = 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT = 1, 2, 4, 8, 32
MS_BIND, MS_MOVE, MS_REC, MS_PRIVATE = 4096, 8192, 16384, 1 << 18
MNT_DETACH = 2
PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP = 1, 38, 22
_LIBC = []


def libc():
    if not _LIBC:
        _LIBC.append(ctypes.CDLL(None, use_errno=True))  # this program: libc with it
    return _LIBC[0]


def unshare(flags):
    """``unshare(2)``; True on success."""
    try:
        return libc().unshare(flags) == 0
    except (OSError, AttributeError):
        return False


def mount(source, target, fstype, flags, data):
    """``mount(2)``; True on success."""

    def enc(text):
        return None if text is None else text.encode()

    try:
        return libc().mount(enc(source), enc(target), enc(fstype), flags, enc(data)) == 0
    except (OSError, AttributeError):
        return False


def prctl(option, value, pointer=None):
    """``prctl(option, value)`` (or with a pointer as its third argument); True on success."""
    try:
        return libc().prctl(option, ctypes.c_ulong(value), pointer, None, None) == 0
    except (OSError, AttributeError):
        return False


def write_file(path, text):
    """Write ``text`` to ``path`` (a /proc control file); True on success."""
    try:
        with open(path, "w") as handle:
            handle.write(text)
        return True
    except OSError:
        return False
