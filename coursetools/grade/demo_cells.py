"""Which cells autograding may leave out: the notebook's demonstrations that no grade depends on.

A notebook's figures and worked examples cost as much to run as its tests, and
no score reads them. A code cell is left out of grading when all of these hold:

- it has no nbgrader role (not an answer, test, setup or other locked cell);
- its source is exactly that of a code cell of the released notebook (a cell the
  student wrote or edited always runs);
- no cell that runs after it reads a name it binds, and no function of a cell that
  runs reads one as a global (it may be called after any later cell), nor changes
  an object through one (liveness, from the last cell backwards, repeated until
  the cells that run need no other; a test cell runs in the trusted kernel, which
  fetches from the student's the names ``initlab.bridge.names.free_names`` finds in
  it: the same analysis decides both);
- no cell that runs can reach names dynamically (``globals``, ``eval``,
  ``exec``, ``vars``, ...) and every code cell is plain Python: a cell with IPython
  syntax (magics, shell escapes) or a syntax error means every cell runs, without
  further analysis.

The analysis is bounded: a cell longer than ``MAX_CELL_CHARS``, or code cells
longer than ``MAX_NOTEBOOK_CHARS`` together, mean every cell runs (a submission
cannot make it slow).
"""

import ast
import builtins
import functools
import symtable

from ..course import Course, is_demonstration, is_test_cell

# Calls through which a cell can read or write any name of the notebook: with one of them, nothing is left out.
DYNAMIC = {"globals", "locals", "vars", "eval", "exec", "get_ipython", "__import__", "__builtins__",
           "__main__", "_ih", "_oh", "In", "Out", "sys", "builtins", "importlib", "inspect"}
MAX_CELL_CHARS = 20_000  # a longer cell is not analysed: every cell runs
MAX_NOTEBOOK_CHARS = 200_000  # nor are code cells longer than this together (the course's are about 30,000)


def _reads(code):
    """(names read at the cell's top level, names read as globals inside its functions and classes).

    The second kind is read when the function is called, which may be after any later cell ran.
    """
    top, deferred, tables = set(), set(), [symtable.symtable(code, "<cell>", "exec")]
    while tables:
        table = tables.pop()
        if table.get_type() == "module":
            top |= {s.get_name() for s in table.get_symbols() if s.is_referenced()}
        else:
            deferred |= {s.get_name() for s in table.get_symbols() if s.is_referenced() and s.is_global()}
        tables += table.get_children()
    return top, deferred


def _names(parsed):
    """(names read now, names read later by its functions, names bound or changed) by the cell.

    A changed name is the base of an assignment to an item or attribute (``params["W1"] = ...``,
    ``x.y += 1``) or of a ``del``. Bound names are over-counted (a function's locals too): that only
    makes more cells run.
    """
    tree, code = parsed
    bound = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            bound.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.alias):
            bound.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            bound.update(node.names)
        elif isinstance(node, (ast.Subscript, ast.Attribute)) and not isinstance(node.ctx, ast.Load):
            base = node.value
            while isinstance(base, (ast.Subscript, ast.Attribute)):
                base = base.value
            if isinstance(base, ast.Name):
                bound.add(base.id)
    top, deferred = _reads(code)
    plain = set(dir(builtins)) - DYNAMIC
    return top - plain, deferred - plain, bound


@functools.lru_cache(maxsize=4096)
def _analysis(source):
    """``_names`` of a cell's source, or None if it is not plain Python (IPython syntax, a syntax error) or too long;
    computed once per source (most cells of a class's submissions are the released ones). The sets are shared:
    never change them."""
    if len(source) > MAX_CELL_CHARS:
        return None
    try:
        return _names((ast.parse(source), source))
    except (SyntaxError, ValueError, RecursionError, MemoryError):  # symtable refuses some code ast accepts
        return None


@functools.cache
def _test_cell_names():
    """``free_names`` of the bridge: the names a test cell fetches from the student's kernel."""
    return Course().helper("bridge.names").free_names


def _cells(nb, release):
    """[(index, candidate, read now, read later, bound)] of the code cells, or None if nothing may be left out."""
    code = [(index, cell) for index, cell in enumerate(nb.cells) if cell.cell_type == "code" and cell.source.strip()]
    if sum(len(cell.source) for _, cell in code) > MAX_NOTEBOOK_CHARS:
        return None
    released = {cell.source for cell in release.cells if is_demonstration(cell)}
    cells = []
    for index, cell in code:
        candidate = is_demonstration(cell) and cell.source in released
        names = _analysis(cell.source)
        if names is None:  # magics, shell escapes, a syntax error or a huge cell: keep everything
            return None
        top, deferred, bound = names
        if is_test_cell(cell):  # it runs in the trusted kernel, which fetches only these names
            top, deferred = _test_cell_names()(cell.source), set()
        cells.append((index, candidate, top, deferred, bound))
    return cells


def skippable(nb, release):
    """Indices of the code cells of ``nb`` that grading may leave out (see the module's docstring)."""
    cells = _cells(nb, release)
    if cells is None:
        return set()
    skip = {index for index, candidate, *_ in cells if candidate}
    while True:  # until the cells that run need no other: a cell that runs can only add needs
        running = [c for c in cells if c[0] not in skip]
        later = set().union(*(deferred for _, _, _, deferred, _ in running))
        if (later | set().union(*(top for _, _, top, _, _ in running))) & DYNAMIC:
            return set()
        needed, keep = set(later), set()
        for index, _, top, _, bound in reversed(cells):
            if index in skip and not (bound & needed):
                continue
            if index in skip:
                keep.add(index)
            needed |= top
        if not keep:
            return skip
        skip -= keep
