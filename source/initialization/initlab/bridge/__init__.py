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
"""

import ast as _ast
import asyncio as _asyncio
import builtins as _builtins
import contextlib as _contextlib
import io as _io
import json as _json
import os as _os
import warnings as _warnings

import numpy as _np
import zmq as _zmq

# References taken at import (the setup cell imports this module before any student code runs),
# so that a student who patches numpy, json or the builtins breaks nothing but their own answers.
_dumps, _loads = _json.dumps, _json.loads
_ndarray, _generic, _dtype = _np.ndarray, _np.generic, _np.dtype
_ascontiguousarray, _frombuffer, _copyto = _np.ascontiguousarray, _np.frombuffer, _np.copyto
_Generator, _PCG64 = _np.random.Generator, _np.random.PCG64
_legacy_state = _np.random.mtrand._rand.get_state
_isinstance, _len, _type, _id, _callable, _sum = isinstance, len, type, id, callable, sum
_int, _float, _str, _bool, _bytes, _list, _tuple, _dict = int, float, str, bool, bytes, list, tuple, dict
_BaseException = BaseException

NUMERIC_KINDS = "biufc"
MAX_DEPTH = 64
MAX_REPLY_BYTES = 64 * 1024 * 1024  # a reply's frames together
MAX_REPLY_FRAMES = 1024
MAX_JSON_BYTES = 8 * 1024 * 1024  # its JSON (a list of a million numbers takes about 20 MB once read)
REPLY = None  # the student's side leaves "listening" here once its call socket is open, read as a user expression


class Unsendable(Exception):
    """A value that cannot cross between the kernels as plain data."""


# ------------------------------------------------------------------ encoding
class _Encoder:
    """Turn values into JSON-ready nodes; objects seen before become references ``{"r": index}``, and the bytes
    of arrays go to ``buffers`` (a node names its buffer by index)."""

    def __init__(self, known=()):
        self.index = {_id(obj): k for k, obj in enumerate(known)}
        self.keep = _list(known)  # keeps the objects alive, so that their ids stay theirs
        self.buffers = []

    def _buffer(self, data):
        self.buffers.append(data)
        return _len(self.buffers) - 1

    def _new(self, obj):
        self.index[_id(obj)] = _len(self.keep)
        self.keep.append(obj)
        return self.index[_id(obj)]

    def node(self, value, depth=0, fresh=True):
        """The node of ``value``; ``fresh=False`` encodes the content of an already indexed object."""
        if depth > MAX_DEPTH:
            raise Unsendable("nested too deeply")
        if value is None or _isinstance(value, _bool):
            return value
        if _isinstance(value, _str):
            return _str.__str__(value)  # a plain str, whatever subclass the student returned
        if _isinstance(value, _int):
            return _int.__index__(value)
        if _isinstance(value, _float):
            return _float.__float__(value)
        if fresh and _id(value) in self.index:
            return {"r": self.index[_id(value)]}
        if _isinstance(value, _ndarray):
            if value.dtype.kind not in NUMERIC_KINDS:
                raise Unsendable(f"a numpy array of dtype {value.dtype}")
            data = _ascontiguousarray(value).tobytes()
            node = {"a": value.dtype.str, "s": [_int(n) for n in value.shape], "b": self._buffer(data)}
            if not value.flags.writeable:
                node["ro"] = True
        elif _isinstance(value, _generic):
            if value.dtype.kind not in NUMERIC_KINDS:
                raise Unsendable(f"a numpy scalar of dtype {value.dtype}")
            return {"n": value.dtype.str, "b": self._buffer(value.tobytes())}
        elif _isinstance(value, _Generator):
            state = value.bit_generator.state
            if state.get("bit_generator") != "PCG64":
                raise Unsendable(f"a Generator with {state.get('bit_generator')}")
            node = {"g": {"state": _int(state["state"]["state"]), "inc": _int(state["state"]["inc"]),
                          "has_uint32": _int(state["has_uint32"]), "uinteger": _int(state["uinteger"])}}
        elif _isinstance(value, _tuple):
            return {"t": [self.node(v, depth + 1) for v in value]}
        elif _isinstance(value, (_list, _dict)):
            if fresh:
                self._new(value)  # before the items: a list may contain itself
            if _isinstance(value, _list):
                node = {"l": [self.node(v, depth + 1) for v in _list.__iter__(value)]}
            else:
                node = {"m": [[self.node(k, depth + 1), self.node(v, depth + 1)] for k, v in _dict.items(value)]}
            if fresh:
                node["i"] = self.index[_id(value)]
            return node
        else:
            raise Unsendable(f"a {_type(value).__name__} object")
        if fresh:
            node["i"] = self._new(value)
        return node


def _fail(what):
    raise Unsendable(f"malformed data ({what})")


class _Decoder:
    """Rebuild values from nodes, strictly; ``table`` holds the objects by index, ``buffers`` the arrays' bytes."""

    def __init__(self, buffers, table=None):
        self.buffers = buffers
        self.table = table if table is not None else []
        self.used = set()  # buffers already read: each serves one array (else one buffer could fill memory)

    def _register(self, node, obj):
        if "i" in node:
            if node["i"] != _len(self.table):
                _fail("object index out of order")
            self.table.append(obj)
        return obj

    def value(self, node, depth=0):
        if depth > MAX_DEPTH:
            _fail("nested too deeply")
        if node is None or _type(node) in (_bool, _int, _float, _str):
            return node
        if _type(node) is not _dict:
            _fail(f"unexpected {_type(node).__name__}")
        if "r" in node:
            k = node["r"]
            if _type(k) is not _int or not 0 <= k < _len(self.table):
                _fail("dangling reference")
            return self.table[k]
        if "a" in node:
            return self._register(node, self.array(node))
        if "n" in node:
            return self.array({"a": node["n"], "s": [], "b": node["b"]})[()]
        if "g" in node:
            return self._register(node, self.generator(node["g"]))
        if "t" in node:
            return _tuple(self.value(v, depth + 1) for v in self.items(node["t"]))
        if "l" in node:
            out = self._register(node, [])
            out.extend(self.value(v, depth + 1) for v in self.items(node["l"]))
            return out
        if "m" in node:
            out = self._register(node, {})
            for pair in self.items(node["m"]):
                if _type(pair) is not _list or _len(pair) != 2:
                    _fail("dict entry")
                key = self.value(pair[0], depth + 1)
                if _type(key) not in (_bool, _int, _float, _str) and key is not None:
                    _fail("dict key")
                out[key] = self.value(pair[1], depth + 1)
            return out
        _fail("unknown node")

    @staticmethod
    def items(items):
        if _type(items) is not _list:
            _fail("expected a list")
        return items

    def array(self, node):
        dtype, shape, k = node.get("a"), node.get("s"), node.get("b")
        if _type(dtype) is not _str or _type(shape) is not _list or _type(k) is not _int \
                or not 0 <= k < _len(self.buffers):
            _fail("array")
        try:
            dtype = _dtype(dtype)
        except TypeError:
            _fail("dtype")
        if dtype.kind not in NUMERIC_KINDS or not all(_type(n) is _int and n >= 0 for n in shape):
            _fail("dtype or shape")
        if k in self.used:
            _fail("array data used twice")
        self.used.add(k)
        raw = self.buffers[k]
        size = 1
        for n in shape:
            size *= n
        if _len(raw) != size * dtype.itemsize:
            _fail("array size")
        out = _frombuffer(raw, dtype=dtype).reshape(shape).copy()
        if node.get("ro") is True:
            out.flags.writeable = False
        return out

    @staticmethod
    def generator(state):
        if _type(state) is not _dict or not all(_type(state.get(k)) is _int
                                                 for k in ("state", "inc", "has_uint32", "uinteger")):
            _fail("generator state")
        bits = _PCG64()
        bits.state = {"bit_generator": "PCG64", "state": {"state": state["state"], "inc": state["inc"]},
                      "has_uint32": state["has_uint32"], "uinteger": state["uinteger"]}
        return _Generator(bits)


class Unapplied(Exception):
    """A change the callee made to an argument that cannot be made to the caller's object."""


def _update_array(target, new):
    """Make the array ``target`` equal to ``new``, its shape included (an array that owns its data can change it)."""
    if target.dtype != new.dtype:
        raise Unapplied(f"it changed the dtype of an array it was given in place, from {target.dtype} to {new.dtype}")
    if target.shape != new.shape:
        try:
            if target.size == new.size:
                target.shape = new.shape
            else:
                target.resize(new.shape, refcheck=False)
        except (AttributeError, ValueError):
            raise Unapplied(f"it changed the shape of an array it was given in place, from {target.shape} to "
                            f"{new.shape}") from None
    if not target.flags.writeable:  # the student's side got it read-only: it could not have written to it
        raise Unapplied("it reports a change of an array it was given read-only")
    _copyto(target, new, casting="unsafe")


def _update_in_place(target, new):
    """Make ``target`` (an argument of the caller) equal to ``new`` (what the callee left of it): values, a dict's
    keys, a list's length, an array's shape (``Unapplied`` when that cannot be done)."""
    if _isinstance(target, _ndarray) and _isinstance(new, _ndarray):
        _update_array(target, new)
    elif _isinstance(target, _list) and _isinstance(new, _list):
        target[:] = new
    elif _isinstance(target, _dict) and _isinstance(new, _dict):
        target.clear()
        target.update(new)
    elif _isinstance(target, _Generator) and _isinstance(new, _Generator):
        target.bit_generator.state = new.bit_generator.state
    else:
        raise Unapplied(f"it replaced an argument of type {_type(target).__name__} by a {_type(new).__name__}")


# ------------------------------------------------------------ student's side
def _legacy_snapshot():
    state = _legacy_state()
    return state[0], state[1].tobytes(), state[2:]


def _contents(objects):
    """The content of each argument object that a call can change, to see later which ones it changed
    (an array's bytes, the others' encoding); None for the others."""
    out = []
    for obj in objects:
        if _isinstance(obj, _ndarray):
            out.append((obj.dtype.str, obj.shape, obj.tobytes()))
        elif _isinstance(obj, (_list, _dict, _Generator)):
            encoder = _Encoder(objects)
            out.append((_dumps(encoder.node(obj, fresh=False)), encoder.buffers))
        else:
            out.append(None)
    return out


def run_call(fn, request, buffers):
    """Decode a call request, call ``fn``; return the reply (JSON text, buffers) (the student's side)."""
    request = _loads(request)
    table = []
    decoder = _Decoder(buffers, table)
    args = [decoder.value(node) for node in request["args"]]
    kwargs = {key: decoder.value(node) for key, node in request["kwargs"]}
    before_args = _contents(table)
    legacy = _legacy_snapshot()
    reply = {}
    try:
        with _warnings.catch_warnings(), _np.errstate(all="ignore"), \
                _contextlib.redirect_stderr(_io.StringIO()):
            _warnings.simplefilter("ignore")
            result = fn(*args, **kwargs)
    except _BaseException as exc:  # the student's exception is data for the caller
        reply["error"] = {"type": _type(exc).__name__, "message": _str(exc)[:2000]}
        result = None
    reply["legacy_moved"] = _legacy_snapshot() != legacy
    after_args = _contents(table)
    encoder = _Encoder(table)
    reply["changed"] = [[k, encoder.node(obj, fresh=False)]
                        for k, (obj, old, new) in enumerate(zip(_list(table), before_args, after_args))
                        if old is not None and new != old]
    if "error" not in reply:
        try:
            reply["result"] = encoder.node(result)
        except Unsendable as exc:
            reply["error"] = {"type": "Unsendable", "message": _str(exc)}
    return _dumps(reply), encoder.buffers


CALL_REQUEST, CALL_REPLY = "initlab_call_request", "initlab_call_reply"  # the messages of the call socket


class _Text:
    """Shows as its text, unquoted: a reply crosses as the kernel's plain-text form of this (no repr to undo)."""

    __slots__ = ("text",)

    def __init__(self, text):
        self.text = text

    def __repr__(self):
        return self.text


def reply_text():
    """Student's kernel: what ``listen`` left, for the grader's ``user_expressions``."""
    return _Text(REPLY) if _isinstance(REPLY, _str) else None


def _namespace():
    from IPython import get_ipython

    return get_ipython().user_ns


def lookup(names):
    """Student's kernel: what each name is in the notebook (a function, a value, or missing); (JSON, buffers)."""
    space = _namespace()
    found, encoder = {}, _Encoder()
    for name in names:
        if not _isinstance(name, _str) or name not in space:
            found[_str(name)] = {"missing": True}
        elif _callable(space[name]):
            found[name] = {"function": True}
        else:
            try:
                found[name] = {"value": encoder.node(space[name])}
            except Unsendable as exc:
                found[name] = {"unsendable": _str(exc)}
    return _dumps(found), encoder.buffers


_LISTENING = {}  # the student's kernel's call socket, once ``listen`` made it


def call_address(transport, ip):
    """The call socket of a kernel with this connection info: a Unix socket beside the kernel's own."""
    if transport != "ipc":
        raise RuntimeError(f"the call socket needs a kernel on Unix sockets (transport 'ipc', not {transport!r})")
    return f"ipc://{ip}-call"


def listen():
    """Student's kernel: answer calls and lookups on a socket of their own; leaves "listening" in ``REPLY``.

    The socket is served from the kernel's event loop, between the kernel's own messages: a call then costs one
    message each way and no more (a call that the kernel's shell channel carried would cost ten times as much, in
    ipykernel's dispatch). Every message is signed with the kernel's key, like the kernel's own, so no process
    but the grader's can call, and the grader reads no reply that is not signed."""
    global REPLY
    REPLY = None
    if not _LISTENING:
        from ipykernel.kernelapp import IPKernelApp
        from IPython import get_ipython

        app = IPKernelApp.instance()
        session = get_ipython().kernel.session
        sock = _zmq.Context.instance().socket(_zmq.ROUTER)
        sock.linger = 0
        sock.setsockopt(_zmq.MAXMSGSIZE, MAX_REPLY_BYTES)
        sock.bind(call_address(app.transport, app.ip))
        _asyncio.get_running_loop().add_reader(sock.getsockopt(_zmq.FD), lambda: _serve(session, sock))
        _LISTENING.update(socket=sock)
    REPLY = "listening"


def _serve(session, sock):
    """Answer every request waiting on ``sock`` (the loop's reader: zmq's descriptor signals edges, not levels)."""
    while sock.getsockopt(_zmq.EVENTS) & _zmq.POLLIN:
        try:
            idents, msg = session.recv(sock, mode=_zmq.NOBLOCK, content=True, copy=True)
        except _BaseException:  # not signed with the kernel's key: not from the grader, and not answered
            continue
        if msg is not None:
            content, buffers = _answer(msg)
            session.send(sock, CALL_REPLY, content, msg, ident=idents, buffers=buffers)


def _answer(msg):
    """(content, buffers) of the reply to one call or lookup request (always one, even to a malformed request)."""
    try:
        request, buffers = msg["content"], [_bytes(b) for b in msg["buffers"]]
        if request.get("lookup") is not None:
            text, out = lookup(_loads(buffers[0]))
        else:
            text, out = run_call(_namespace()[request["name"]], buffers[0], buffers[1:])
        return {"status": "ok"}, [text.encode(), *out]
    except _BaseException as exc:  # no reply would leave the grader waiting for the cell's time limit
        return {"status": "error", "ename": _type(exc).__name__, "evalue": _str(exc)[:2000]}, []


# ------------------------------------------------------------- caller's side
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


def decode_reply(reply_text, buffers, sent_table, name):
    """Apply a call's reply on the caller's side: update arguments in place; return (result, legacy_moved)."""
    try:
        reply = _loads(reply_text)
        if _type(reply) is not _dict or _type(reply.get("changed", [])) is not _list:
            _fail("reply")
        decoder = _Decoder(buffers, _list(sent_table))
        for entry in reply.get("changed", []):
            if _type(entry) is not _list or _len(entry) != 2 or _type(entry[0]) is not _int \
                    or not 0 <= entry[0] < _len(sent_table):
                _fail("changed argument")
            _update_in_place(sent_table[entry[0]], decoder.value(entry[1]))
        moved = reply.get("legacy_moved") is True
        if "error" in reply:
            error = reply["error"] if _type(reply["error"]) is _dict else {}
            return _RemoteError(error), moved
        return decoder.value(reply.get("result")), moved
    except Unapplied as exc:
        raise AssertionError(f"{name} changed its arguments in a way the grader cannot follow: {exc}.") from None
    except Exception as exc:  # whatever the data, reading it only ever fails this test
        raise AssertionError(f"the result of {name} could not be read by the grader ({exc}).") from None


class _RemoteError:
    def __init__(self, error):
        self.error = error


def encode_request(args, kwargs):
    """(request JSON, its buffers, table of the objects sent) for a call."""
    encoder = _Encoder()
    request = {"args": [encoder.node(a) for a in args],
               "kwargs": [[_str(k), encoder.node(v)] for k, v in kwargs.items()]}
    return _dumps(request), encoder.buffers, encoder.keep


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


def free_names(source):
    """Names a cell reads without defining them (and that are not builtins)."""
    try:
        tree = _ast.parse(source)
    except SyntaxError:
        return set()
    loaded, bound = set(), set()
    for node in _ast.walk(tree):
        if _isinstance(node, _ast.Name):
            (loaded if _isinstance(node.ctx, _ast.Load) else bound).add(node.id)
        elif _isinstance(node, (_ast.FunctionDef, _ast.AsyncFunctionDef, _ast.ClassDef)):
            bound.add(node.name)
        elif _isinstance(node, _ast.arg):
            bound.add(node.arg)
        elif _isinstance(node, _ast.alias):
            bound.add((node.asname or node.name).split(".")[0])
        elif _isinstance(node, _ast.ExceptHandler) and node.name:
            bound.add(node.name)
    return loaded - bound - set(dir(_builtins))


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
