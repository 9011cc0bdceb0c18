"""Stage a student's submission: the assignment's notebooks only, rebuilt on the release.

A renamed notebook is recognised; a missing or unreadable one is left out (and
nbgrader scores it 0); each is rebuilt on the released structure
(``coursetools.normalize``); extra files are left out (a submitted ``numpy.py``
would otherwise shadow numpy); the submission timestamp is kept. Staging is done
in memory, so that a grading task can carry the result to any machine.
"""

import re
import shutil
from pathlib import Path

import nbformat

from . import course, normalize

STAGED = Path(".grading") / "staged"


def release_dir(root):
    return Path(root) / "release" / course.ASSIGNMENT


def expected_notebooks(root):
    return sorted(p.name for p in release_dir(root).glob("*.ipynb"))


def _match(name, expected):
    """The expected notebook a submitted file name stands for, or None."""
    if name in expected:
        return name
    stem = re.sub(r"[\s_-]*(\(\d+\)|copy\d*|-?Copy\d*)$", "", Path(name).stem, flags=re.I)
    for candidate in expected:
        if stem.lower() == Path(candidate).stem.lower() or stem[:3].lower() == candidate[:3].lower():
            return candidate
    return None


def _choose(src, expected, notes):
    """{expected notebook: submitted path} and the timestamp file, noting what is ignored or renamed."""
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
            notes.append(f"extra file ignored: {rel}")
        elif target in chosen:
            notes.append(f"{rel} ignored: {chosen[target].name} already stands for {target}")
        else:
            if path.name != target:
                notes.append(f"{rel} graded as {target} (renamed)")
            chosen[target] = path
    return chosen, timestamp


def staged_files(root, student, releases=None):
    """({file name: bytes}, notes): the staged submission of ``student``, in memory.

    ``releases`` caches the parsed released notebooks ({name: notebook}) across students.
    """
    root = Path(root)
    src = root / "submitted" / student / course.ASSIGNMENT
    notes = []
    expected = expected_notebooks(root)
    chosen, timestamp = _choose(src, expected, notes)
    files = {"timestamp.txt": timestamp.read_bytes()} if timestamp else {}
    if not src.exists():
        notes.append(f"no folder submitted/{student}/{course.ASSIGNMENT}")
    releases = {} if releases is None else releases
    for name in expected:
        if name not in chosen:
            notes.append(f"{name} missing: graded as unanswered")
            continue
        if name not in releases:
            releases[name] = nbformat.read(str(release_dir(root) / name), as_version=4)
        try:
            submitted = nbformat.read(str(chosen[name]), as_version=4)
            nb, repairs = normalize.normalize(submitted, releases[name])
        except Exception as exc:  # any unreadable file is graded as unanswered
            notes.append(f"{name} could not be read ({type(exc).__name__}: {exc}); graded as unanswered")
            continue
        notes += [f"{name}: {r}" for r in repairs]
        files[name] = nbformat.writes(nb).encode()
    return files, notes


def write(folder, files):
    """Replace ``folder`` by one holding ``files`` ({name: bytes})."""
    folder = Path(folder)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)


def stage(root, student):
    """Write the staged submission of ``student`` to .grading/staged/; return the notes about it."""
    files, notes = staged_files(root, student)
    write(Path(root) / STAGED / student / course.ASSIGNMENT, files)
    return notes
