"""The visible part of a test cell already catches the basic mistakes, and names them; it is short.

A student runs only the visible tests before submitting. Each variant catalogue in
``tests/variants/`` may list, in ``VISIBLE``, the wrong implementations (by a piece of
their hint) that the visible part of a function's test cell must reject with a message
containing that hint. Fast and in-process, as in test_hidden_tests.py. The Validate dialog
and the feedback show a student the visible part before a failure: at most
``cell_sizes.MAX_VISIBLE`` lines, the whole cell at most ``cell_sizes.MAX_LINES``.
"""

import traceback

import cell_sizes
import pytest
from notebooks import NOTEBOOKS, SOURCE, catalogue, grade_cells, read, run_test_source, variants


def visible_catalogue(notebook):
    """The ``VISIBLE`` dict of a notebook's variant catalogue ({} if it has none)."""
    return catalogue(notebook).get("VISIBLE", {})


def _cases():
    for name in NOTEBOOKS:
        _, wrong = variants(name)
        for fn, hints in visible_catalogue(name).items():
            for hint in hints:
                matching = [src for src, h in wrong.get(fn, []) if h is not None and hint.lower() in h.lower()]
                yield pytest.param(name, fn, hint, matching, id=f"{name[:2]}-{fn}-{hint[:30]}")


@pytest.fixture(autouse=True)
def loopback(monkeypatch):
    monkeypatch.setenv("INITLAB_BRIDGE", "loopback")


def run_visible_part(notebook, function, implementation):
    """Run setup, ``implementation`` and the visible part of the test cell of ``function``; return the exception."""
    test = grade_cells(read(SOURCE / notebook))[f"test_{function}"].source
    return run_test_source(notebook, implementation, test.split("### BEGIN HIDDEN TESTS")[0])


@pytest.mark.parametrize("notebook,function,hint,implementations", list(_cases()))
def test_visible_tests_catch_and_name_the_basic_mistakes(notebook, function, hint, implementations):
    assert implementations, f"VISIBLE names {hint!r} for {function}, but no wrong variant has that hint"
    for implementation in implementations:
        exc = run_visible_part(notebook, function, implementation)
        assert exc is not None, f"the visible test of {function} passed a basic mistake ({hint}):\n{implementation}"
        assert isinstance(exc, AssertionError), "".join(traceback.format_exception(exc))
        assert hint.lower() in str(exc).lower(), f"the visible test should say {hint!r}, said: {exc}"


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_test_cells_are_short_and_their_visible_part_shorter(notebook):
    for test_id, cell in grade_cells(read(SOURCE / notebook)).items():
        lines, visible = cell_sizes.sizes(cell.source)
        assert lines <= cell_sizes.MAX_LINES, f"{test_id} has {lines} lines (at most {cell_sizes.MAX_LINES})"
        assert visible <= cell_sizes.MAX_VISIBLE, (
            f"the visible part of {test_id} has {visible} lines (at most {cell_sizes.MAX_VISIBLE})")
