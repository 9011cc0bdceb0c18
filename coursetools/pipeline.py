"""The steps nbgrader_config.py installs for each nbgrader command (release, autograde, feedback), kept here so
that they can be tested."""

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.converters.autograde import Autograde
from nbgrader.converters.generate_assignment import GenerateAssignment
from nbgrader.converters.generate_feedback import GenerateFeedback
from nbgrader.preprocessors import CheckCellMetadata as NbgraderCheckCellMetadata
from nbgrader.preprocessors import Execute

from .grade.execute import SafeExecute
from .grade.inert import InertContent
from .grade.preprocessors import AddRubric, CheckCellMetadata, CleanTestOutputs
from .instructor import StripRunMetadata
from .report.feedback import FeedbackClearHiddenTests, RemoveRubric, WrapOutputs


def _default(converter, name):
    return list(converter.class_traits()[name].default())


def generate_assignment_preprocessors():
    """nbgrader's release steps, then the removal of widget state."""
    return [*_default(GenerateAssignment, "preprocessors"), StripRunMetadata]


def _fast_metadata_check(steps):
    return [CheckCellMetadata if pp is NbgraderCheckCellMetadata else pp for pp in steps]


def autograde_sanitize_preprocessors():
    """nbgrader's steps that rebuild a submission on the release, with the metadata schema checked once
    (``preprocessors.CheckCellMetadata``)."""
    return _fast_metadata_check(_default(Autograde, "sanitize_preprocessors"))


def autograde_preprocessors():
    """nbgrader's autograding steps with SafeExecute in place of Execute, followed by CleanTestOutputs and
    InertContent (only inert student content reaches the formgrader and the feedback; README, "In the browser"),
    and at the end AddRubric (the rubric of each written answer below it, for the TA); the metadata check as in
    ``autograde_sanitize_preprocessors``."""
    steps = []
    for pp in _fast_metadata_check(_default(Autograde, "autograde_preprocessors")):
        steps += [SafeExecute, CleanTestOutputs, InertContent] if pp is Execute else [pp]
    return [*steps, AddRubric]


def generate_feedback_preprocessors():
    """nbgrader's feedback steps after the removal of the rubrics and the hidden tests, then wrapped output lines."""
    steps = [RemoveRubric, FeedbackClearHiddenTests, *_default(GenerateFeedback, "preprocessors")]
    at = steps.index(CSSHTMLHeaderPreprocessor) + 1 if CSSHTMLHeaderPreprocessor in steps else len(steps)
    return [*steps[:at], WrapOutputs, *steps[at:]]
