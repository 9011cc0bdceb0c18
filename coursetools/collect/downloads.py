"""What an LMS download held, after ``nbgrader zip_collect``: which upload of each notebook was graded, and which
files were not collected, and why (``Outcome`` records for the batch report)."""

import os
from pathlib import Path

from ..course import Course
from ..outcomes import Kind, Outcome
from .collector import CanvasCollector


def _collector(course, config):
    return CanvasCollector(config=course.config() if config is None else config)


def left_out(root, config=None):
    """Files of ``downloaded/<assignment>/extracted/`` that are not in ``submitted/``, with why.

    Returns ({student: [Outcome]}, [Outcome] for files that name no student).
    """
    course = Course(root)
    if not course.downloads.is_dir():
        return {}, []
    collector = _collector(course, config)
    paths = sorted(str(p) for p in course.downloads.rglob("*") if p.is_file())
    latest = collector.latest(paths)
    students = course.students()
    by_student, unknown = {}, []
    for path in paths:
        rel = os.path.relpath(path, course.root)
        parsed = collector.parse(path) if Path(path).suffix in collector.valid_ext else None
        if parsed is None:
            reason = ("its name does not match c.FileNameCollectorPlugin.named_regexp in nbgrader_config.py"
                      if Path(path).suffix in collector.valid_ext else "not a notebook")
            owner = next((s for s in students if Path(path).name.lower().startswith(s.lower() + "_")), None)
            outcome = Outcome(Kind.NOT_COLLECTED, file=rel, detail=reason)
            (by_student.setdefault(owner, []) if owner else unknown).append(outcome)
            continue
        student, name = parsed[:2]
        if latest[(student, name)] != path:
            outcome = Outcome(Kind.NOT_COLLECTED, file=rel,
                              detail=f"a later upload is ({os.path.basename(latest[(student, name)])})")
        elif not (course.submission(student) / name).exists():
            outcome = Outcome(Kind.NOT_IN_SUBMITTED, notebook=name, file=rel, detail=student)
        else:
            continue
        by_student.setdefault(student, []).append(outcome)
    return by_student, unknown


def uploads(root, config=None):
    """{student: [Outcome]}: which download of each notebook was collected, and the earlier uploads it replaced
    (empty without downloaded/)."""
    course = Course(root)
    if not course.downloads.is_dir():
        return {}
    collector = _collector(course, config)
    by_key = {}
    for path in sorted(str(p) for p in course.downloads.rglob("*") if p.is_file() and p.suffix in collector.valid_ext):
        parsed = collector.parse(path)
        if parsed is not None:
            by_key.setdefault(parsed[:2], []).append((parsed[2], path))
    found = {}
    for (student, name), versions in sorted(by_key.items()):
        (upload, graded), *older = sorted(versions, reverse=True)
        found.setdefault(student, []).append(Outcome(
            Kind.UPLOAD_GRADED, notebook=name, file=os.path.relpath(graded, course.root), count=upload,
            files=tuple(os.path.basename(p) for _, p in sorted(older))))
    return found
