"""The parallel batch on a real Dask LocalCluster, with real nbgrader and sandboxed kernels.

Grades merged from the batch equal sequential plain ``nbgrader autograde`` cell
by cell, also on a re-run after a TA's manual grades (except that cells the TA
graded keep their graded state while their answer is unchanged, where plain
nbgrader flags them again); a worker killed mid-batch
loses no student; a batch interrupted with Ctrl-C is completed by the next run.
"""

import os
import re
import signal
import subprocess
import sys
import threading
import time

import nbformat
import pytest
from nbgrader.api import Gradebook
from notebooks import ASSIGNMENT, NOTEBOOKS, SOURCE, read
from submissions import Course, full

from coursetools.dev.bench_grading import answers, synthetic_class
from coursetools.grade import batch, cluster
from coursetools.grade.merge import snapshot


@pytest.fixture(autouse=True)
def short_cells(monkeypatch):
    monkeypatch.setenv("COURSE_CELL_TIMEOUT", "8")


def graded_cleanly(course, students):
    for student in students:
        for nb, scores in course.scores(student).items():
            assert {g: s for g, (s, _) in scores.items()} == full(scores), (student, nb)


def grade_by_hand(root, student):
    """What a TA does in the formgrader: a manual score with extra credit, and a comment."""
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        nb = gb.find_submission_notebook(NOTEBOOKS[0][:-6], ASSIGNMENT, student)
        grade = next(g for g in nb.grades if g.name.startswith("test_"))
        grade.manual_score, grade.extra_credit = 0.5, 1
        comment = nb.comments[0]
        comment.manual_comment = "see me"
        gb.db.commit()
        return grade.name


WRITTEN = {nb[:-6]: gid for nb in NOTEBOOKS for gid in
           [c.metadata.nbgrader.grade_id for c in read(SOURCE / nb).cells
            if c.cell_type == "markdown" and c.metadata.get("nbgrader", {}).get("grade")]}


def write_answer(course, student, notebook, text):
    """The student's written answer (a markdown answer cell) in their submitted notebook."""
    path = course.root / "submitted" / student / ASSIGNMENT / f"{notebook}.ipynb"
    nb = nbformat.read(str(path), as_version=4)
    next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == WRITTEN[notebook]).source = text
    nbformat.write(nb, str(path))


def grade_written_by_hand(root, student, notebook):
    """A written answer graded in the formgrader: its API stores the score and clears "needs manual grade"."""
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        grade = gb.find_grade(WRITTEN[notebook], notebook, ASSIGNMENT, student)
        assert grade.needs_manual_grade and grade.auto_score is None  # waiting for the TA
        grade.manual_score, grade.needs_manual_grade = 2, False
        gb.find_comment(WRITTEN[notebook], notebook, ASSIGNMENT, student).manual_comment = "good, but say why"
        gb.db.commit()


@pytest.mark.slow
def test_batch_equals_sequential_nbgrader_and_keeps_manual_grades_and_their_graded_state(tmp_path):
    first, second = sorted(WRITTEN)[:2]  # two notebooks with a written answer
    plain = synthetic_class(tmp_path / "plain", 4, NOTEBOOKS)
    plain.submit_solutions("partial", answers("wrong", 1, NOTEBOOKS), only=NOTEBOOKS[:1])
    dask = synthetic_class(tmp_path / "dask", 4, NOTEBOOKS)
    dask.submit_solutions("partial", answers("wrong", 1, NOTEBOOKS), only=NOTEBOOKS[:1])
    student = "s002_wrong"
    for course in (plain, dask):
        for nb in (first, second):
            write_answer(course, student, nb, "Each entry sums $n_{out}$ terms, so $n_{out}\\,Var(W) = 1$.")
    result = plain.nbgrader("autograde", ASSIGNMENT, check=False)
    assert result.returncode == 0, result.stderr
    report, _ = batch.run(dask.root, workers=2)
    assert "Sandbox: on" in report or "Sandbox: OFF" in report
    expected = snapshot(plain.root)
    assert len(expected) > 50 and snapshot(dask.root) == expected
    graded_cleanly(dask, ["s000_correct", "s001_variant"])
    # the report gives each student's score, its maximum and the score of each notebook
    total = re.search(r"\*\*s000_correct\*\*: ok — (\d+) / (\d+) points \((.*)\), (\d+) cells to grade by hand",
                      report)
    by_hand = [c for nb in NOTEBOOKS for c in read(SOURCE / nb).cells
               if c.cell_type == "markdown" and c.metadata.get("nbgrader", {}).get("grade")]
    assert total and int(total[1]) == int(total[2]) - sum(c.metadata.nbgrader.points for c in by_hand), report
    assert int(total[4]) == len(by_hand), report
    assert [part.split()[0] for part in total[3].split(", ")] == [nb[:2] for nb in NOTEBOOKS]
    assert re.search(rf"\*\*{student}\*\*: .* points .*, 2 cells to grade by hand", report), report

    cell = grade_by_hand(plain.root, student)
    assert grade_by_hand(dask.root, student) == cell
    for course in (plain, dask):
        for nb in (first, second):
            grade_written_by_hand(course.root, student, nb)
        write_answer(course, student, second, "A new submission: a changed answer.")
    with Gradebook(f"sqlite:///{dask.root / 'gradebook.db'}") as gb:
        gb.update_or_create_student(student, lms_user_id="4242")  # as zip_collect stores it
    plain.nbgrader("autograde", ASSIGNMENT, "--student", student, "--force")
    report, _ = batch.run(dask.root, only=[student], workers=1)
    after, before = snapshot(dask.root), snapshot(plain.root)
    kept = after[(student, NOTEBOOKS[0][:-6], cell)]
    assert kept[1:3] == (0.5, 1) and kept[4] is False  # manual score, extra credit and graded state kept
    assert after[(student, first, WRITTEN[first])][1:] == (2, None, 3, False)  # the same answer: still graded
    assert after[(student, second, WRITTEN[second])][1:] == (2, None, 3, True)  # a changed answer: to review
    assert "see me" in [v[1] for k, v in after.items() if k[0] == student and k[2].startswith("comment ")]
    assert after[(student, first, "comment " + WRITTEN[first])][1] == "good, but say why"
    # plain nbgrader flags every cell with a manual score again; otherwise the two are equal
    for key in [(student, NOTEBOOKS[0][:-6], cell), (student, first, WRITTEN[first])]:
        assert before[key][4] is True
        before[key] = (*before[key][:4], False)
    assert after == before
    assert f"**{student}**: ok — " in report and "1 cell to grade by hand" in report, report
    with Gradebook(f"sqlite:///{dask.root / 'gradebook.db'}") as gb:
        assert gb.find_student(student).lms_user_id == "4242"  # the LMS id survives the merge


@pytest.mark.slow
def test_a_worker_killed_mid_batch_loses_no_student(tmp_path):
    from distributed import Client, LocalCluster
    from distributed.security import Security

    course = Course(tmp_path)
    students = [f"s{i}" for i in range(4)]
    for student in students:
        course.submit_solutions(student)
    killed = []
    credentials = Security.temporary()  # as `--scheduler tls://...` with certificates (README)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None,
                      security=credentials) as cluster, Client(cluster, security=credentials) as client:
        def kill_a_busy_worker():
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline and not killed:
                busy = [w for w, keys in client.processing().items() if keys]
                if busy:
                    time.sleep(3)  # its kernel is running a notebook now
                    pid = client.run(os.getpid, workers=busy[:1])[busy[0]]
                    os.kill(pid, signal.SIGKILL)
                    killed.append(busy[0])
                time.sleep(0.2)

        killer = threading.Thread(target=kill_a_busy_worker)
        killer.start()
        report, clean = batch.run(course.root, scheduler=cluster.scheduler_address, credentials=credentials)
        killer.join()
    assert killed, "no worker was killed"
    assert clean, report
    graded_cleanly(course, students)


@pytest.mark.slow
def test_an_interrupted_batch_is_completed_by_the_next_run(tmp_path):
    course = Course(tmp_path)
    students = [f"s{i}" for i in range(3)]
    for student in students:
        course.submit_solutions(student)
    env = dict(os.environ, PYTHONPATH=str(course.root))
    proc = subprocess.Popen([sys.executable, "-m", "coursetools", "autograde", "--workers", "1"], cwd=course.root,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    seen = []
    for line in proc.stdout:  # Ctrl-C once the first student is graded
        seen.append(line)
        if line.startswith("- **s"):
            os.killpg(proc.pid, signal.SIGINT)
            break
    out = "".join(seen) + proc.communicate(timeout=120)[0]
    assert proc.returncode != 0
    assert "Interrupted" in out and "autograde:" in out, out  # the message, and the progress bar
    report, clean = batch.run(course.root)
    assert clean, report
    graded_cleanly(course, students)


@pytest.mark.slow
def test_a_rerun_keeps_a_graded_written_answer_graded_and_flags_a_changed_one(tmp_path):
    """The same as above on one student and the notebooks with a written answer, without the comparison with
    plain nbgrader: quick enough to run while editing the merge."""
    first, second = sorted(WRITTEN)[:2]
    course = Course(tmp_path)
    course.submit_solutions("ada", only=[f"{first}.ipynb", f"{second}.ipynb"])
    for nb in (first, second):
        write_answer(course, "ada", nb, "Each entry sums $n_{out}$ terms.")
    report, _ = batch.run(course.root, workers=1)
    assert "2 cells to grade by hand" in report, report
    for nb in (first, second):
        grade_written_by_hand(course.root, "ada", nb)
    write_answer(course, "ada", second, "A new submission: a changed answer.")
    report, _ = batch.run(course.root, workers=1)
    after = snapshot(course.root)
    assert after[("ada", first, WRITTEN[first])][1:] == (2, None, 3, False)
    assert after[("ada", second, WRITTEN[second])][1:] == (2, None, 3, True)
    assert after[("ada", first, "comment " + WRITTEN[first])][1] == "good, but say why"
    assert "1 cell to grade by hand" in report, report


def test_a_worker_gradebook_starts_as_nbgrader_would_make_it(tmp_path, monkeypatch):
    """The scratch gradebook of a worker is made without asking `alembic` (a 3 s process) and equals nbgrader's."""
    import nbgrader.api
    from sqlalchemy import create_engine, inspect

    from coursetools.course import Course, empty_gradebook
    made_by_nbgrader = tmp_path / "course" / "gradebook.db"
    made_by_nbgrader.parent.mkdir()
    monkeypatch.setenv("PATH", os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    Gradebook(f"sqlite:///{made_by_nbgrader}").close()
    version = Course(made_by_nbgrader.parent).gradebook_version()
    assert version and re.fullmatch(r"[0-9a-f]+", version)

    def no_alembic():
        raise AssertionError("nbgrader asked alembic")
    monkeypatch.setattr(nbgrader.api, "get_alembic_version", no_alembic)
    ours = tmp_path / "gradebook.db"
    empty_gradebook(ours, version)
    Gradebook(f"sqlite:///{ours}").close()  # opened as an existing gradebook: no alembic
    assert Course(tmp_path).gradebook_version() == version

    def schema(path):
        engine = create_engine(f"sqlite:///{path}")
        tables = inspect(engine)
        found = {name: sorted((c["name"], str(c["type"])) for c in tables.get_columns(name))
                 for name in tables.get_table_names()}
        engine.dispose()
        return found
    assert schema(ours) == schema(made_by_nbgrader)
    assert Course(tmp_path / "nowhere").gradebook_version() is None


def test_a_scheduler_without_credentials_is_refused(monkeypatch):
    for name in [k for k in os.environ if k.startswith("DASK_")]:
        monkeypatch.delenv(name)
    with pytest.raises(SystemExit, match="tls://"):
        cluster.security("tcp://127.0.0.1:8786")
    with pytest.raises(SystemExit, match="no client certificate"):
        cluster.security("tls://127.0.0.1:8786")
    assert cluster.security().require_encryption  # the local cluster: temporary certificates
