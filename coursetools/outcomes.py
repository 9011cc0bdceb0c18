"""What can happen to a submission, as data: one record per event, each of a known kind.

Staging (a renamed, missing, unreadable notebook, an extra file, a repaired cell), grading (graded in so many
seconds, a fault or a time-out in a cell, a time budget spent, nbgrader failing, a task stopped), the gradebook
check (a cell without a score) and collection (the upload graded, a file not collected) each give ``Outcome``
records. The batch writes them as JSON beside its Markdown report (``write_batch``); the Markdown report, the
progress line and the insight page are rendered from them, and the insight page reads them back
(``read_batches``). Code reads a record's ``kind`` and fields, never its sentence: ``sentence`` is for people.

The cells in which ``SafeExecute`` stopped a kernel are recorded in the autograded notebook itself
(``record``/``recorded``: its metadata ``coursetools``, which ``InertContent`` keeps), so that the batch and
the insight page of a class graded by plain ``nbgrader autograde`` read the same records.
"""

import dataclasses
import html
import json
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from .course import ASSIGNMENT


class Kind(StrEnum):
    """What happened. Each kind has a category (the insight page groups by it) and a sentence (``sentence``)."""

    GRADED = "graded"  # autograded in so many seconds
    UPLOAD_GRADED = "upload graded"  # which upload of a notebook zip_collect collected, and what it superseded
    EXTRA_FILE = "extra file"  # a file that is not one of the assignment's notebooks: left out
    DUPLICATE = "duplicate"  # a second file standing for a notebook already chosen: left out
    RENAMED = "renamed"  # a notebook under another name, graded as the notebook it stands for
    NO_FOLDER = "no folder"  # no submitted/<student>/<assignment>
    MISSING_NOTEBOOK = "missing notebook"  # graded as unanswered
    UNREADABLE_NOTEBOOK = "unreadable notebook"  # graded as unanswered
    UNREADABLE_SUBMISSION = "unreadable submission"  # the submission could not be staged at all (insight)
    ANSWER_DUPLICATED = "answer duplicated"  # an answer cell several times: the last one is graded
    ANSWER_RESCUED = "answer rescued"  # an answer that lost its metadata, found by what it defines
    ANSWER_MISSING = "answer missing"  # graded as unanswered
    LOCKED_DUPLICATED = "locked duplicated"
    LOCKED_DELETED = "locked deleted"  # restored from the release
    UNKNOWN_CELL = "unknown cell"  # a grade id the release does not have: ignored
    CELLS_MOVED = "cells moved"  # the released order is restored
    FLAGGED_CODE = "flagged code"  # a review flag (coursetools.report.review)
    FAULT = "fault"  # the kernel (or the test kernel) died in a cell
    CELL_TIMEOUT = "cell timeout"  # a cell ran past its time limit and was stopped
    ABANDONED = "abandoned"  # too many faults: the rest of the notebook did not run
    BUDGET_SPENT = "budget spent"  # a time budget ran out: the rest of the notebook did not run
    TASK_TIMEOUT = "task timeout"  # the whole task ran past the student's budget and was stopped
    AUTOGRADE_FAILED = "autograde failed"  # nbgrader reported a failure
    NO_GRADES = "no grades"  # a notebook has no entry in the gradebook
    NO_SCORE = "no score"  # test cells without a score in the gradebook
    NOT_PLAIN_ID = "not plain id"  # a student id the formgrader would print unescaped: not graded
    STAGING_CRASHED = "staging crashed"
    GRADING_CRASHED = "grading crashed"
    NOT_GRADED = "not graded"  # the batch ended before this student was graded
    BATCH_FAILED = "batch failed"  # the batch reported this student FAILED (insight)
    NOT_COLLECTED = "not collected"  # a file of downloaded/ that zip_collect left out, and why
    NOT_IN_SUBMITTED = "not in submitted"  # a file zip_collect matched that is not in submitted/


# The insight page's categories, in the order it lists them; "information" is never a problem.
CATEGORY = {
    Kind.GRADED: "information", Kind.UPLOAD_GRADED: "information",
    Kind.CELL_TIMEOUT: "time-out", Kind.TASK_TIMEOUT: "time-out",
    Kind.FAULT: "fault", Kind.ABANDONED: "fault", Kind.BUDGET_SPENT: "fault",
    Kind.AUTOGRADE_FAILED: "failed", Kind.STAGING_CRASHED: "failed", Kind.GRADING_CRASHED: "failed",
    Kind.NOT_GRADED: "failed", Kind.BATCH_FAILED: "failed", Kind.NO_SCORE: "failed", Kind.NO_GRADES: "failed",
    Kind.NOT_PLAIN_ID: "failed",
    Kind.LOCKED_DUPLICATED: "tampering", Kind.LOCKED_DELETED: "tampering", Kind.UNKNOWN_CELL: "tampering",
    Kind.CELLS_MOVED: "tampering", Kind.FLAGGED_CODE: "tampering",
    Kind.ANSWER_DUPLICATED: "repaired", Kind.ANSWER_RESCUED: "repaired", Kind.RENAMED: "repaired",
    Kind.DUPLICATE: "repaired",
    Kind.MISSING_NOTEBOOK: "missing", Kind.UNREADABLE_NOTEBOOK: "missing", Kind.UNREADABLE_SUBMISSION: "missing",
    Kind.ANSWER_MISSING: "missing", Kind.NO_FOLDER: "missing",
    Kind.EXTRA_FILE: "extra file",
    Kind.NOT_COLLECTED: "other", Kind.NOT_IN_SUBMITTED: "other",
}
REPAIRS = {Kind.ANSWER_DUPLICATED, Kind.ANSWER_RESCUED, Kind.ANSWER_MISSING, Kind.LOCKED_DUPLICATED,
           Kind.LOCKED_DELETED, Kind.UNKNOWN_CELL, Kind.CELLS_MOVED}  # what rebuilding a notebook repairs
NOT_RUN = {Kind.ABANDONED, Kind.BUDGET_SPENT}  # one record per notebook, for the cells from where it stopped


@dataclass(frozen=True)
class Outcome:
    """One thing that happened to a submission. Only the fields its kind uses are set."""

    kind: Kind
    notebook: str = ""  # the notebook's file name, e.g. 01_symmetry_breaking.ipynb
    cell: str = ""  # a grade id (or the label of a cell a student added)
    file: str = ""  # a file of the submission or of downloaded/, relative
    detail: str = ""  # for people: an error, a reason, a log tail, a review flag; never read by code
    seconds: float | None = None
    count: int | None = None  # how many times an answer cell appears; which upload was graded
    cells: tuple = ()  # grade ids without a score
    files: tuple = ()  # uploads a graded one superseded

    @property
    def category(self):
        return CATEGORY[self.kind]

    @property
    def problem(self):
        """Whether a TA should read it (everything but information)."""
        return self.category != "information"

    @property
    def sentence(self):
        """The outcome in words, as the batch report prints it."""
        return _SENTENCES[self.kind](self)

    def to_json(self):
        data = {"kind": self.kind.value}
        for field in dataclasses.fields(self)[1:]:
            value = getattr(self, field.name)
            if value not in ("", None, ()):
                data[field.name] = list(value) if isinstance(value, tuple) else value
        return data

    @classmethod
    def from_json(cls, data):
        """The record ``data`` stands for (``ValueError`` naming it when it is not one)."""
        try:
            fields = {f.name: f for f in dataclasses.fields(cls)}
            values = {k: tuple(map(str, v)) if k in ("cells", "files") else v for k, v in data.items() if k != "kind"}
            if set(values) - set(fields):
                raise ValueError(f"unknown fields {sorted(set(values) - set(fields))}")
            return cls(Kind(data["kind"]), **values)
        except (AttributeError, KeyError, TypeError, ValueError) as error:
            raise ValueError(f"not an outcome record: {data!r} ({error})") from None


def _repair(text):
    return lambda o: f"{o.notebook}: {text(o)}" if o.notebook else text(o)


def _stopped(o):
    return f"{o.notebook} {o.cell or 'a cell'}: KernelFault: {o.detail}"


def _upload(o):
    line = f"upload graded: {o.notebook} from {o.file} (upload {o.count})"
    return line + ("; superseded: " + ", ".join(o.files) if o.files else "")


_SENTENCES = {
    Kind.GRADED: lambda o: f"autograded in {o.seconds:.0f} s",
    Kind.UPLOAD_GRADED: _upload,
    Kind.EXTRA_FILE: lambda o: f"extra file ignored: {o.file}",
    Kind.DUPLICATE: lambda o: f"{o.file} ignored: {o.detail} already stands for {o.notebook}",
    Kind.RENAMED: lambda o: f"{o.file} graded as {o.notebook} (renamed)",
    Kind.NO_FOLDER: lambda o: f"no folder {o.file}",
    Kind.MISSING_NOTEBOOK: lambda o: f"{o.notebook} missing: graded as unanswered",
    Kind.UNREADABLE_NOTEBOOK: lambda o: f"{o.notebook} could not be read ({o.detail}); graded as unanswered",
    Kind.UNREADABLE_SUBMISSION: lambda o: f"submission could not be read: {o.detail}",
    Kind.ANSWER_DUPLICATED: _repair(lambda o: f"answer cell '{o.cell}' appears {o.count} times; the last one is "
                                              "graded"),
    Kind.ANSWER_RESCUED: _repair(lambda o: f"answer cell '{o.cell}' had lost its nbgrader metadata; the cell that "
                                           "defines it is graded instead"),
    Kind.ANSWER_MISSING: _repair(lambda o: f"answer cell '{o.cell}' is missing: graded as unanswered"),
    Kind.LOCKED_DUPLICATED: _repair(lambda o: f"locked cell '{o.cell}' was duplicated; the copy is ignored"),
    Kind.LOCKED_DELETED: _repair(lambda o: f"locked cell '{o.cell}' was deleted; restored from the release"),
    Kind.UNKNOWN_CELL: _repair(lambda o: f"cell with unknown grade_id '{o.cell}' ignored (edited nbgrader "
                                         "metadata?)"),
    Kind.CELLS_MOVED: _repair(lambda o: "cells were moved; the released order is restored"),
    Kind.FLAGGED_CODE: lambda o: f"{o.notebook} {o.cell}: {o.detail}",
    Kind.FAULT: _stopped,
    Kind.CELL_TIMEOUT: _stopped,
    Kind.ABANDONED: lambda o: f"{o.notebook}: KernelFault: {o.detail}",
    Kind.BUDGET_SPENT: lambda o: f"{o.notebook}: KernelFault: {o.detail}",
    Kind.TASK_TIMEOUT: lambda o: f"autograde took more than {o.seconds:.0f} s and was stopped",
    Kind.AUTOGRADE_FAILED: lambda o: f"nbgrader autograde failed on {o.file}:\n{o.detail}",
    Kind.NO_GRADES: lambda o: f"{o.notebook}: no grades in the gradebook",
    Kind.NO_SCORE: lambda o: f"{o.notebook}: no score for {', '.join(o.cells)}",
    Kind.NOT_PLAIN_ID: lambda o: "not a plain student id (letters, digits, _.@+-); not graded",
    Kind.STAGING_CRASHED: lambda o: f"staging crashed: {o.detail}",
    Kind.GRADING_CRASHED: lambda o: f"grading crashed: {o.detail}",
    Kind.NOT_GRADED: lambda o: "not graded",
    Kind.BATCH_FAILED: lambda o: "not graded cleanly: the batch reported FAILED",
    Kind.NOT_COLLECTED: lambda o: f"{o.file}: not collected, {o.detail}",
    Kind.NOT_IN_SUBMITTED: lambda o: f"{o.file}: matched as {o.notebook} of {o.detail} but not in submitted/: "
                                     f"run `nbgrader zip_collect {ASSIGNMENT} --force` again",
}


# ------------------------------------------------------------------ a student's result in a batch
@dataclass(frozen=True)
class Score:
    """A student's points in the gradebook after grading: the total, each notebook's, the written answers left."""

    score: float | None
    max_score: float | None
    notebooks: tuple = ()  # (notebook name, score, max score)
    waiting: int = 0  # cells to grade by hand

    @property
    def line(self):
        """"27 / 31 points (01 5/5, 02 8/8, 03 6/9, ...)", with the written answers left to grade."""
        parts = ", ".join(f"{name[:2]} {_points(score)}/{_points(top)}" for name, score, top in self.notebooks)
        line = f"{_points(self.score)} / {_points(self.max_score)} points ({parts})"
        if self.waiting:
            line += f", {self.waiting} cell{'s' if self.waiting > 1 else ''} to grade by hand"
        return line


def _points(x):
    return f"{x:g}" if x is not None else "?"


NO_GRADES_LINE = "no grades in the gradebook"


@dataclass(frozen=True)
class Result:
    """What the batch says of one student: graded (``ok``) or not, their outcomes, their score (None: no grades)."""

    student: str
    ok: bool
    outcomes: tuple = ()
    score: Score | None = None
    scored: bool = False  # whether the gradebook was read (``score`` None then means no grades there)

    @property
    def problems(self):
        return [o for o in self.outcomes if o.problem]

    @property
    def seconds(self):
        """The grading time, if the student was graded."""
        return next((o.seconds for o in self.outcomes if o.kind is Kind.GRADED), None)

    @property
    def status(self):
        """"FAILED", "graded, see notes" or "ok", with the score."""
        status = "FAILED" if not self.ok else ("graded, see notes" if self.problems else "ok")
        if self.score is not None:
            return f"{status} — {self.score.line}"
        return f"{status} — {NO_GRADES_LINE}" if self.scored else status

    def markdown(self):
        """The student's entry of the batch report (ids and file names may hold markup: shown as text)."""
        return "\n".join([f"- **{html.escape(self.student)}**: {self.status}"]
                         + [f"    - {html.escape(o.sentence, quote=False)}" for o in self.outcomes])

    def to_json(self):
        score = None if self.score is None else {**dataclasses.asdict(self.score),
                                                  "notebooks": [list(n) for n in self.score.notebooks]}
        return {"student": self.student, "ok": self.ok, "scored": self.scored, "score": score,
                "outcomes": [o.to_json() for o in self.outcomes]}

    @classmethod
    def from_json(cls, data):
        score = data.get("score")
        if score is not None:
            score = Score(score["score"], score["max_score"], tuple(tuple(n) for n in score["notebooks"]),
                          int(score["waiting"]))
        return cls(str(data["student"]), bool(data["ok"]), tuple(Outcome.from_json(o) for o in data["outcomes"]),
                   score, bool(data.get("scored")))


# ------------------------------------------------------------------ a batch: Markdown and JSON
def sandbox_line(reason):
    return "Sandbox: " + ("on (bubblewrap)" if reason is None else f"OFF ({reason})")


def markdown(date, sandbox, results, unclaimed=()):
    """The batch report: the sandbox, the files of downloaded/ that name no student, then every student."""
    lines = [f"# Autograde report, {date:%Y-%m-%d %H:%M}", "", sandbox_line(sandbox), ""]
    if unclaimed:
        lines += ["Files in downloaded/ that `nbgrader zip_collect` did not collect for any student:", ""]
        lines += [f"- {html.escape(o.sentence, quote=False)}" for o in unclaimed] + [""]
    lines += [result.markdown() for result in results]
    return "\n".join(lines) + "\n"


def write_batch(folder, date, sandbox, results, unclaimed=()):
    """Write the batch report (``autograde-<date>.md``) and its data (``autograde-<date>.json``) in ``folder``;
    return (the Markdown text, its path)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    base = folder / f"autograde-{date:%Y%m%d-%H%M%S}"
    text = markdown(date, sandbox, results, unclaimed)
    base.with_suffix(".md").write_text(text)
    data = {"date": date.isoformat(timespec="seconds"), "sandbox": sandbox,
            "unclaimed": [o.to_json() for o in unclaimed], "students": [r.to_json() for r in results]}
    base.with_suffix(".json").write_text(json.dumps(data, indent=1) + "\n")
    return text, base.with_suffix(".md")


def read_batches(folder):
    """{student: Result} from the batches' JSON in ``folder``, the latest batch of each student winning (a file
    that is not a batch's data is skipped)."""
    results = {}
    for path in sorted(Path(folder).glob("autograde-*.json")):
        try:
            for entry in json.loads(path.read_text())["students"]:
                result = Result.from_json(entry)
                results[result.student] = result
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return results


# ------------------------------------------------------------------ records kept in an autograded notebook
RECORDED = "coursetools"  # the notebook metadata key of the records


def record(nb, found):
    """Keep ``found`` (outcomes of grading this notebook) in the notebook's metadata; none: no key."""
    nb.metadata.pop(RECORDED, None)
    if found:
        nb.metadata[RECORDED] = {"outcomes": [o.to_json() for o in found]}


def recorded(nb):
    """The outcomes kept in a notebook (a dict read from JSON, or a NotebookNode); malformed records are skipped."""
    entries = (nb.get("metadata") or {}).get(RECORDED, {})
    entries = entries.get("outcomes", []) if isinstance(entries, dict) else []
    out = []
    for entry in entries if isinstance(entries, list) else []:
        try:
            out.append(Outcome.from_json(dict(entry)))
        except (TypeError, ValueError):
            continue
    return out


def recorded_in(folder):
    """The outcomes kept in the autograded notebooks of ``folder``, in notebook order."""
    found = []
    for path in sorted(Path(folder).glob("*.ipynb")):
        try:
            found += recorded(json.loads(path.read_text()))
        except (OSError, ValueError, RecursionError, AttributeError):
            continue
    return found
