"""The grading round trip with the real nbgrader, for every notebook in source/.

In a temporary copy of the course: generate_assignment, submissions in
submitted/, autograde, and generate_feedback. Solutions get full marks,
the untouched release gets zero, and a wrong function costs points in its own
test cell only.
"""

import pytest
from notebooks import ASSIGNMENT, NOTEBOOKS, SOURCE, answer_cells, grade_cells, read, variants
from submissions import Course, full

pytestmark = pytest.mark.slow


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
    return course


def test_solutions_get_full_marks_in_every_test_cell(graded):
    for nb, scores in graded.scores("solutions").items():
        assert scores, f"{nb} has no test cells in the gradebook"
        assert {g: s for g, (s, _) in scores.items()} == full(scores), nb


def test_untouched_release_gets_zero_in_every_test_cell(graded):
    for nb, scores in graded.scores("untouched").items():
        assert {g: s for g, (s, _) in scores.items()} == {g: 0 for g in scores}, nb


@pytest.mark.parametrize("k", range(ROUNDS))
def test_a_wrong_function_costs_only_its_own_test_cell(graded, k):
    plan = wrong_round(k)
    for nb, scores in graded.scores(f"wrong{k}").items():
        wrong = {f"test_{fn}" for fn in plan.get(nb, {})}
        expected = {g: (0 if g in wrong else mx) for g, (_, mx) in scores.items()}
        assert {g: s for g, (s, _) in scores.items()} == expected, nb


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


def test_zip_collect_files_an_lms_download_by_student(graded):
    import zipfile

    archive = graded.root / "downloaded" / ASSIGNMENT / "archive"
    archive.mkdir(parents=True)
    with zipfile.ZipFile(archive / "canvas.zip", "w") as zf:
        for student in ("lovelaceada", "turingalan"):
            for nb in NOTEBOOKS:
                zf.writestr(f"{student}_12345_678910_{nb}", (graded.root / "release" / ASSIGNMENT / nb).read_text())
    graded.nbgrader("zip_collect", ASSIGNMENT)
    for student in ("lovelaceada", "turingalan"):
        folder = graded.root / "submitted" / student / ASSIGNMENT
        assert sorted(p.name for p in folder.glob("*.ipynb")) == NOTEBOOKS


def test_validate_passes_the_solutions_and_flags_the_stubs(graded, tmp_path):
    """What a student sees from nbgrader's Validate (it exits 0 either way; its output tells)."""
    import shutil

    nb = NOTEBOOKS[0]
    home = tmp_path / ASSIGNMENT  # a student's copy of the release, with initlab/
    shutil.copytree(graded.root / "release" / ASSIGNMENT, home)
    shutil.copy(graded.root / "submitted" / "solutions" / ASSIGNMENT / nb, home / "solved.ipynb")
    solved = graded.nbgrader("validate", str(home / "solved.ipynb"))
    assert "Success! Your notebook passes all the tests." in solved.stdout, solved.stdout + solved.stderr
    stub = graded.nbgrader("validate", str(home / nb))
    assert "Success!" not in stub.stdout and "not implemented yet" in stub.stdout, stub.stdout
