"""nbgrader steps of autograding besides execution (``coursetools.grade.execute``).

``CheckCellMetadata`` is nbgrader's check of the cells' nbgrader metadata, with
the metadata schema checked once per process instead of before every cell.

``CleanTestOutputs`` fixes what test cells show after execution: stderr as stdout instead of
zeroing the cell, no ``execute_result`` claiming partial credit, tracebacks cut
to their message (they would quote the hidden tests in the feedback).

``AddRubric`` puts the rubric of each written answer below it in the autograded
notebook (for the TA in the formgrader); the feedback takes it out again
(``coursetools.report.feedback.RemoveRubric``).
"""

import functools
import re
import traceback
from pathlib import Path

import jsonschema
import nbformat
from nbformat.v4 import new_markdown_cell, new_output
from nbgrader.coursedir import CourseDirectory
from nbgrader.nbgraderformat import MetadataValidator, ValidationError
from nbgrader.nbgraderformat.common import BaseMetadataValidator
from nbgrader.preprocessors import NbGraderPreprocessor

from ..course import grade_id, is_test_cell, is_written_answer, nbgrader_metadata
from .execute import error_output


@functools.cache
def _metadata_schema_validator():
    """A validator of nbgrader's current metadata schema, the schema itself checked once."""
    schema = MetadataValidator().schema
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


class _SchemaCheckedOnce(BaseMetadataValidator):
    """Validates a cell's metadata of the current schema version with one validator (nbgrader calls
    ``jsonschema.validate``, which checks the schema before each cell: 0.7 s of grading six notebooks)."""

    def validate_cell(self, cell):
        meta = cell.metadata.get("nbgrader")
        if meta is None or meta.get("schema_version", 0) != self.schema_version:
            return super().validate_cell(cell)  # nbgrader's: nothing to check, or the version error
        error = jsonschema.exceptions.best_match(_metadata_schema_validator().iter_errors(meta))
        if error is not None:
            raise error


class _FastMetadataValidator(MetadataValidator, _SchemaCheckedOnce):
    """nbgrader's validator (its checks after the schema's, and of the whole notebook) on ``_SchemaCheckedOnce``."""


class CheckCellMetadata(NbGraderPreprocessor):
    """nbgrader's ``CheckCellMetadata``, with ``_FastMetadataValidator``."""

    def preprocess(self, nb, resources):
        try:
            _FastMetadataValidator().validate_nb(nb)
        except ValidationError:
            self.log.error(traceback.format_exc())
            msg = "Notebook failed to validate; the nbgrader metadata may be corrupted."
            self.log.error(msg)
            raise ValidationError(msg) from None
        return nb, resources


class CleanTestOutputs(NbGraderPreprocessor):
    """What a test cell shows and how it scores, after execution.

    Text on stderr is shown as stdout (a numpy warning of a correct answer must not
    zero the cell), ``execute_result`` becomes ``display_data`` (nbgrader would read
    it as partial credit), and an error keeps only its message (the traceback would
    quote hidden test code in the feedback).
    """

    def preprocess_cell(self, cell, resources, index):
        if is_test_cell(cell):
            cell.outputs = [self.clean(out) for out in cell.outputs]
        return cell, resources

    @staticmethod
    def clean(out):
        if out.output_type == "stream" and out.name == "stderr":
            return new_output("stream", name="stdout", text="[stderr] " + out.text)
        if out.output_type == "execute_result":
            return new_output("display_data", data=out.data, metadata=out.get("metadata", {}))
        if out.output_type == "error":
            return error_output(out.ename, out.evalue)
        return out


RUBRIC = "coursetools_rubric"  # cell metadata key of the rubric cells AddRubric inserts


class AddRubric(NbGraderPreprocessor):
    """Below each written answer of an autograded notebook, the rubric from the source notebook (its model answer
    and mark scheme), so that the TA grading in the formgrader sees both on one page. Runs last in autograding
    (after InertContent: the rubric is the instructor's text, not the student's); the cell has no nbgrader
    metadata, so it is never graded, and ``RemoveRubric`` takes it out of the feedback."""

    def preprocess(self, nb, resources):
        info = resources.get("nbgrader", {})
        coursedir = CourseDirectory(config=self.config)
        path = Path(coursedir.format_path(coursedir.source_directory, ".", info.get("assignment", ""))) / \
            f"{info.get('notebook', '')}.ipynb"
        if not path.is_file():
            return nb, resources
        source = nbformat.read(str(path), as_version=4)
        rubrics = {grade_id(c): c for c in source.cells if is_written_answer(c) and nbgrader_metadata(c).get("grade")}
        cells = []
        for cell in nb.cells:
            if cell.metadata.get(RUBRIC):
                continue  # a notebook autograded again: one rubric per answer
            cells.append(cell)
            gid = grade_id(cell)
            if cell.cell_type == "markdown" and gid in rubrics:
                cells.append(self.rubric_cell(gid, rubrics[gid]))
        nb.cells = cells
        return nb, resources

    @staticmethod
    def rubric_cell(gid, cell):
        text = "\n".join(line for line in cell.source.splitlines()
                         if not re.match(r"\s*### (BEGIN|END) SOLUTION\s*$", line)).strip()
        points = nbgrader_metadata(cell).get("points", "?")
        return new_markdown_cell(f"---\n**Rubric for the TA: `{gid}` ({points} points).** From the source notebook; "
                                 "not in the student's feedback.\n\n" + text + "\n\n---",
                                 metadata={RUBRIC: gid})
