"""The verdict of every catalogued implementation, recorded once and compared by test_hidden_tests.py.

A verdict is where a function's test cell stops a catalogued implementation (the notebook's own solution,
always accepted, is not recorded: its docstring may change): ``accepted``, ``visible`` (its visible
part already fails) or ``hidden`` (only the hidden part fails). An implementation is known by a hash of its
syntax tree (formatting and comments aside), so that moving a variant from one file to another keeps its
record. ``python tests/verdicts.py`` records the verdicts of implementations not recorded yet (a new
variant) and keeps the others; ``--again`` records every verdict anew (only after deciding that a change of
verdict is right: the test that compares exists so that no rewrite of a test cell changes one silently).
"""

import ast
import functools
import hashlib
import json
import os
import sys
import traceback
from pathlib import Path

RECORD = Path(__file__).parent / "variants" / "verdicts.json"
HIDDEN_MARK = "### BEGIN HIDDEN TESTS"
# A rejection may move from the hidden part to the visible part (a visible test that catches more), never back.
ORDER = {"visible": 0, "hidden": 1, "accepted": 2}


def key(source):
    """A short, stable name of an implementation: the hash of its syntax tree."""
    return hashlib.sha256(ast.dump(ast.parse(source)).encode()).hexdigest()[:16]


def stage(exc, test_source):
    """Where a test cell stopped an implementation: ``accepted`` (no exception), ``visible`` or ``hidden``."""
    if exc is None:
        return "accepted"
    lines = test_source.splitlines()
    mark = next((i + 1 for i, line in enumerate(lines) if line.startswith(HIDDEN_MARK)), len(lines) + 1)
    cell_lines = [f.lineno for f in traceback.extract_tb(exc.__traceback__) if f.filename == "<test>"]
    return "visible" if cell_lines and cell_lines[0] < mark else "hidden"


@functools.lru_cache(maxsize=1)
def recorded():
    """{notebook: {function: {key: verdict}}} as recorded."""
    return json.loads(RECORD.read_text())


def _record(again=False):
    root = Path(__file__).resolve().parents[1]
    sys.path[:0] = [str(root), str(root / "tests"), str(root / "source" / "initialization")]
    os.environ["INITLAB_BRIDGE"] = "loopback"
    from notebooks import NOTEBOOKS, SOURCE, answer_cells, grade_cells, read, run_test_source, variants

    old = {} if again or not RECORD.exists() else json.loads(RECORD.read_text())
    out = dict(old)
    for name in NOTEBOOKS:
        nb = read(SOURCE / name)
        correct, wrong = variants(name)
        tests = grade_cells(nb)
        out[name] = dict(old.get(name, {}))
        for fn in answer_cells(nb):
            test = tests[f"test_{fn}"].source
            sources = list(correct.get(fn, [])) + [src for src, _ in wrong.get(fn, [])]
            known = old.get(name, {}).get(fn, {})
            out[name][fn] = {**known, **{key(src): known.get(key(src)) or stage(run_test_source(name, src, test), test)
                                         for src in sources}}
            print(name, fn, len(sources), flush=True)
    RECORD.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    _record(again="--again" in sys.argv)
