"""Grade every submission safely: ``python -m coursetools autograde``.

For each student folder in submitted/:

1. stage a clean copy in .grading/staged/: only the assignment's notebooks
   (a renamed one is recognised; a missing or unreadable one is left out, and
   nbgrader scores it 0), each rebuilt on the released structure
   (coursetools.normalize), extra files left out (a submitted ``numpy.py``
   would otherwise shadow numpy), the submission timestamp kept;
2. run ``nbgrader autograde`` on that student alone, with a time limit;
3. check in the gradebook that every test cell got a score.

Only one batch runs at a time (a lock file; a second one waits), so two
autogrades of the same student cannot collide. One student's failure never
stops the batch. A report of every submission that did not grade cleanly, and
why, is printed and written to reports/.
"""

import fcntl
import html
import json
import re
import shutil
import subprocess
import time
from datetime import datetime
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry

from . import course, normalize
from .inert import SAFE_ID

STAGED = Path(".grading") / "staged"
STUDENT_TIME_LIMIT = 30 * 60  # seconds for one student's whole autograde (see README)


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


def stage(root, student):
    """Build the staged submission of ``student``; return the notes about it."""
    root = Path(root)
    src = root / "submitted" / student / course.ASSIGNMENT
    dst = root / STAGED / student / course.ASSIGNMENT
    if dst.exists():
        shutil.rmtree(dst)
    dst.mkdir(parents=True)
    notes = []
    expected = expected_notebooks(root)
    chosen = {}
    files = sorted(src.rglob("*")) if src.exists() else []
    # exact names first, so that a scratch "01_notes.ipynb" never displaces the real notebook
    files.sort(key=lambda p: p.name not in expected)
    for path in files:
        rel = path.relative_to(src)
        if path.is_dir() or rel.parts[0] in (".ipynb_checkpoints", "__pycache__"):
            continue
        if str(rel) == "timestamp.txt":
            shutil.copy(path, dst / "timestamp.txt")
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
    if not src.exists():
        notes.append(f"no folder submitted/{student}/{course.ASSIGNMENT}")
    for name in expected:
        if name not in chosen:
            notes.append(f"{name} missing: graded as unanswered")
            continue
        release = nbformat.read(str(release_dir(root) / name), as_version=4)
        try:
            submitted = nbformat.read(str(chosen[name]), as_version=4)
            nb, repairs = normalize.normalize(submitted, release)
        except Exception as exc:  # any unreadable file is graded as unanswered
            notes.append(f"{name} could not be read ({type(exc).__name__}: {exc}); graded as unanswered")
            continue
        notes += [f"{name}: {r}" for r in repairs]
        nbformat.write(nb, str(dst / name))
    return notes


def check_scores(root, student):
    """Problems with the gradebook entries of ``student`` (empty when every test cell has a score)."""
    problems = []
    with Gradebook(f"sqlite:///{Path(root) / 'gradebook.db'}") as gb:
        for name in expected_notebooks(root):
            try:
                sub = gb.find_submission_notebook(name[:-6], course.ASSIGNMENT, student)
            except MissingEntry:
                problems.append(f"{name}: no grades in the gradebook")
                continue
            missing = [g.name for g in sub.grades if g.name.startswith("test_") and g.auto_score is None]
            if missing:
                problems.append(f"{name}: no score for {', '.join(missing)}")
    return problems


def faults(root, student):
    """Cells of the autograded notebooks in which the kernel died or hung."""
    found = []
    seen = set()
    folder = Path(root) / "autograded" / student / course.ASSIGNMENT
    for path in sorted(folder.glob("*.ipynb")):
        for cell in json.loads(path.read_text()).get("cells", []):
            gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "a cell")
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error" and out.get("ename") == "KernelFault":
                    line = f"{path.name}: {out['ename']}: {out.get('evalue', '')}"
                    if out.get("evalue", "").startswith("not run:"):
                        if line not in seen:  # one line for all the abandoned cells
                            seen.add(line)
                            found.append(line)
                    else:
                        found.append(f"{path.name} {gid}: {out['ename']}: {out.get('evalue', '')}")
    return found


def grade_student(root, student):
    """Stage, autograde and check one student; return (ok, notes)."""
    notes = stage(root, student)
    started = time.monotonic()
    try:
        result = course.nbgrader("autograde", course.ASSIGNMENT, "--student", student, "--force",
                                 f"--CourseDirectory.submitted_directory={STAGED}",
                                 root=root, check=False, capture_output=True, text=True,
                                 timeout=STUDENT_TIME_LIMIT)
    except subprocess.TimeoutExpired:
        return False, notes + [f"autograde took more than {STUDENT_TIME_LIMIT} s and was stopped"]
    if "Exception while loading config file" in result.stderr:
        raise SystemExit("nbgrader_config.py failed to load; nothing was graded:\n" + result.stderr)
    notes.append(f"autograded in {time.monotonic() - started:.0f} s")
    ok = result.returncode == 0
    if not ok:
        tail = "\n".join(result.stderr.strip().splitlines()[-8:])
        notes.append(f"nbgrader autograde failed (exit {result.returncode}):\n{tail}")
    problems = check_scores(root, student)
    notes += problems + faults(root, student)
    return ok and not problems, notes


def students(root):
    folder = Path(root) / "submitted"
    return sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.exists() else []


def run(root=course.ROOT, only=None):
    """Grade every (or each ``only``) student; return the report text and whether all went cleanly."""
    root = Path(root)
    lock_path = root / ".grading" / "autograde.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print("Another autograde of this course is running; waiting for it to finish...", flush=True)
            fcntl.flock(lock, fcntl.LOCK_EX)
        from .sandbox import unavailable_reason
        reason = unavailable_reason()
        lines = [f"# Autograde report, {datetime.now():%Y-%m-%d %H:%M}", "",
                 "Sandbox: " + ("on (bubblewrap)" if reason is None else f"OFF ({reason})"), ""]
        clean = True
        for student in only or students(root):
            try:
                if not SAFE_ID.fullmatch(student):  # printed unescaped by the formgrader (README, "In the browser")
                    raise ValueError("not a plain student id (letters, digits, _.@+-); not graded")
                ok, notes = grade_student(root, student)
            except SystemExit:
                raise
            except Exception as exc:  # one student never stops the batch
                ok, notes = False, [f"grading crashed: {type(exc).__name__}: {exc}"]
            clean &= ok and not [n for n in notes if not n.startswith("autograded in")]
            status = "FAILED" if not ok else ("ok" if len(notes) == 1 else "graded, see notes")
            # student ids and file names may hold markup: the report shows it as text
            lines.append(f"- **{html.escape(student)}**: {status}")
            lines += [f"    - {html.escape(n, quote=False)}" for n in notes]
            print(lines[-len(notes) - 1], *lines[-len(notes):], sep="\n", flush=True)
    report = "\n".join(lines) + "\n"
    out = root / "reports" / f"autograde-{datetime.now():%Y%m%d-%H%M%S}.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(report)
    print(f"\nReport written to {out}")
    return report, clean


def main(only=None):
    _, clean = run(only=only)
    return 0 if clean else 1
