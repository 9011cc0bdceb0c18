"""What the class got wrong: ``python -m coursetools insight [--names]``.

Reads what grading left behind, from the batch (``python -m coursetools autograde``) or
from plain ``nbgrader autograde``:

- the gradebook: every graded cell's score (a manual score wins over the automatic one),
  which written answers still wait for a TA, late penalties, each student's LMS id
  (nbgrader's ``Student.lms_user_id``, kept from ``zip_collect``; the nbgrader id when empty);
- the autograded notebooks: the failure message each test cell printed (the hidden
  tests name the likely mistake), cells in which the kernel died or hung;
- the batch reports in reports/ (``autograde-*.md``): grading time, time-outs, failures,
  repaired, renamed or missing notebooks and cells; for a student graded by plain
  nbgrader the same checks are run on submitted/ here, and the grading time is
  estimated from the times of the autograded files;
- ``coursetools.review`` on submitted/: code that patches modules or the kernel.

Writes two files to reports/:

- ``insight-<date>.html``: one self-contained page (figures are PNG data URIs, nothing is
  loaded from the network, a Content-Security-Policy forbids every script, everything a
  student wrote is escaped text); students appear as anonymous codes (S01, S02...) unless
  ``--names``; examples of mistakes name no one;
- ``insight-<date>.csv``: one row per student and graded cell (score, max, mistake).

The grades for Canvas are ``nbgrader export``'s (``coursetools/canvas.py``).

The page opens with what to re-teach: the course's misconceptions (``initlab/mistakes.py``) ranked by the
students they affect across every cell they showed in, read from the ``Revisit:`` line of each failure message
(``coursetools/failures.py``). Work left blank or not implemented counts apart, as "did not attempt", never as a
mistake. Other failures group, per function, by the mistake their message names (``failures.mistake_key``).
"""

import argparse
import base64
import csv
import html
import io
import json
import re
import statistics
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from . import course, failures
from .collect import UPLOAD

# What the batch reports say ------------------------------------------------------------------
# (category, pattern of a note), first match wins
CATEGORIES = [
    ("time-out", r"took more than .* and was stopped|ran for more than"),
    ("fault", r"KernelFault|kernel died"),
    ("failed", r"autograde failed|crashed|not graded|no score for|no grades in the gradebook|not a plain student id"),
    ("tampering", r"locked cell|unknown grade_id|cells were moved|patches|assigns to|reaches|ends the process"),
    ("repaired", r"appears \d+ times|lost its nbgrader metadata|\(renamed\)|already stands for"),
    ("missing", r"missing|could not be read|no folder submitted"),
    ("extra file", r"extra file ignored"),
]
NOT_SUBMITTED = "notebook not submitted"
NOT_ATTEMPTED = "did not attempt"
TIMING = re.compile(r"autograded in (\d+(?:\.\d+)?) s")
ENTRY = re.compile(r"^- \*\*(.+?)\*\*: (.*)$")
NOTE = re.compile(r"^ {4}- (.*)$")


def category(note):
    for name, pattern in CATEGORIES:
        if re.search(pattern, note, re.I):
            return name
    return "other"


def batch_reports(root):
    """{student: (seconds or None, [notes])} from the batch reports, the latest report of each student winning."""
    entries = {}
    for path in sorted((Path(root) / "reports").glob("autograde-*.md")):
        student = None
        for line in path.read_text(errors="replace").splitlines():
            head = ENTRY.match(line)
            note = NOTE.match(line)
            if head:
                student = html.unescape(head.group(1))
                entries[student] = (None, [])
                if head.group(2).strip().startswith("FAILED"):
                    entries[student][1].append("not graded cleanly: the batch reported FAILED")
            elif note and student is not None:
                text = html.unescape(note.group(1))
                timing = TIMING.fullmatch(text.strip())
                if timing:
                    entries[student] = (float(timing.group(1)), entries[student][1])
                else:
                    entries[student][1].append(text)
            elif line.startswith("#"):
                student = None
    return entries


def file_time_estimates(root, students):
    """{student: seconds} estimated from the autograded files' times (plain nbgrader records no timings).

    Plain ``nbgrader autograde`` grades one student after the other and writes each notebook
    when it is done: a student's time is from the previous file written to their last one.
    """
    files = []
    for student in students:
        folder = Path(root) / "autograded" / student / course.ASSIGNMENT
        files += [(p.stat().st_mtime, student) for p in folder.glob("*.ipynb")]
    last, estimates = {}, {}
    for mtime, student in sorted(files):
        last[student] = mtime
    order = sorted(last.items(), key=lambda item: item[1])
    for (_, before), (student, end) in zip(order, order[1:]):
        if 0 < end - before < course.STUDENT_TIME_LIMIT:
            estimates[student] = end - before
    return estimates


# The class -------------------------------------------------------------------------------------
@dataclass
class Cell:
    """One graded cell of one student."""

    student: str
    notebook: str
    name: str
    kind: str  # "autograded" (a test cell) or "manual" (a written answer)
    score: float
    max_score: float
    needs_manual_grade: bool
    mistake: str = ""
    message: str = ""
    misconception: str = ""  # the key of initlab.mistakes the message names, if any
    section: str = ""  # the section its Revisit line points to
    attempted: bool = True  # False: the answer is the release's stub (or says it is not implemented)

    @property
    def outcome(self):
        """"waiting" (for a TA), "full", "partial", "zero" (a mistake) or "not attempted" (blank, stub, missing)."""
        if self.kind == "manual" and self.needs_manual_grade:
            return "waiting"
        if self.score >= self.max_score:
            return "full"
        if self.score > 0:
            return "partial"
        return "zero" if self.attempted and self.mistake != NOT_SUBMITTED else "not attempted"


@dataclass
class Student:
    id: str
    code: str
    lms_id: str
    name: str
    score: float = 0.0
    max_score: float = 0.0
    penalty: float = 0.0
    notebook_scores: dict = field(default_factory=dict)
    seconds: float | None = None
    timing: str = ""  # "batch" or "file times"
    problems: list = field(default_factory=list)  # (category, notebook or "", detail)

    @property
    def total(self):
        return max(0.0, self.score - self.penalty)


def graded_cells(root):
    """({notebook name: [(grade_id, kind)]}, {notebook name: {answer grade_id: released source}}) of the release."""
    out, stubs = {}, {}
    for name in course.notebooks(root) if course.source_dir(root).exists() else []:
        path = course.release_dir(root) / name
        if not path.exists():
            continue
        cells = []
        for cell in json.loads(path.read_text())["cells"]:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if meta.get("solution") and meta.get("grade_id"):
                stubs.setdefault(name[:-6], {})[meta["grade_id"]] = _source(cell)
            if meta.get("grade") and meta.get("grade_id"):
                cells.append((meta["grade_id"], "autograded" if cell["cell_type"] == "code" and not meta.get("solution")
                              else "manual"))
        out[name[:-6]] = cells
    return out, stubs


def _source(cell):
    source = cell.get("source", "")
    return ("".join(source) if isinstance(source, list) else str(source)).strip()


def test_outputs(root, student, notebook):
    """({grade_id: (ename, message)} of the failed test cells, {answer grade_id: source}) of an autograded
    notebook; None if absent."""
    path = Path(root) / "autograded" / student / course.ASSIGNMENT / f"{notebook}.ipynb"
    if not path.exists():
        return None
    try:
        cells = json.loads(path.read_text())["cells"]
    except (ValueError, KeyError, RecursionError):
        return {}, {}
    errors, answers = {}, {}
    for cell in cells:
        gid = course.grade_id(cell)
        if not gid:
            continue
        if cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
            answers[gid] = _source(cell)
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                errors[gid] = (str(out.get("ename", "")), str(out.get("evalue", "")))
                break
    return errors, answers


def collect(root=course.ROOT):
    """(students {id: Student}, cells [Cell], layout {notebook: [(grade_id, kind)]}) of the graded class."""
    from nbgrader.api import Gradebook, MissingEntry

    from . import batch, review, staging

    root = Path(root)
    layout, stubs = graded_cells(root)
    students, cells = {}, []
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        try:
            submissions = gb.find_assignment(course.ASSIGNMENT).submissions
        except MissingEntry:
            submissions = []
        for number, sub in enumerate(sorted(submissions, key=lambda s: s.student.id), start=1):
            st = sub.student
            name = " ".join(n for n in (st.first_name, st.last_name) if n)
            student = Student(id=st.id, code=f"S{number:02d}", lms_id=str(st.lms_user_id or "").strip() or st.id,
                              name=name, penalty=float(sub.late_submission_penalty or 0))
            students[st.id] = student
            for nb in sub.notebooks:
                layout.setdefault(nb.name, [])
                known = {gid for gid, _ in layout[nb.name]}
                found = test_outputs(root, st.id, nb.name)
                errors, answers = found if found is not None else ({}, {})
                unchanged = {gid for gid, source in answers.items() if source == stubs.get(nb.name, {}).get(gid)}
                nb_score = nb_max = 0.0
                for g in nb.grades:
                    kind = "manual" if g.cell_type == "markdown" else "autograded"
                    if g.name not in known:
                        layout[nb.name].append((g.name, kind))
                        known.add(g.name)
                    cell = Cell(st.id, nb.name, g.name, kind, float(g.score or 0), float(g.max_score or 0),
                                bool(g.needs_manual_grade))
                    function = g.name[len("test_"):] if g.name.startswith("test_") else g.name
                    if kind == "manual" and cell.score < cell.max_score and g.name in unchanged:
                        cell.attempted, cell.mistake = False, NOT_ATTEMPTED
                    if kind == "autograded" and cell.score < cell.max_score:
                        if found is None:
                            cell.mistake = cell.message = NOT_SUBMITTED
                        elif g.name in errors:
                            ename, cell.message = errors[g.name]
                            if function in unchanged or failures.not_attempted(cell.message, ename):
                                cell.attempted, cell.mistake = False, NOT_ATTEMPTED
                            else:
                                cell.mistake = failures.mistake_key(cell.message, ename, function)
                                cell.misconception, cell.section = failures.misconception(cell.message, root)
                            if ename != "AssertionError":
                                cell.message = f"{ename}: {cell.message}"
                        elif g.manual_score is not None:
                            cell.mistake = "score set by hand"
                        else:
                            cell.mistake = "no failure shown in the autograded notebook"
                    cells.append(cell)
                    nb_score += cell.score
                    nb_max += cell.max_score
                student.notebook_scores[nb.name] = (nb_score, nb_max)
                student.score += nb_score
                student.max_score += nb_max

    reports = batch_reports(root)
    plain = [s for s in students if s not in reports]
    estimates = file_time_estimates(root, plain)
    for sid, student in students.items():
        seen = set()

        def problem(note, student=student, seen=seen):
            nb = re.match(r"(\d\d_[A-Za-z0-9_]+)(?:\.ipynb)?", note)
            entry = (category(note), nb.group(1) if nb else "", note)
            if note not in seen:
                seen.add(note)
                student.problems.append(entry)

        if sid in reports:
            student.seconds, notes = reports[sid]
            student.timing = "batch"
            for note in notes:
                if not note.startswith(UPLOAD):  # which upload was graded: information, not a problem
                    problem(note.splitlines()[0])
        else:
            student.seconds = estimates.get(sid)
            student.timing = "file times" if student.seconds is not None else ""
            try:
                _, notes = staging.staged_files(root, sid)
            except Exception as exc:  # (one submission's problem, never the report's)
                notes = [f"submission could not be read: {type(exc).__name__}"]
            for note in notes:
                problem(note + " (found in submitted/; plain nbgrader autograde does not repair it)"
                        if category(note) in ("repaired", "tampering") else note)
        for note in batch.faults(root, sid):
            problem(note)
    for (sid, notebook, label), flags in review.scan(root).items():
        if sid in students:
            for flag in flags:
                students[sid].problems.append(("tampering", notebook[:-6], f"{notebook} {label}: {flag}"))
    return students, cells, layout


# Summaries ---------------------------------------------------------------------------------------
OUTCOMES = ("full", "partial", "zero", "not attempted", "waiting")


def function_name(grade_id):
    """The graded function of a test cell (``test_<function>``), or the written answer's own id."""
    return grade_id[len("test_"):] if grade_id.startswith("test_") else grade_id


def rank_misconceptions(cells, students, root=course.ROOT):
    """The misconceptions the failures name, ranked by the students they affect across all cells.

    One entry per misconception: its key and title, the students affected (and their codes), the failing cells
    it showed in, the functions where it showed (with how many students each) and the sections to revisit.
    """
    words = failures.vocabulary(root)
    found = {}
    for c in cells:
        if not c.misconception or c.outcome not in ("partial", "zero"):
            continue
        entry = found.setdefault(c.misconception, {"students": set(), "cells": 0, "functions": Counter(),
                                                   "sections": Counter()})
        entry["students"].add(c.student)
        entry["cells"] += 1
        entry["functions"][(c.notebook, function_name(c.name))] += 1
        section = c.section or (words.MISCONCEPTIONS[c.misconception].sections.get(c.notebook[:2], "")
                                if words and c.misconception in words.MISCONCEPTIONS else "")
        if section:
            entry["sections"][(c.notebook[:2], section)] += 1
    def by_count(counter):
        return sorted(counter.items(), key=lambda item: (-item[1], item[0]))

    ranked = []
    for key, entry in found.items():
        title = words.MISCONCEPTIONS[key].title if words and key in words.MISCONCEPTIONS else key
        ranked.append({
            "key": key, "title": title, "students": len(entry["students"]), "of": len(students),
            "codes": sorted(students[s].code for s in entry["students"]), "cells": entry["cells"],
            "functions": [(nb, fn, n) for (nb, fn), n in by_count(entry["functions"])],
            "sections": [f"{nb}: {section}" for (nb, section), _ in by_count(entry["sections"])],
        })
    return sorted(ranked, key=lambda m: (-m["students"], -m["cells"], m["key"]))


def summarize(students, cells, layout, root=course.ROOT):
    """Everything the report and the tests read: what to re-teach, counts per cell, mistakes, work not attempted,
    waiting answers, problems."""
    by_cell = defaultdict(list)
    for c in cells:
        by_cell[(c.notebook, c.name)].append(c)
    functions, not_attempted = [], []
    for notebook, graded in layout.items():
        for name, kind in graded:
            group = by_cell.get((notebook, name))
            if not group:
                continue
            outcomes = Counter(c.outcome for c in group)
            wrong = [c for c in group if c.outcome in ("partial", "zero") and c.mistake and c.kind == "autograded"]
            mistakes = Counter(c.mistake for c in wrong)
            examples, titled = {}, {}
            for c in sorted(wrong, key=lambda c: c.student):
                examples.setdefault(c.mistake, c.message)
                titled.setdefault(c.mistake, c.misconception)
            functions.append({
                "notebook": notebook, "name": name, "function": function_name(name), "kind": kind,
                "max_score": max(c.max_score for c in group), "students": len(group),
                **{outcome.replace(" ", "_"): outcomes[outcome] for outcome in OUTCOMES},
                "mistakes": [{"mistake": m, "count": n, "example": examples[m], "misconception": titled[m]}
                             for m, n in mistakes.most_common()],
            })
            blank = sorted(students[c.student].code for c in group if not c.attempted)
            missing = sorted(students[c.student].code for c in group if c.mistake == NOT_SUBMITTED)
            if blank or missing:
                not_attempted.append({"notebook": notebook, "name": function_name(name), "kind": kind,
                                      "blank": blank, "missing": missing})
    waiting = []
    for notebook, graded in layout.items():
        for name, kind in graded:
            group = by_cell.get((notebook, name), [])
            if kind == "manual" and group:
                pending = sorted(students[c.student].code for c in group if c.outcome == "waiting")
                waiting.append({"notebook": notebook, "name": name, "waiting": len(pending), "of": len(group),
                                "students": pending})
    problems = [(s.code, s.id, cat, nb, detail) for s in students.values() for cat, nb, detail in s.problems]
    totals = [s.total for s in students.values()]
    top = max((s.max_score for s in students.values()), default=0)
    timed = sorted((s for s in students.values() if s.seconds is not None), key=lambda s: -s.seconds)
    return {
        "students": len(students), "max_score": top, "totals": totals,
        "mean": statistics.mean(totals) if totals else 0.0, "median": statistics.median(totals) if totals else 0.0,
        "full_marks": sum(t >= top for t in totals) if top else 0, "functions": functions, "waiting": waiting,
        "problems": problems, "unclean": len({p[0] for p in problems}), "timed": timed,
        "misconceptions": rank_misconceptions(cells, students, root), "not_attempted": not_attempted,
        "blank_students": len({c.student for c in cells if not c.attempted}),
    }


# Figures -----------------------------------------------------------------------------------------
def _png(fig):
    import matplotlib.pyplot as plt
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90)
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _hist(ax, values, top, title):
    import numpy as np
    top = max(top, 1)
    bins = np.linspace(0, top, min(int(top), 20) + 1) if top >= 1 else 10
    ax.hist(values, bins=bins, color="#4a7ab5", edgecolor="white")
    ax.set_xlim(0, top)
    ax.set_title(title, fontsize=9)
    ax.yaxis.get_major_locator().set_params(integer=True)


def figures(students, summary, layout):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = {}
    notebooks = [nb for nb in layout if any(nb in s.notebook_scores for s in students.values())]
    cols = min(3, max(1, len(notebooks)))
    rows = 1 + (len(notebooks) + cols - 1) // cols
    fig = plt.figure(figsize=(3.2 * cols, 2.3 * rows))
    grid = fig.add_gridspec(rows, cols)
    ax = fig.add_subplot(grid[0, :])
    top = summary["max_score"]
    _hist(ax, summary["totals"], top, f"{course.ASSIGNMENT}: total score (of {top:g})")
    for k, nb in enumerate(notebooks):
        ax = fig.add_subplot(grid[1 + k // cols, k % cols])
        scores = [s.notebook_scores[nb][0] for s in students.values() if nb in s.notebook_scores]
        top = max(s.notebook_scores[nb][1] for s in students.values() if nb in s.notebook_scores)
        _hist(ax, scores, top, f"{nb} (of {top:g})")
    fig.supylabel("students", fontsize=9)
    fig.tight_layout()
    out["scores"] = _png(fig)

    functions = summary["functions"]
    if functions:
        fig, ax = plt.subplots(figsize=(7.5, 0.28 * len(functions) + 0.9))
        labels = [f"{f['notebook'][:2]} {f['function']}{' (written)' if f['kind'] == 'manual' else ''}"
                  for f in functions][::-1]
        left = [0] * len(functions)
        for key, color in (("full", "#3d9a50"), ("partial", "#e0a030"), ("zero", "#c8443a"),
                           ("not attempted", "#b0b0b0"), ("waiting", "#6a8fc8")):
            share = [100 * f[key.replace(" ", "_")] / f["students"] for f in functions][::-1]
            if any(share):
                ax.barh(labels, share, left=left, color=color, label=key)
            left = [a + b for a, b in zip(left, share)]
        ax.set_xlim(0, 100)
        ax.set_xlabel("% of students")
        ax.tick_params(axis="y", labelsize=7)
        ax.legend(ncols=5, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.09 - 1.2 / len(functions)),
                  frameon=False)
        ax.margins(y=0.01)
        fig.tight_layout()
        out["functions"] = _png(fig)

    times = [s.seconds for s in students.values() if s.seconds is not None]
    if times:
        fig, ax = plt.subplots(figsize=(6, 2.4))
        ax.hist(times, bins=min(20, max(5, len(times) // 2)), color="#7a5ab5", edgecolor="white")
        ax.set_xlabel("seconds to grade one student")
        ax.set_ylabel("students")
        ax.yaxis.get_major_locator().set_params(integer=True)
        fig.tight_layout()
        out["times"] = _png(fig)
    return out


# Files -------------------------------------------------------------------------------------------
CSV_FIELDS = ["student_code", "student_id", "lms_id", "notebook", "cell", "kind", "score", "max_score", "outcome",
              "mistake", "message"]


def _number(x):
    return f"{x:.2f}".rstrip("0").rstrip(".")


def write_csv(path, students, cells):
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=CSV_FIELDS)
        writer.writeheader()
        for c in sorted(cells, key=lambda c: (students[c.student].code, c.notebook)):
            s = students[c.student]
            writer.writerow({"student_code": s.code, "student_id": s.id, "lms_id": s.lms_id, "notebook": c.notebook,
                             "cell": c.name, "kind": c.kind, "score": _number(c.score),
                             "max_score": _number(c.max_score), "outcome": c.outcome, "mistake": c.mistake,
                             "message": c.message})


CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


def render(students, summary, figs, names=False, stamp=""):
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True))
    env.filters["num"] = _number

    def who(code):
        if not names:
            return code
        s = next(s for s in students.values() if s.code == code)
        return f"{code} ({s.id}{', ' + s.name if s.name else ''})"

    return env.get_template("insight.html.j2").render(
        assignment=course.ASSIGNMENT, stamp=stamp, s=summary, figs=figs, who=who, csp=CSP, names=names,
        slowest=summary["timed"][:5], timed=len(summary["timed"]),
        median_time=statistics.median([t.seconds for t in summary["timed"]]) if summary["timed"] else None,
        timing_sources=sorted({t.timing for t in summary["timed"]}))


def build(root=course.ROOT, names=False, out=None):
    """Write the HTML report and the CSV; return ({kind: path}, summary)."""
    root = Path(root)
    students, cells, layout = collect(root)
    summary = summarize(students, cells, layout, root)
    figs = figures(students, summary, layout)
    now = datetime.now()
    folder = Path(out) if out else root / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    tag = f"{now:%Y%m%d-%H%M%S}"
    paths = {"html": folder / f"insight-{tag}.html", "csv": folder / f"insight-{tag}.csv"}
    paths["html"].write_text(render(students, summary, figs, names, f"{now:%Y-%m-%d %H:%M}"))
    write_csv(paths["csv"], students, cells)
    return paths, summary


def headline(summary, top=3):
    """What to re-teach (the misconceptions affecting the most students), then the class in one line."""
    lines = []
    if summary["misconceptions"]:
        lines.append("What to re-teach:")
        for m in summary["misconceptions"][:top]:
            where = ", ".join(fn for _, fn, _ in m["functions"])
            revisit = f"; revisit {m['sections'][0]}" if m["sections"] else ""
            lines.append(f"  {m['students']} of {m['of']} students: {m['title']} (in {where}){revisit}")
    lines.append(f"{summary['students']} students, mean {summary['mean']:.1f} / median {summary['median']:.1f} "
                 f"of {summary['max_score']:g}, {summary['full_marks']} with full marks; "
                 f"{summary['blank_students']} left work blank or not implemented; "
                 f"{summary['unclean']} did not grade cleanly; "
                 f"{sum(w['waiting'] for w in summary['waiting'])} written answers wait for a TA.")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m coursetools insight", description=__doc__.split("\n\n")[0])
    parser.add_argument("--names", action="store_true", help="show student ids and names in the HTML")
    parser.add_argument("--root", default=str(course.ROOT), help="the course root (default: this checkout)")
    parser.add_argument("--out", help="folder of the files (default: reports/ in the course root)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    paths, summary = build(args.root, args.names, args.out)
    print(headline(summary))
    for kind, path in paths.items():
        print(f"{kind}: {path}")
    print(f"built in {time.perf_counter() - started:.1f} s")
    return 0


def after_batch(root=course.ROOT):
    """Build the report at the end of a batch; a failure here is printed, never the batch's."""
    try:
        paths, summary = build(root)
    except Exception as exc:  # a report never stops the batch
        print(f"insight report not built: {type(exc).__name__}: {exc}")
        return None
    print(headline(summary))
    print(f"What the class got wrong: {paths['html']} (CSV: {paths['csv']})")
    return paths
