"""The trusted side of the bridge: call a student's function across two kernels, or through the same encoding
in one (``loopback``), and bind the names a test cell reads to what the student's kernel holds.

During autograding the test cells run in a trusted kernel that never receives student code; ``connect``
links it to the student's kernel (``StudentKernel``), and before each test cell the names it reads
(``initlab.bridge.names``) are bound to ``StudentFunction`` proxies or to the values of answer variables.
"""

import builtins as _builtins
import os as _os

import zmq as _zmq

from .names import free_names
from .student import run_call
from .wire import (
    CALL_REQUEST,
    MAX_JSON_BYTES,
    MAX_REPLY_BYTES,
    MAX_REPLY_FRAMES,
    Unsendable,
    _bytes,
    _Decoder,
    _dict,
    _dumps,
    _isinstance,
    _len,
    _list,
    _loads,
    _RemoteError,
    _str,
    _sum,
    _type,
    call_address,
    decode_reply,
    encode_request,
)


def _raise_remote(error, name):
    """Raise, in the caller, the exception the student's function raised (by its builtin class)."""
    kind, message = _str(error.get("type", "Exception")), _str(error.get("message", ""))
    if kind == "NotImplementedError":
        raise AssertionError(f"{name} is not implemented yet.")
    if kind == "Unsendable":
        raise AssertionError(f"the result of {name} could not be sent to the grader: {message}. Return numbers, "
                             "strings, numpy arrays, or lists and dicts of them.")
    cls = getattr(_builtins, kind, None)
    if not (_isinstance(cls, _type) and issubclass(cls, Exception) and cls.__module__ == "builtins"):
        cls, message = RuntimeError, f"{kind}: {message}"
    raise _raised_by_student(cls)(f"{message} (raised by {name})")


class RaisedByStudent(Exception):
    """Marks an exception that the student's function raised (re-raised with its builtin class)."""


_RAISED = {}


def _raised_by_student(cls):
    """A subclass of ``cls`` with the same name, marked as raised by the student's code."""
    if cls not in _RAISED:
        _RAISED[cls] = _type(cls.__name__, (cls, RaisedByStudent), {"__module__": "builtins"})
    return _RAISED[cls]


def roundtrip(name, args, kwargs, transport):
    """Call the function ``name`` through ``transport(request, buffers) -> (reply, buffers)``; return
    (result, legacy_moved)."""
    try:
        request, buffers, table = encode_request(args, kwargs)
    except Unsendable as exc:
        raise AssertionError(f"the test could not send its arguments to {name}: {exc}") from None
    result, moved = decode_reply(*transport(request, buffers), table, name)
    if _isinstance(result, _RemoteError):
        _raise_remote(result.error, name)
    return result, moved


def loopback(fn, args, kwargs):
    """Call ``fn`` here, through the encoding that a call between two kernels goes through."""
    name = getattr(fn, "__name__", "this function")
    return roundtrip(name, args, kwargs, lambda request, buffers: run_call(fn, request, buffers))


def loopback_enabled():
    """``INITLAB_BRIDGE=loopback``: send every call through the encoding in one process (course tests)."""
    return _os.environ.get("INITLAB_BRIDGE") == "loopback"


# --------------------------------------------------------------- two kernels
class StudentKernelDied(Exception):
    """The student's kernel stopped answering (it died during the call)."""


class StudentKernel:
    """The trusted kernel's client of the student's kernel: its shell channel (once, to start ``listen``), its
    heartbeat, and the call socket."""

    def __init__(self, connection_info):
        from jupyter_client import BlockingKernelClient

        context = _zmq.Context()
        context.setsockopt(_zmq.MAXMSGSIZE, MAX_REPLY_BYTES)  # every socket to the student's kernel: no larger frame
        self.client = BlockingKernelClient(context=context)
        self.client.load_connection_info(connection_info)
        self.client.start_channels(shell=True, iopub=False, stdin=False, hb=True, control=False)
        self.socket = None  # the call socket, once the student's kernel listens

    def close(self):
        self.client.stop_channels()
        self.client.context.destroy(linger=0)

    def _wait(self, poll, matches):
        """The first message ``poll(timeout)`` gives for which ``matches(msg)``; fails if the kernel dies first."""
        while True:
            msg = poll(0.25)
            if msg is None:
                if not self.client.hb_channel.is_beating():
                    raise StudentKernelDied("the student's kernel died during the call")
            elif matches(msg):
                return msg

    @staticmethod
    def _no_answer(content):
        return AssertionError("the student's kernel did not answer the grader's call "
                              f"({content.get('ename', 'no reply')}: {content.get('evalue', '')})")

    def _shell_reply(self, timeout):
        try:
            return self.client.get_shell_msg(timeout=timeout)
        except Exception:  # queue.Empty: still running, or dead
            return None

    def run(self, code):
        """Run ``code`` silently in the student's kernel; return the text it left in ``REPLY``."""
        expression = "__import__('initlab.bridge').bridge.reply_text()"
        msg = self.client.session.msg("execute_request", {
            "code": code, "silent": True, "store_history": False, "allow_stdin": False,
            "user_expressions": {"reply": expression}, "stop_on_error": True})
        self.client.session.send(self.client.shell_channel.socket, msg)
        msg_id = msg["header"]["msg_id"]
        content = self._wait(self._shell_reply,
                             lambda reply: reply.get("parent_header", {}).get("msg_id") == msg_id)["content"]
        data = content.get("user_expressions", {}).get("reply", {})
        text = data.get("data", {}).get("text/plain") if data.get("status") == "ok" else None
        if content.get("status") != "ok" or not _isinstance(text, _str) or _len(text) > MAX_REPLY_BYTES:
            raise self._no_answer(content)
        return text

    def _connect(self):
        """Have the student's kernel listen (a silent cell, once per kernel) and connect the call socket (its address
        is derived from the connection info, never taken from the student's kernel)."""
        address = call_address(self.client.transport, self.client.ip)
        answer = self.run("__import__('initlab.bridge').bridge.listen()")
        if answer != "listening":
            raise self._no_answer({"ename": "listen", "evalue": f"not listening: {answer[:100]!r}"})
        sock = self.client.context.socket(_zmq.DEALER)
        sock.linger = 0
        sock.setsockopt(_zmq.RCVHWM, 4)  # a reply is awaited before the next request: no more is ever due
        sock.connect(address)
        self.socket = sock

    def _call_reply(self, timeout):
        if not self.socket.poll(timeout * 1000):
            return None
        try:
            _, msg = self.client.session.recv(self.socket, mode=_zmq.NOBLOCK, content=True, copy=True)
        except Exception:  # not signed with the kernel's key: not the student's kernel's reply
            return None
        return msg

    def request(self, content, buffers=()):
        """Send a ``CALL_REQUEST`` (``buffers``: the call's request as bytes, then its arrays' bytes); return the
        reply's (text, buffers)."""
        if self.socket is None:
            self._connect()
        msg = self.client.session.msg(CALL_REQUEST, content)
        self.client.session.send(self.socket, msg, buffers=_list(buffers))
        msg_id = msg["header"]["msg_id"]
        reply = self._wait(self._call_reply, lambda reply: reply.get("parent_header", {}).get("msg_id") == msg_id)
        buffers = reply.get("buffers") or []
        size = _sum(_len(b) for b in buffers)
        if _len(buffers) > MAX_REPLY_FRAMES or size > MAX_REPLY_BYTES \
                or (buffers and _len(buffers[0]) > MAX_JSON_BYTES):
            raise self._no_answer({"ename": "too large", "evalue": f"{_len(buffers)} frames, {size} bytes"})
        if reply["content"].get("status") != "ok" or not buffers:
            raise self._no_answer(reply["content"])
        try:
            return _bytes(buffers[0]).decode(), [_bytes(b) for b in buffers[1:]]
        except UnicodeDecodeError:
            raise self._no_answer({"ename": "UnicodeDecodeError", "evalue": "the reply is not text"}) from None

    def call(self, name, args, kwargs):
        """Call the student's function ``name``; return (result, legacy_moved)."""
        return roundtrip(name, args, kwargs,
                         lambda request, buffers: self.request({"name": name}, [request.encode(), *buffers]))

    def lookup(self, names):
        """{name: {"function": True} | {"value": value} | {"missing": True} | {"unsendable": why}} of each name."""
        text, buffers = self.request({"lookup": True}, [_dumps(sorted(names)).encode()])
        try:
            found = _loads(text)
        except ValueError:
            found = None
        found = found if _isinstance(found, _dict) else {}
        for name, entry in found.items():
            if _isinstance(entry, _dict) and "value" in entry:
                try:
                    found[name] = {"value": _Decoder(buffers).value(entry["value"])}
                except Unsendable as exc:
                    found[name] = {"unsendable": _str(exc)}
        return found


class StudentFunction:
    """Stands, in the trusted kernel, for a function defined in the student's notebook."""

    def __init__(self, name, kernel):
        self.__name__ = self.name = name
        self.kernel = kernel

    def __call__(self, *args, **kwargs):
        return self.kernel.call(self.name, args, kwargs)[0]

    def __repr__(self):
        return f"<student function {self.name}>"


def bind_student_names(space, source, kernel):
    """Bind in ``space`` each name ``source`` reads from the student's notebook; unbind missing ones."""
    names = free_names(source)
    if not names:
        return
    found = kernel.lookup(names)
    for name in names:
        entry = found.get(name) if _isinstance(found.get(name), _dict) else {"missing": True}
        space.pop(name, None)
        if entry.get("function") is True:
            space[name] = StudentFunction(name, kernel)
        elif "value" in entry:
            space[name] = entry["value"]


_LINK = {}  # the student's kernel this trusted kernel is linked to, and the hook that binds its names


def connect(connection_info):
    """Trusted kernel: link to a student's kernel (forgetting the previous one and every name the previous
    notebook's tests defined); before each cell, bind the names it reads."""
    from IPython import get_ipython

    ip = get_ipython()
    if _LINK:
        ip.events.unregister("pre_run_cell", _LINK["hook"])
        _LINK.pop("kernel").close()
    ip.reset(new_session=False)
    kernel = StudentKernel(connection_info)
    _LINK.update(kernel=kernel, hook=lambda info: bind_student_names(ip.user_ns, info.raw_cell or "", kernel))
    ip.events.register("pre_run_cell", _LINK["hook"])
    return kernel
