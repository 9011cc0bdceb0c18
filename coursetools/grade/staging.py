"""Stage a student's submission: the assignment's notebooks only, rebuilt on the release.

A renamed notebook is recognised; a missing or unreadable one is left out (and
nbgrader scores it 0); each is rebuilt on the released structure
(``coursetools.grade.normalize``); extra files are left out (a submitted ``numpy.py``
would otherwise shadow numpy); the submission timestamp is kept. Staging is done
in memory, so that a grading task can carry the result to any machine. What staging
found is a list of ``Outcome`` records.
"""

import dataclasses
import re
import shutil
from pathlib import Path

import nbformat

from ..course import WORK, Course
from ..outcomes import Kind, Outcome
from . import normalize

STAGED = Path(WORK) / "staged"


def _match(name, expected):
    """The expected notebook a submitted file name stands for, or None."""
    if name in expected:
        return name
    stem = re.sub(r"[\s_-]*(\(\d+\)|copy\d*|-?Copy\d*)$", "", Path(name).stem, flags=re.I)
    for candidate in expected:
        if stem.lower() == Path(candidate).stem.lower() or stem[:3].lower() == candidate[:3].lower():
            return candidate
    return None


def _choose(src, expected, found):
    """{expected notebook: submitted path} and the timestamp file; what is left out or renamed goes to ``found``."""
    chosen, timestamp = {}, None
    files = sorted(src.rglob("*")) if src.exists() else []
    # exact names first, so that a scratch "01_notes.ipynb" never displaces the real notebook
    files.sort(key=lambda p: p.name not in expected)
    for path in files:
        rel = path.relative_to(src)
        if path.is_dir() or rel.parts[0] in (".ipynb_checkpoints", "__pycache__"):
            continue
        if str(rel) == "timestamp.txt":
            timestamp = path
            continue
        target = _match(path.name, expected) if path.suffix == ".ipynb" and len(rel.parts) == 1 else None
        if target is None:
            found.append(Outcome(Kind.EXTRA_FILE, file=str(rel)))
        elif target in chosen:
            found.append(Outcome(Kind.DUPLICATE, notebook=target, file=str(rel), detail=chosen[target].name))
        else:
            if path.name != target:
                found.append(Outcome(Kind.RENAMED, notebook=target, file=str(rel)))
            chosen[target] = path
    return chosen, timestamp


def staged_files(root, student, releases=None):
    """({file name: bytes}, [Outcome]): the staged submission of ``student``, in memory, and what staging found.

    ``releases`` caches the parsed released notebooks ({name: notebook}) across students.
    """
    course = Course(root)
    src = course.submission(student)
    found = []
    expected = course.notebooks()
    chosen, timestamp = _choose(src, expected, found)
    files = {"timestamp.txt": timestamp.read_bytes()} if timestamp else {}
    if not src.exists():
        found.append(Outcome(Kind.NO_FOLDER, file=str(src.relative_to(course.root))))
    releases = {} if releases is None else releases
    for name in expected:
        if name not in chosen:
            found.append(Outcome(Kind.MISSING_NOTEBOOK, notebook=name))
            continue
        if name not in releases:
            releases[name] = nbformat.read(str(course.release / name), as_version=4)
        try:
            submitted = nbformat.read(str(chosen[name]), as_version=4)
            nb, repairs = normalize.normalize(submitted, releases[name])
        except Exception as exc:  # any unreadable file is graded as unanswered
            found.append(Outcome(Kind.UNREADABLE_NOTEBOOK, notebook=name, detail=f"{type(exc).__name__}: {exc}"))
            continue
        found += [dataclasses.replace(repair, notebook=name) for repair in repairs]
        files[name] = nbformat.writes(nb).encode()
    return files, found


def write(folder, files):
    """Replace ``folder`` by one holding ``files`` ({name: bytes})."""
    folder = Path(folder)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)


def stage(root, student):
    """Write the staged submission of ``student`` to .grading/staged/; return what staging found ([Outcome])."""
    files, found = staged_files(root, student)
    write(Course(root).root / STAGED / student / Course.assignment, files)
    return found
