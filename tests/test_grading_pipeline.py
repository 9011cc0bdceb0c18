"""The grading round trip with the real nbgrader, for every notebook in source/.

In a temporary copy of the course: generate_assignment, submissions in
submitted/, autograde, and generate_feedback. Solutions get full marks,
the untouched release gets zero, and a wrong function costs points in its own
test cell only.
"""

import subprocess

import pytest
from notebooks import ASSIGNMENT, NOTEBOOKS, SOURCE, answer_cells, grade_cells, read, variants
from submissions import Course, full

from coursetools.course import tool, tool_env


def wrong_round(k):
    """{notebook: {grade_id: wrong code}}: the k-th graded function of each notebook made wrong."""
    plan = {}
    for nb in NOTEBOOKS:
        functions = list(answer_cells(read(SOURCE / nb)))
        if k < len(functions):
            fn = functions[k]
            plan[nb] = {fn: variants(nb)[1][fn][0][0]}
    return plan


ROUNDS = max(len(answer_cells(read(SOURCE / nb))) for nb in NOTEBOOKS)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = Course(tmp_path_factory.mktemp("course"))
    course.submit_solutions("solutions")
    course.submit("untouched", {nb: read(course.root / "release" / ASSIGNMENT / nb) for nb in NOTEBOOKS})
    for k in range(ROUNDS):
        course.submit_solutions(f"wrong{k}", wrong_round(k))
    result = course.nbgrader("autograde", ASSIGNMENT, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    result = course.nbgrader("generate_feedback", ASSIGNMENT, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    course.feedback_log = result.stdout + result.stderr
    return course


@pytest.mark.slow
def test_solutions_get_full_marks_in_every_test_cell(graded):
    for nb, scores in graded.scores("solutions").items():
        assert scores, f"{nb} has no test cells in the gradebook"
        assert {g: s for g, (s, _) in scores.items()} == full(scores), nb


@pytest.mark.slow
def test_untouched_release_gets_zero_in_every_test_cell(graded):
    for nb, scores in graded.scores("untouched").items():
        assert {g: s for g, (s, _) in scores.items()} == {g: 0 for g in scores}, nb


@pytest.mark.slow
@pytest.mark.parametrize("k", range(ROUNDS))
def test_a_wrong_function_costs_only_its_own_test_cell(graded, k):
    plan = wrong_round(k)
    for nb, scores in graded.scores(f"wrong{k}").items():
        wrong = {f"test_{fn}" for fn in plan.get(nb, {})}
        expected = {g: (0 if g in wrong else mx) for g, (_, mx) in scores.items()}
        assert {g: s for g, (s, _) in scores.items()} == expected, nb


@pytest.mark.slow
@pytest.mark.parametrize("student", ["solutions", "untouched", "wrong0"])
def test_feedback_is_html_without_hidden_tests(graded, student):
    for nb in NOTEBOOKS:
        html = graded.feedback(student, nb)
        assert "<html" in html.lower()
        assert "HIDDEN TESTS" not in html
        for cell in grade_cells(read(SOURCE / nb)).values():
            hidden = cell.source.split("### BEGIN HIDDEN TESTS")[-1].split("### END HIDDEN TESTS")[0]
            for line in (ln.strip() for ln in hidden.splitlines()):
                if len(line) > 30 and line not in cell.source.split("### BEGIN HIDDEN TESTS")[0]:
                    assert line not in html, f"hidden test line in feedback of {nb}: {line}"


@pytest.mark.kernel
def test_zip_collect_files_a_canvas_download_by_student_with_reuploads_and_canvas_ids(tmp_path):
    """Canvas names a file uploaded again ``..._02_exploding_vanishing-1.ipynb``: it is collected, the latest
    upload wins, and the numeric Canvas user id lands in the gradebook as the student's lms_user_id."""
    import zipfile

    from nbgrader.api import Gradebook

    graded = Course(tmp_path)  # a fresh course: generate_assignment made its gradebook
    archive = graded.root / "downloaded" / ASSIGNMENT / "archive"
    archive.mkdir(parents=True)
    release = graded.root / "release" / ASSIGNMENT
    again = NOTEBOOKS[1][:-6]
    with zipfile.ZipFile(archive / "canvas.zip", "w") as zf:
        for student, canvas_id in (("lovelaceada", "12345"), ("turingalan", "67890")):
            for nb in NOTEBOOKS:
                zf.writestr(f"{student}_{canvas_id}_678910_{nb}", (release / nb).read_text())
        zf.writestr(f"lovelaceada_12345_678911_{again}-1.ipynb", (release / NOTEBOOKS[1]).read_text() + "\n")
        zf.writestr(f"lovelaceada_12345_678912_{again}-2.ipynb", (release / NOTEBOOKS[1]).read_text() + "\n\n")
    result = graded.nbgrader("zip_collect", ASSIGNMENT)
    assert "a later upload" in result.stderr
    assert "no match information provided" not in result.stderr  # nbgrader's line: the course's says why
    for student in ("lovelaceada", "turingalan"):
        folder = graded.root / "submitted" / student / ASSIGNMENT
        assert sorted(p.name for p in folder.glob("*.ipynb")) == NOTEBOOKS
    latest = (graded.root / "submitted" / "lovelaceada" / ASSIGNMENT / NOTEBOOKS[1]).read_text()
    assert latest == (release / NOTEBOOKS[1]).read_text() + "\n\n"  # the -2 upload
    with Gradebook(f"sqlite:///{graded.root / 'gradebook.db'}") as gb:
        assert {s: gb.find_student(s).lms_user_id for s in ("lovelaceada", "turingalan")} == {
            "lovelaceada": "12345", "turingalan": "67890"}
    graded.nbgrader("zip_collect", ASSIGNMENT, "--force")  # a re-collect keeps them
    with Gradebook(f"sqlite:///{graded.root / 'gradebook.db'}") as gb:
        assert gb.find_student("lovelaceada").lms_user_id == "12345"


@pytest.mark.slow
def test_feedback_prints_no_config_warning(graded):
    assert "not recognized" not in graded.feedback_log, graded.feedback_log


@pytest.mark.slow
def test_autograded_written_answers_carry_their_rubric_and_the_feedback_does_not(graded):
    written = {nb: [c.metadata.nbgrader.grade_id for c in read(SOURCE / nb).cells
                    if c.cell_type == "markdown" and c.metadata.get("nbgrader", {}).get("grade")] for nb in NOTEBOOKS}
    assert any(written.values()), "no written answer in the course"
    for nb, ids in written.items():
        cells = graded.autograded("solutions", nb)["cells"]
        rubrics = [c for c in cells if "coursetools_rubric" in c["metadata"]]
        assert [c["metadata"]["coursetools_rubric"] for c in rubrics] == ids, nb
        for gid, rubric in zip(ids, rubrics):
            index = next(i for i, c in enumerate(cells) if c["metadata"].get("nbgrader", {}).get("grade_id") == gid)
            assert cells[index + 1] is rubric and "Model answer" in "".join(rubric["source"]), nb
        assert "not in the student's feedback" not in graded.feedback("solutions", nb)  # AddRubric's header


@pytest.mark.slow
@pytest.mark.skipif(__import__("coursetools.dev.browser").dev.browser.CHROMIUM is None,
                    reason="Chromium is not installed")
def test_failure_messages_in_the_feedback_wrap(graded):
    from coursetools.dev import browser

    nb = next(nb for nb in NOTEBOOKS if wrong_round(0).get(nb))
    path = graded.root / "feedback" / "wrong0" / ASSIGNMENT / nb.replace(".ipynb", ".html")
    with browser.chromium() as chrome:
        page = chrome.new_page(viewport={"width": 900, "height": 800})
        page.goto(path.as_uri())
        errors = page.locator(".output_error pre, .output_stdout pre, .output_text pre")
        assert errors.count() > 0
        for i in range(errors.count()):
            style, overflow = errors.nth(i).evaluate(
                "e => [getComputedStyle(e).whiteSpace, e.scrollWidth - e.clientWidth]")
            assert style == "pre-wrap" and overflow <= 1, (nb, i, style, overflow)


def test_the_exchange_folder_is_configured_in_the_course():
    """The formgrader shows its exchange banner when ``c.Exchange.root`` does not exist (nbgrader's NbGraderAPI)."""
    import os

    from nbgrader.apps.api import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from notebooks import ROOT

    from coursetools.course import Course

    config = Course(ROOT).config()
    assert config.Exchange.root == os.path.join(str(ROOT), "exchange") and (ROOT / "exchange").is_dir()
    api = NbGraderAPI(CourseDirectory(config=config), config=config)
    assert not api.exchange_missing


@pytest.mark.slow
def test_validate_passes_the_solutions_and_flags_the_stubs(graded, tmp_path):
    """What a student sees from nbgrader's Validate (it exits 0 either way; its output tells)."""
    import shutil

    nb = NOTEBOOKS[0]
    home = tmp_path / ASSIGNMENT  # a student's copy of the release, with initlab/
    shutil.copytree(graded.root / "release" / ASSIGNMENT, home)
    shutil.copy(graded.root / "submitted" / "solutions" / ASSIGNMENT / nb, home / "solved.ipynb")

    def validate(name):  # in the student's folder, as a student runs it
        return subprocess.run([tool("nbgrader"), "validate", name], cwd=home, env=tool_env(),
                              capture_output=True, text=True, check=True)

    solved = validate("solved.ipynb")
    assert "Success! Your notebook passes all the tests." in solved.stdout, solved.stdout + solved.stderr
    stub = validate(nb)
    assert "Success!" not in stub.stdout and "not implemented yet" in stub.stdout, stub.stdout
    assert "No nbgrader_config.py file found" not in solved.stderr + stub.stderr
