"""The student's side of the bridge, in the student's kernel: answer the grader's calls and lookups.

``listen`` opens the call socket (a silent cell the grader runs once per kernel); each request is served from
the kernel's event loop (``run_call`` for a call, ``lookup`` for the names a test cell reads). It runs in the
student's kernel, so a student can make it lie, but only about their own results: it returns data, which the
trusted side checks like any other result.
"""

import asyncio as _asyncio
import contextlib as _contextlib
import io as _io
import warnings as _warnings

import numpy as _np
import zmq as _zmq

from .wire import (
    CALL_REPLY,
    MAX_REPLY_BYTES,
    Unsendable,
    _BaseException,
    _bytes,
    _callable,
    _Decoder,
    _dict,
    _dumps,
    _Encoder,
    _Generator,
    _isinstance,
    _legacy_snapshot,
    _list,
    _loads,
    _ndarray,
    _str,
    _type,
    call_address,
)

REPLY = None  # "listening" once the call socket is open, read by the grader as a user expression


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
