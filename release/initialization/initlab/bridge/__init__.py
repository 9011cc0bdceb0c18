"""Calling a student's function from the test cells, in one kernel or across two.

In JupyterLab, under nbval and in the course's own tests there is one kernel, and
``call`` (in ``initlab.checks``) calls the function directly. During autograding
the test cells run in a second, trusted kernel that never receives student code:
``connect()`` links it to the student's kernel, names the test cell uses are
bound to what the student's kernel holds (``StudentFunction`` proxies, or the
values of answer variables), and each call travels as plain data (JSON, arrays
as raw bytes), never as pickle or code, on a socket of its own that the student's
kernel serves from its event loop (``listen``): a Unix socket beside the kernel's own
(its ``ipc`` transport), each message signed with the kernel's key:

- values: None, bool, int, float, str, numeric numpy arrays and scalars, lists,
  tuples and dicts of them, and a ``numpy.random.Generator`` (PCG64) whose state
  travels both ways; anything else cannot be sent and fails that test;
- identity is kept: an object that appears twice arrives as one object, and an
  argument the function returns comes back as the caller's own object;
- arguments changed in place are changed in place on the caller's side too (values,
  a dict's keys, a list's length, an array's shape; an array the caller made read-only
  arrives read-only), and the reply says whether numpy's global random state moved
  during the call;
- what the trusted side reads is bounded: a reply has at most ``MAX_REPLY_FRAMES``
  frames and ``MAX_REPLY_BYTES`` bytes in all, its JSON at most ``MAX_JSON_BYTES``,
  and each array's bytes serve one array only.

The student's side (``listen``, ``run_call``, ``lookup``) runs in the student's
kernel, so a student can make it lie, but only about their own results: it
returns data, which the trusted side checks like any other result.

The bridge has four parts: ``wire`` (the plain-data encoding both sides share), ``student`` (the student's
kernel answers calls and lookups), ``client`` (the trusted side calls across, or in one process through the
same encoding) and ``names`` (the names a test cell reads). Importing the package imports them all, so that
their references to numpy, json and the builtins are taken before any student code runs.
"""

from .client import (
    RaisedByStudent,
    StudentFunction,
    StudentKernel,
    StudentKernelDied,
    bind_student_names,
    connect,
    loopback,
    loopback_enabled,
    roundtrip,
)
from .names import free_names
from .student import listen, lookup, reply_text, run_call
from .wire import (
    CALL_REPLY,
    CALL_REQUEST,
    MAX_DEPTH,
    MAX_JSON_BYTES,
    MAX_REPLY_BYTES,
    MAX_REPLY_FRAMES,
    Unapplied,
    Unsendable,
    call_address,
    decode_reply,
    encode_request,
)
from .wire import _legacy_snapshot as _legacy_snapshot  # initlab.checks: numpy's global state around a call

__all__ = ["CALL_REPLY", "CALL_REQUEST", "MAX_DEPTH", "MAX_JSON_BYTES", "MAX_REPLY_BYTES", "MAX_REPLY_FRAMES",
           "RaisedByStudent", "StudentFunction", "StudentKernel", "StudentKernelDied", "Unapplied", "Unsendable",
           "bind_student_names", "call_address", "connect", "decode_reply", "encode_request", "free_names", "listen",
           "lookup", "loopback", "loopback_enabled", "reply_text", "roundtrip", "run_call"]
