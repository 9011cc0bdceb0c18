"""The seccomp filter of a student's kernel: one process, and no memory outside its limits.

The kernel is one process: a student's code may start threads but no process
(``fork``, ``vfork``, a ``clone`` without ``CLONE_THREAD``; ``clone3``, whose
flags a filter cannot read, answers ENOSYS, so the C library falls back to
``clone`` for its threads), so its address-space limit bounds all of its memory
and no child survives it. ``memfd_create`` and SysV ``shmget`` are refused too:
memory reached through them is counted by no limit of the kernel. Calls of
another ABI (32-bit or x32 on x86-64) are refused, so the numbers below cannot be
bypassed. ``program()`` compiles the filter to classic BPF, the form bubblewrap's
``--seccomp FD`` loads; None on an architecture it does not know.
"""

import errno
import platform
import struct

# struct seccomp_data: nr (int), arch (u32), instruction_pointer (u64), args[6] (u64; the low half first)
NR, ARCH, ARG0 = 0, 4, 16
CLONE_THREAD = 0x00010000
X32_BIT = 0x40000000
RET_ALLOW, RET_ERRNO = 0x7FFF0000, 0x00050000
LD_ABS, JEQ, JGE, JSET, RET = 0x20, 0x15, 0x35, 0x45, 0x06

# machine -> (AUDIT_ARCH, {syscall: number}); fork and vfork exist on x86-64 only
ARCHITECTURES = {
    "x86_64": (0xC000003E, {"clone": 56, "fork": 57, "vfork": 58, "shmget": 29, "memfd_create": 319,
                            "clone3": 435}),
    "aarch64": (0xC00000B7, {"clone": 220, "shmget": 194, "memfd_create": 279, "clone3": 435}),
}
REFUSED = {"fork": errno.EPERM, "vfork": errno.EPERM, "clone3": errno.ENOSYS, "shmget": errno.EPERM,
           "memfd_create": errno.EPERM}


def _op(code, k, jt=0, jf=0):
    return struct.pack("=HBBI", code, jt, jf, k)


def program(machine=None):
    """The filter as bytes of ``struct sock_filter``, or None when ``machine`` (default: this one) is unknown."""
    machine = machine or platform.machine()
    if machine not in ARCHITECTURES:
        return None
    audit, numbers = ARCHITECTURES[machine]
    code = [_op(LD_ABS, ARCH), _op(JEQ, audit, 1, 0), _op(RET, RET_ERRNO | errno.ENOSYS), _op(LD_ABS, NR)]
    if machine == "x86_64":
        code += [_op(JGE, X32_BIT, 0, 1), _op(RET, RET_ERRNO | errno.ENOSYS)]
    for name, error in REFUSED.items():
        if name in numbers:
            code += [_op(JEQ, numbers[name], 0, 1), _op(RET, RET_ERRNO | error)]
    code += [_op(JEQ, numbers["clone"], 1, 0), _op(RET, RET_ALLOW),
             _op(LD_ABS, ARG0), _op(JSET, CLONE_THREAD, 0, 1), _op(RET, RET_ALLOW), _op(RET, RET_ERRNO | errno.EPERM)]
    return b"".join(code)
