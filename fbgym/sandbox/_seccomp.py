"""A seccomp filter for runs: no new user namespaces, no keyrings, no IPC objects."""

import ctypes
import errno
import os
import struct

if "prctl" not in globals():  # imported as a module rather than run as the server
    from fbgym.sandbox._sys import CLONE_NEWUSER, PR_SET_SECCOMP, prctl

_ARCHES = {
    # machine: (AUDIT_ARCH, unshare, clone, clone3, refused outright: setns, add_key,
    # request_key, keyctl, shmget, semget, msgget, mq_open)
    "x86_64": (0xC000003E, 272, 56, 435, (308, 248, 249, 250, 29, 64, 68, 240)),
    "aarch64": (0xC00000B7, 97, 220, 435, (268, 217, 218, 219, 194, 190, 186, 180)),
}
_LD_ABS, _JEQ, _JGE, _JSET, _RET = 0x20, 0x15, 0x35, 0x45, 0x06
_ALLOW, _ERRNO = 0x7FFF0000, 0x00050000
_X32 = 0x40000000
_SECCOMP_MODE_FILTER = 2


def seccomp_program():
    """The filter, ready for :func:`install_seccomp`, or None on a machine it does not know.

    A call of ``unshare`` or ``clone`` asking for a new user namespace fails with EPERM, as do
    ``setns``, the key-management calls and the calls that make System V IPC objects and
    POSIX message queues (a uid's keyrings, and a namespace's IPC objects, outlive a run, so
    they could carry data to the next one; the standard library uses none of them);
    ``clone3``, whose flags a filter cannot read, fails with ENOSYS, so the C library falls
    back to ``clone``. System calls of another ABI (32-bit ones on x86-64) fail with EPERM.
    Everything else is allowed.
    """
    spec = _ARCHES.get(os.uname().machine)
    if spec is None:
        return None
    arch, nr_unshare, nr_clone, nr_clone3, refused = spec
    deny, nosys = _ERRNO | errno.EPERM, _ERRNO | errno.ENOSYS
    # Each entry: (code, k, jump-if-true target, jump-if-false target); targets are labels.
    code = [(_LD_ABS, 4, None, None), (_JEQ, arch, "nr", "deny")]
    code += [("nr", None, None, None), (_LD_ABS, 0, None, None), (_JGE, _X32, "deny", "next")]
    code += [(_JEQ, nr, "deny", "next") for nr in refused]
    code += [(_JEQ, nr_clone3, "nosys", "next"), (_JEQ, nr_unshare, "flags", "next")]
    code += [(_JEQ, nr_clone, "flags", "next"), (_RET, _ALLOW, None, None)]
    code += [("flags", None, None, None), (_LD_ABS, 16, None, None)]  # args[0], low half
    code += [(_JSET, CLONE_NEWUSER, "deny", "next"), (_RET, _ALLOW, None, None)]
    code += [("deny", None, None, None), (_RET, deny, None, None)]
    code += [("nosys", None, None, None), (_RET, nosys, None, None)]
    labels, program = {}, []
    for op, k, jt, jf in code:
        if isinstance(op, str):
            labels[op] = len(program)
        else:
            program.append((op, k, jt, jf))
    out = b""
    for index, (op, k, jt, jf) in enumerate(program):
        jumps = [0 if t in (None, "next") else labels[t] - index - 1 for t in (jt, jf)]
        out += struct.pack("=HBBI", op, *jumps, k)
    return _Program(len(program), out)


class _Program(ctypes.Structure):
    """``struct sock_fprog``: the number of instructions and where they are."""

    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_char_p)]


def install_seccomp(program):
    """Install ``program`` (from :func:`seccomp_program`) on this process; True on success.

    The process must already have set no_new_privs.
    """
    return prctl(PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(program))
