"""Unit tests of the course's preprocessors and their lists, without kernels or nbgrader runs."""

import copy
import logging

import nbformat
import pytest
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from nbgrader.converters.autograde import Autograde
from nbgrader.preprocessors import CheckCellMetadata as NbgraderCheckCellMetadata
from nbgrader.preprocessors import ClearHiddenTests, Execute
from traitlets.config import Config

from coursetools import pipeline
from coursetools.course import is_test_cell
from coursetools.grade.execute import CellFault, SafeExecute, error_output
from coursetools.grade.inert import InertContent
from coursetools.grade.preprocessors import RUBRIC, AddRubric, CheckCellMetadata, CleanTestOutputs
from coursetools.instructor import StripRunMetadata, joined_streams
from coursetools.report.feedback import FeedbackClearHiddenTests, RemoveRubric, WrapOutputs

TEST_CELL = {"grade": True, "solution": False, "locked": True, "points": 1, "grade_id": "test_f"}
WIDGET_VIEW = {"application/vnd.jupyter.widget-view+json": {"model_id": "m1", "version_major": 2}}


def cell(source="x = 1\n", outputs=(), **nbgrader):
    """A code cell with ``outputs`` and, when given, nbgrader metadata."""
    meta = {"nbgrader": nbgrader} if nbgrader else {}
    return new_code_cell(source, metadata=meta, outputs=list(outputs))


def test_strip_run_metadata_removes_widget_state_and_timings_and_keeps_nbgrader_metadata():
    run = cell(grade_id="setup", locked=True)
    run.metadata.update(widgets={"state": {}}, execution={"iopub.status.busy": "2026-01-01T00:00:00"})
    language = {"language_info": {"name": "python"}}
    nb = new_notebook(cells=[run, new_markdown_cell("text")], metadata={"widgets": {"state": {}}, **language})
    nb, _ = StripRunMetadata().preprocess(nb, {})
    assert nb.metadata == language
    assert nb.cells[0].metadata == {"nbgrader": {"grade_id": "setup", "locked": True}}


def test_strip_run_metadata_removes_widget_views_and_keeps_other_outputs():
    text = new_output("stream", name="stdout", text="hi\n")
    figure = new_output("display_data", data={"image/png": "iVBOR", "text/plain": "<Figure>"})
    widget = new_output("display_data", data={**WIDGET_VIEW, "text/plain": "VBox()"})
    nb, _ = StripRunMetadata().preprocess(new_notebook(cells=[cell(outputs=[text, widget, figure])]), {})
    assert nb.cells[0].outputs == [text, figure]


def test_test_cell_stderr_becomes_stdout_marked_stderr():
    test = cell(outputs=[new_output("stream", name="stdout", text="ok\n"),
                         new_output("stream", name="stderr", text="RuntimeWarning: overflow\n")], **TEST_CELL)
    CleanTestOutputs().preprocess_cell(test, {}, 0)
    assert test.outputs == [new_output("stream", name="stdout", text="ok\n"),
                            new_output("stream", name="stdout", text="[stderr] RuntimeWarning: overflow\n")]


def test_test_cell_execute_result_cannot_claim_partial_credit():
    test = cell(outputs=[new_output("execute_result", data={"text/plain": "1.0"}, execution_count=3)], **TEST_CELL)
    CleanTestOutputs().preprocess_cell(test, {}, 0)
    assert test.outputs == [new_output("display_data", data={"text/plain": "1.0"})]


def test_only_test_cells_are_cleaned():
    answer = cell(outputs=[new_output("stream", name="stderr", text="my warning\n")], solution=True, grade_id="f")
    CleanTestOutputs().preprocess_cell(answer, {}, 0)
    assert answer.outputs[0].name == "stderr"


def test_test_cell_traceback_is_cut_to_its_message():
    error = new_output("error", ename="AssertionError", evalue="f(1) should be 1",
                       traceback=["Traceback", "assert f(1) == secret_value", "AssertionError: f(1) should be 1"])
    test = cell(outputs=[error], **TEST_CELL)
    CleanTestOutputs().preprocess_cell(test, {}, 0)
    assert test.outputs == [error_output("AssertionError", "f(1) should be 1")]
    assert test.outputs[0].traceback == ["AssertionError: f(1) should be 1"]


def test_abandon_faults_every_code_cell_after_the_last_fault_and_keeps_the_rest():
    cells = [cell("a\n"), cell("b\n"), new_markdown_cell("m"), cell("c\n"), cell("d\n")]
    partial = new_notebook(cells=cells)
    faults = {1: "hung"}
    assert SafeExecute._abandon(partial, faults, 2, "not run: abandoned") is partial
    assert faults == {1: "hung", 3: "not run: abandoned", 4: "not run: abandoned"}
    assert partial.cells == cells


def test_an_error_is_cut_like_any_output_but_never_left_out():
    from coursetools.grade.execute import _cut_error

    huge = {"ename": "E" * 1000, "evalue": "x" * 20_000_000, "traceback": ["frame\n"] * 10 + ["y" * 20_000_000]}
    kept = _cut_error(huge, 10_000)
    assert kept == len(huge["ename"]) + len(huge["evalue"]) + sum(map(len, huge["traceback"])) < 25_000
    assert huge["evalue"].endswith("characters cut]") and huge["traceback"][-1].endswith("[traceback cut]")
    small = {"ename": "ValueError", "evalue": "bad", "traceback": ["ValueError: bad"]}
    _cut_error(small, 0)  # a cell whose output is already at the cap still keeps its error whole when it is short
    assert small == {"ename": "ValueError", "evalue": "bad", "traceback": ["ValueError: bad"]}


def test_is_test_cell_means_graded_code_that_is_not_an_answer():
    assert is_test_cell(cell(grade=True, solution=False, points=1))
    assert not is_test_cell(cell(grade=True, solution=True, points=1))  # manually graded answer
    assert not is_test_cell(cell(grade=False, solution=True))
    assert not is_test_cell(cell())
    assert not is_test_cell(new_markdown_cell("text", metadata={"nbgrader": {"grade": True, "solution": False}}))


def test_error_output_is_an_error_whose_traceback_is_its_message():
    assert error_output("KernelFault", "died") == new_output(
        "error", ename="KernelFault", evalue="died", traceback=["KernelFault: died"])


def test_cell_fault_carries_the_cell_index_and_reason():
    fault = CellFault(4, "hung")
    assert (fault.index, fault.reason, str(fault)) == (4, "hung", "hung")


def test_feedback_removes_rubrics_and_hidden_tests_first():
    steps = pipeline.generate_feedback_preprocessors()
    assert steps[:2] == [RemoveRubric, FeedbackClearHiddenTests] and issubclass(steps[1], ClearHiddenTests)
    assert sum(issubclass(pp, ClearHiddenTests) for pp in steps) == 1
    assert steps.index(WrapOutputs) == steps.index(CSSHTMLHeaderPreprocessor) + 1


def test_autograde_runs_safe_execute_in_place_of_execute_then_makes_outputs_inert():
    steps = pipeline.autograde_preprocessors()
    assert SafeExecute in steps and Execute not in steps
    assert steps[steps.index(SafeExecute) + 1:steps.index(SafeExecute) + 3] == [CleanTestOutputs, InertContent]
    nbgrader_steps = list(Autograde.class_traits()["autograde_preprocessors"].default())
    ours = {SafeExecute: Execute, CheckCellMetadata: NbgraderCheckCellMetadata}
    assert [ours.get(pp, pp) for pp in steps if pp not in (CleanTestOutputs, InertContent, AddRubric)] == nbgrader_steps
    assert steps[-1] is AddRubric
    sanitize = list(Autograde.class_traits()["sanitize_preprocessors"].default())
    assert [ours.get(pp, pp) for pp in pipeline.autograde_sanitize_preprocessors()] == sanitize


def _metadata_notebook(change):
    nb = new_notebook(cells=[new_code_cell("x = 1", metadata={"nbgrader": {**TEST_CELL, "grade_id": "a",
                                                                            "schema_version": 3}}),
                             new_code_cell("y = 2", metadata={"nbgrader": {**TEST_CELL, "grade_id": "b",
                                                                            "schema_version": 3}})])
    change(nb.cells[1].metadata.nbgrader, nb)
    return nb


@pytest.mark.parametrize("change", [
    lambda meta, nb: None,
    lambda meta, nb: meta.update(points="three"),
    lambda meta, nb: meta.update(grade_id=""),
    lambda meta, nb: meta.pop("points"),
    lambda meta, nb: meta.update(grade_id="a"),
    lambda meta, nb: meta.update(schema_version=2),
    lambda meta, nb: meta.update(locked="yes"),
    lambda meta, nb: nb.cells[1].metadata.pop("nbgrader"),
], ids=["valid", "points not a number", "empty grade id", "no points", "duplicate id", "old schema",
        "locked not a bool", "no nbgrader metadata"])
def test_the_metadata_check_accepts_and_rejects_what_nbgraders_does(change):
    outcomes = []
    for check in (NbgraderCheckCellMetadata, CheckCellMetadata):
        nb = _metadata_notebook(change)
        try:
            check().preprocess(copy.deepcopy(nb), {})
            outcomes.append(None)
        except Exception as exc:
            outcomes.append((type(exc), str(exc).splitlines()[0]))
    assert outcomes[0] == outcomes[1]


def test_release_strips_run_metadata_last():
    assert pipeline.generate_assignment_preprocessors()[-1] is StripRunMetadata


WRITTEN = {"grade": True, "solution": True, "locked": False, "points": 3, "grade_id": "derive"}


def test_add_rubric_puts_the_source_model_answer_below_the_written_answer_and_feedback_removes_it(tmp_path):
    source = tmp_path / "source" / "hw"
    source.mkdir(parents=True)
    model = "### BEGIN SOLUTION\n**Model answer.** Var = n Var(W) Var(x).\n### END SOLUTION"
    nbformat.write(new_notebook(cells=[new_markdown_cell(model, metadata={"nbgrader": WRITTEN})]),
                   str(source / "01_x.ipynb"))
    nb = new_notebook(cells=[new_markdown_cell("my derivation", metadata={"nbgrader": WRITTEN}), cell("x = 1")])
    config = Config()
    config.CourseDirectory.root = str(tmp_path)
    resources = {"nbgrader": {"assignment": "hw", "notebook": "01_x", "student": "s"}}
    for _ in range(2):  # autograded twice: still one rubric
        nb, _ = AddRubric(config=config).preprocess(nb, resources)
    assert [c.cell_type for c in nb.cells] == ["markdown", "markdown", "code"]
    rubric = nb.cells[1]
    assert rubric.metadata == {RUBRIC: "derive"} and "nbgrader" not in rubric.metadata
    assert "**Model answer.** Var = n Var(W) Var(x)." in rubric.source and "SOLUTION" not in rubric.source
    assert "Rubric for the TA: `derive` (3 points)" in rubric.source
    feedback, _ = RemoveRubric().preprocess(nb, {})
    assert [c.source for c in feedback.cells] == ["my derivation", "x = 1"]


def test_feedback_steps_accept_the_html_exporters_config_silently(caplog):
    from nbconvert.exporters import HTMLExporter
    config = Config(HTMLExporter().default_config)
    assert "display_data_priority" in config.NbConvertBase
    with caplog.at_level(logging.WARNING):
        ClearHiddenTests(config=config)
    assert "not recognized" in caplog.text  # nbgrader's own class warns (the reason for the subclass)
    for step in pipeline.generate_feedback_preprocessors():  # every step of the feedback
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            step(config=config)
        assert "not recognized" not in caplog.text, step


def test_wrap_outputs_adds_pre_wrap_css():
    _, resources = WrapOutputs().preprocess(new_notebook(), {"inlining": {"css": ["body {}"]}})
    assert resources["inlining"]["css"][0] == "body {}" and "pre-wrap" in resources["inlining"]["css"][1]


def test_the_metadata_check_checks_the_schema_once_not_per_cell(monkeypatch):
    import jsonschema

    checked = []
    original = jsonschema.Draft4Validator.check_schema
    monkeypatch.setattr(jsonschema.Draft4Validator, "check_schema",
                        classmethod(lambda cls, schema, **kw: checked.append(1) or original(schema, **kw)))
    nb = _metadata_notebook(lambda meta, nb: None)
    NbgraderCheckCellMetadata().preprocess(copy.deepcopy(nb), {})
    assert len(checked) == 2  # nbgrader: before each of the two cells
    checked.clear()
    for _ in range(3):
        CheckCellMetadata().preprocess(copy.deepcopy(nb), {})
    assert len(checked) <= 1  # here: at most once in the process (none if an earlier test checked it)


def test_consecutive_prints_to_one_stream_are_stored_as_one_output():
    outs = [new_output("stream", name="stdout", text="a\n"), new_output("stream", name="stdout", text="b\n"),
            new_output("stream", name="stderr", text="w\n"), new_output("display_data", data={"text/plain": "x"}),
            new_output("stream", name="stdout", text="c\n")]
    joined = joined_streams(outs)
    assert [(o.output_type, o.get("text")) for o in joined] == [
        ("stream", "a\nb\n"), ("stream", "w\n"), ("display_data", None), ("stream", "c\n")]
