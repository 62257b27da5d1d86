"""Landlock scoping for runs: no reaching another run's abstract Unix sockets, nor signalling it."""

import ctypes
import os

if "prctl" not in globals():  # imported as a module rather than run as the server
    from fbgym.sandbox._sys import libc

_CREATE_RULESET, _RESTRICT_SELF = 444, 446  # the same on every architecture
_VERSION = 1  # LANDLOCK_CREATE_RULESET_VERSION
_SCOPES = 0x1 | 0x2  # LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET | LANDLOCK_SCOPE_SIGNAL
_SCOPED_ABI = 6


class _Ruleset(ctypes.Structure):
    """``struct landlock_ruleset_attr``: no file system or network rights handled, scopes."""

    _fields_ = [("fs", ctypes.c_uint64), ("net", ctypes.c_uint64), ("scoped", ctypes.c_uint64)]


def landlock_scopes():
    """Whether this kernel scopes abstract Unix sockets and signals (Landlock ABI 6, Linux 6.12)."""
    abi = libc().syscall(_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(_VERSION))
    return abi >= _SCOPED_ABI


def scope_self():
    """Put this process (and all it starts) in a Landlock domain of its own; True on success.

    It can then neither connect to an abstract Unix socket nor send a signal to a process
    outside that domain. It must already have set no_new_privs.
    """
    attr = _Ruleset(0, 0, _SCOPES)
    fd = libc().syscall(
        _CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(24), ctypes.c_uint32(0)
    )
    if fd < 0:
        return False
    try:
        return libc().syscall(_RESTRICT_SELF, ctypes.c_int(fd), ctypes.c_uint32(0)) == 0
    finally:
        os.close(fd)
