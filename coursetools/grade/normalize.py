"""Rebuild a submitted notebook on the structure of the released one.

nbgrader restores the source of locked and test cells it finds by ``grade_id``,
but a deleted or re-labelled test cell, a duplicated answer cell or cells moved
around change what runs and in which order. Before autograding, every
submission is rebuilt from the release: the released cells in their order,
with the student's answer cells (matched by ``grade_id``) and the cells the
student added (cells whose id and text are not the release's; kept after the
graded cell they followed). Everything else, including every locked cell and
every demo cell, comes from the release. Each repair is an ``Outcome``.
"""

import copy
import re

from ..course import grade_id, is_answer_cell
from ..outcomes import Kind, Outcome


def defines(cell, name):
    """Whether a code cell defines ``name`` (a function or a variable) at top level."""
    return bool(re.search(rf"^(def\s+{re.escape(name)}\s*\(|{re.escape(name)}\s*=)", cell.source, re.M))


def normalize(submitted, release):
    """(notebook, [Outcome]): ``submitted`` rebuilt on the cells of ``release``, and its repairs."""
    notes = []
    released_ids = [grade_id(c) for c in release.cells]
    known = {gid for gid in released_ids if gid}
    # a released answer cell that lost its nbgrader metadata keeps its id: it is still the student's
    release_cell_ids = {c.get("id") for c in release.cells if not is_answer_cell(c)} - {None}
    release_sources = {c.source for c in release.cells}
    answers, added, seen = {}, {}, {}
    anchor = None
    for cell in submitted.cells:
        gid = grade_id(cell)
        if gid in known:
            seen[gid] = seen.get(gid, 0) + 1
            if is_answer_cell(cell):
                if gid in answers and answers[gid].source != cell.source:
                    notes.append(Outcome(Kind.ANSWER_DUPLICATED, cell=gid, count=seen[gid]))
                answers[gid] = cell
            elif seen[gid] > 1:
                notes.append(Outcome(Kind.LOCKED_DUPLICATED, cell=gid))
            anchor = gid
        elif gid:
            notes.append(Outcome(Kind.UNKNOWN_CELL, cell=gid))
        elif cell.get("id") not in release_cell_ids and cell.source not in release_sources:
            added.setdefault(anchor, []).append(cell)  # a cell the student wrote
    order = [grade_id(c) for c in submitted.cells if grade_id(c) in known]
    if order != sorted(order, key=released_ids.index):
        notes.append(Outcome(Kind.CELLS_MOVED))

    for cell in release.cells:  # answers pasted into cells of their own, wherever they are
        gid = grade_id(cell)
        if is_answer_cell(cell) and gid not in answers:
            rescued = _rescue(added, gid, cell.cell_type)
            if rescued is not None:
                answers[gid] = rescued
                notes.append(Outcome(Kind.ANSWER_RESCUED, cell=gid))

    out = copy.deepcopy(release)
    out.cells = []
    for cell in release.cells:
        gid = grade_id(cell)
        new = copy.deepcopy(cell)
        if gid in known and is_answer_cell(cell):
            if gid in answers:
                new.source = answers[gid].source
            else:
                notes.append(Outcome(Kind.ANSWER_MISSING, cell=gid))
        elif gid in known and gid not in seen:
            notes.append(Outcome(Kind.LOCKED_DELETED, cell=gid))
        out.cells.append(new)
        if gid is not None and gid in added:
            out.cells.extend(_plain(c) for c in added.pop(gid))
    leftover = [c for cells in added.values() for c in cells]
    if leftover:
        setup = next((i for i, c in enumerate(out.cells) if grade_id(c) == "setup"), -1)
        out.cells[setup + 1:setup + 1] = [_plain(c) for c in leftover]
    for k, cell in enumerate(out.cells):
        if "id" not in cell:
            cell["id"] = f"student-{k}"
    return out, notes


def _rescue(added, gid, cell_type):
    """Pop the untagged cell that defines ``gid``, if a student pasted the answer into a new cell."""
    for cells in added.values():
        for i, cell in enumerate(cells):
            if cell.cell_type == cell_type == "code" and defines(cell, gid):
                return cells.pop(i)
    return None


def _plain(cell):
    """A student-added cell, without outputs or stray metadata."""
    new = copy.deepcopy(cell)
    new.pop("id", None)
    new.metadata = {}
    if new.cell_type == "code":
        new.outputs = []
        new.execution_count = None
    return new
