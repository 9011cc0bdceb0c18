"""release/ is exactly what nbgrader generates from source/, and leaks nothing (the answer key least of all)."""

import filecmp
import re

import pytest
from notebooks import ASSIGNMENT, NOTEBOOKS, RELEASE, ROOT, SOURCE, answer_cells, grade_cells, read
from submissions import Course

ANSWER_KEY = "answerkey"  # source/initialization/answerkey/: what the hidden tests compute and name


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    """A fresh generate_assignment of source/ in a copy of the course."""
    return Course(tmp_path_factory.mktemp("release")).root / "release" / ASSIGNMENT


def _comparable(nb):
    return [(c.cell_type, c.source, dict(c.metadata)) for c in nb.cells]


@pytest.mark.kernel
@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_release_notebook_equals_a_fresh_generate_assignment(fresh, notebook):
    assert (RELEASE / notebook).exists(), f"{notebook} is missing from release/: run `make release`"
    assert _comparable(read(RELEASE / notebook)) == _comparable(read(fresh / notebook)), (
        f"release/{notebook} is out of date: run `make release` and commit")


@pytest.mark.kernel
def test_release_holds_the_same_files_as_a_fresh_generate_assignment(fresh):
    def files(root):
        return sorted(str(p.relative_to(root)) for p in root.rglob("*")
                      if p.is_file() and "__pycache__" not in p.parts and ".ipynb_checkpoints" not in p.parts)
    assert files(RELEASE) == files(fresh)
    for name in files(fresh):
        if not name.endswith(".ipynb"):
            assert filecmp.cmp(RELEASE / name, fresh / name, shallow=False), f"release/{name} differs"


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_release_has_no_outputs_or_widget_state(notebook):
    nb = read(RELEASE / notebook)
    assert "widgets" not in nb.metadata
    for cell in nb.cells:
        assert "widgets" not in cell.metadata
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_release_leaks_no_solution_or_hidden_test(notebook):
    text = (RELEASE / notebook).read_text()
    assert not re.search(r"(BEGIN|END) (SOLUTION|HIDDEN TESTS|MARK SCHEME)", text)
    source = read(SOURCE / notebook)
    secret = []
    for cell in answer_cells(source).values():
        secret += re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", cell.source, re.S)
    for cell in grade_cells(source).values():
        secret += re.findall(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", cell.source, re.S)
    for cell in source.cells:
        if cell.cell_type == "markdown" and "BEGIN SOLUTION" in cell.source:
            secret += re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", cell.source, re.S)
    release_sources = "\n".join(c.source for c in read(RELEASE / notebook).cells)
    for block in secret:
        for line in (ln.strip() for ln in block.splitlines()):
            if len(line) >= 25 and line not in _public_text(source):
                assert line not in release_sources, f"release/{notebook} leaks: {line}"


def _public_text(nb):
    """The source notebook without its solution and hidden-test regions (what may appear in the release)."""
    text = "\n".join(c.source for c in nb.cells)
    return re.sub(r"### BEGIN (SOLUTION|HIDDEN TESTS)\n.*?### END (SOLUTION|HIDDEN TESTS)", "", text, flags=re.S)


@pytest.mark.kernel
@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_student_notebook_runs_with_a_friendly_line_for_each_missing_function(notebook):
    """Run All on the untouched release: only answer and test cells fail; demos say what is missing."""
    from nbclient import NotebookClient
    from notebooks import is_answer, is_test

    nb = read(RELEASE / notebook)
    NotebookClient(nb, allow_errors=True, timeout=120, resources={"metadata": {"path": str(RELEASE)}}).execute()
    friendly = 0
    for cell in nb.cells:
        if cell.cell_type != "code" or is_answer(cell) or is_test(cell):
            continue
        errors = [o for o in cell.outputs if o.output_type == "error"]
        assert not errors, f"demo cell of {notebook} fails on the stubs:\n{cell.source[:200]}\n{errors[0].evalue}"
        friendly += sum("which is not implemented yet" in o.get("text", "") for o in cell.outputs)
    assert friendly > 0, f"no demo of {notebook} named a missing function"


def _files(root):
    return [p.relative_to(root) for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts]


def test_the_answer_key_is_in_source_and_never_in_release():
    assert (SOURCE / ANSWER_KEY / "__init__.py").is_file()
    assert not [p for p in _files(RELEASE) if ANSWER_KEY in p.parts], "release/ holds the answer key"


@pytest.mark.kernel
def test_generate_assignment_leaves_the_answer_key_out(fresh):
    assert (fresh / "initlab").is_dir() and not (fresh / ANSWER_KEY).exists()


def test_autograde_never_copies_the_answer_key_beside_a_submission():
    """nbgrader's autograde copies source/'s other files next to the submission, where the student's kernel
    runs: the course's c.CourseDirectory.ignore keeps the answer key out (the same function, the same config)."""
    from nbgrader import utils
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(ROOT)).load_config()
    copied = utils.find_all_files(str(SOURCE), CourseDirectory(config=config).ignore + ["*.ipynb"])
    assert any("/initlab/" in path for path in copied), "the helper package is copied (the check is not vacuous)"
    assert not [path for path in copied if f"/{ANSWER_KEY}/" in path]


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_no_visible_test_imports_the_answer_key(notebook):
    for test_id, cell in grade_cells(read(SOURCE / notebook)).items():
        visible = cell.source.split("### BEGIN HIDDEN TESTS")[0]
        assert ANSWER_KEY not in visible, f"the visible part of {test_id} reads the answer key"
    assert ANSWER_KEY not in (RELEASE / notebook).read_text(), f"release/{notebook} names the answer key"
