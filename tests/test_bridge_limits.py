"""What the bridge copies back to the caller and what it refuses to read (``initlab.bridge``), without kernels.

Calls go through the same encoding as between two kernels (``bridge.loopback``): a test that compares an
argument with its own copy after the call sees every change the student's function made to it, structure included.
"""

import json

import numpy as np
import pytest
from initlab import bridge


def call(fn, *args):
    return bridge.loopback(fn, args, {})[0]


def test_structural_changes_of_dict_and_list_arguments_reach_the_caller():
    grads = {"W1": np.ones((2, 2)), "b1": np.zeros((2, 1))}
    assert call(lambda g: g.clear() or {}, grads) == {} and grads == {}
    grads = {"W1": np.ones(2), "b1": np.zeros(1)}

    def swap_keys(g):
        del g["b1"]
        g["new"] = np.arange(3.0)
    call(swap_keys, grads)
    assert list(grads) == ["W1", "new"] and np.array_equal(grads["new"], [0, 1, 2])
    items = [1, 2, 3]

    def regrow(x):
        x.pop()
        x.extend(["x", "y"])
    call(regrow, items)
    assert items == [1, 2, "x", "y"]


def test_an_arrays_new_shape_reaches_the_caller_or_fails_the_test():
    x = np.arange(4.0).reshape(2, 2)
    call(lambda a: setattr(a, "shape", (4,)), x)
    assert x.shape == (4,)
    y = np.ones(3)
    call(lambda a: a.resize((5,), refcheck=False), y)
    assert y.shape == (5,) and np.array_equal(y, [1, 1, 1, 0, 0])
    view = np.ones((2, 3))[:, :2]  # a view cannot change its size in place
    with pytest.raises(AssertionError, match=r"changed the shape of an array it was given in place, from \(2, 2\)"):
        call(lambda a: a.resize((5,), refcheck=False), view)


def test_a_read_only_argument_arrives_read_only():
    frozen = np.zeros(3)
    frozen.flags.writeable = False

    def scale(a):
        a *= 2
    with pytest.raises(ValueError, match="read-only"):
        call(scale, frozen)


def test_one_buffer_cannot_stand_for_many_arrays():
    node = {"a": "<f8", "s": [1], "b": 0}
    reply = json.dumps({"result": {"t": [node, node]}})
    with pytest.raises(AssertionError, match="could not be read by the grader .*used twice"):
        bridge.decode_reply(reply, [b"\0" * 8], [], "f")
    assert bridge.decode_reply(json.dumps({"result": {"t": [node]}}), [b"\0" * 8], [], "f")[0][0].shape == (1,)
