"""The bridge's wire format: values as plain data (JSON nodes, arrays' bytes in frames of their own), both ways.

Both sides use it: the student's kernel (``initlab.bridge.student``) and the trusted side
(``initlab.bridge.client``). The references below are taken when the setup cell imports the bridge, before any
student code runs, so that a student who patches numpy, json or the builtins breaks nothing but their own answers.
"""

import json as _json

import numpy as _np

# References taken at import (see above).
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


def _legacy_snapshot():
    state = _legacy_state()
    return state[0], state[1].tobytes(), state[2:]


CALL_REQUEST, CALL_REPLY = "initlab_call_request", "initlab_call_reply"  # the messages of the call socket


def call_address(transport, ip):
    """The call socket of a kernel with this connection info: a Unix socket beside the kernel's own."""
    if transport != "ipc":
        raise RuntimeError(f"the call socket needs a kernel on Unix sockets (transport 'ipc', not {transport!r})")
    return f"ipc://{ip}-call"


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
