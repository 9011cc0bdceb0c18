"""The Canvas collector of ``nbgrader zip_collect`` (coursetools/collect/), without nbgrader runs.

The real ``nbgrader zip_collect`` on a Canvas zip is in tests/test_grading_pipeline.py.
"""

import pytest

from coursetools.collect import downloads
from coursetools.collect.collector import CanvasCollector

UPLOAD = "upload graded: "  # how the batch report starts the line of the upload graded


def uncollected(root, config):
    """What ``downloads.left_out`` finds, in words, as the batch report prints it."""
    by_student, unknown = downloads.left_out(root, config)
    return ({student: [o.sentence for o in found] for student, found in by_student.items()},
            [o.sentence for o in unknown])


def uploads(root, config):
    """What ``downloads.uploads`` finds, in words, as the batch report prints it."""
    return {student: [o.sentence for o in found] for student, found in downloads.uploads(root, config).items()}


@pytest.fixture
def collector():
    return CanvasCollector()


@pytest.mark.parametrize("name, expected", [
    ("lovelaceada_12345_678910_01_symmetry_breaking.ipynb", ("lovelaceada", "01_symmetry_breaking.ipynb", 0, "12345")),
    ("lovelaceada_12345_678910_02_exploding_vanishing-1.ipynb",
     ("lovelaceada", "02_exploding_vanishing.ipynb", 1, "12345")),
    ("lovelaceada_LATE_12345_678910_03_xavier_derivation-12.ipynb",
     ("lovelaceada", "03_xavier_derivation.ipynb", 12, "12345")),
    ("turingalan_late_777_1_06_training_playground.ipynb", ("turingalan", "06_training_playground.ipynb", 0, "777")),
])
def test_canvas_names_are_parsed_with_the_canvas_id_and_the_upload_number(collector, name, expected):
    assert collector.parse(f"/x/extracted/canvas/{name}") == expected


@pytest.mark.parametrize("name", ["lovelaceada_12345_678910_notes.ipynb", "01_symmetry_breaking.ipynb",
                                  "lovelace ada_12345_678910_01_symmetry_breaking.ipynb"])
def test_other_names_do_not_match(collector, name):
    assert collector.parse(f"/x/extracted/{name}") is None
    assert collector.collect(f"/x/extracted/{name}") is None


def test_the_latest_upload_wins(collector, tmp_path):
    names = ["ada_1_2_02_exploding_vanishing.ipynb", "ada_1_3_02_exploding_vanishing-2.ipynb",
             "ada_1_4_02_exploding_vanishing-1.ipynb", "ada_1_2_01_symmetry_breaking.ipynb"]
    for name in names:
        (tmp_path / name).write_text("{}")
    got = {name: collector.collect(str(tmp_path / name)) for name in names}
    assert got == {names[0]: None, names[1]: {"student_id": "ada", "file_id": "02_exploding_vanishing.ipynb"},
                   names[2]: None, names[3]: {"student_id": "ada", "file_id": "01_symmetry_breaking.ipynb"}}


def test_uncollected_says_why_a_download_is_not_in_submitted(tmp_path):
    extracted = tmp_path / "downloaded" / "initialization" / "extracted"
    extracted.mkdir(parents=True)
    for name in ["ada_1_2_01_symmetry_breaking.ipynb", "ada_1_2_02_exploding_vanishing (copy).ipynb",
                 "ada_1_2_03_xavier_derivation.ipynb", "ada_1_3_03_xavier_derivation-1.ipynb", "zed_notes.txt"]:
        (extracted / name).write_text("{}")
    submitted = tmp_path / "submitted" / "ada" / "initialization"
    submitted.mkdir(parents=True)
    (submitted / "01_symmetry_breaking.ipynb").write_text("{}")
    from traitlets.config import Config
    by_student, unknown = uncollected(tmp_path, Config())
    lines = by_student["ada"]
    assert len(lines) == 3
    assert "02_exploding_vanishing (copy).ipynb: not collected, its name does not match" in lines[0]
    assert "ada_1_2_03_xavier_derivation.ipynb: not collected, a later upload is" in lines[1]
    assert "derivation-1.ipynb: matched as 03_xavier_derivation.ipynb of ada but not in submitted/" in lines[2]
    assert unknown == ["downloaded/initialization/extracted/zed_notes.txt: not collected, not a notebook"]


def test_uploads_names_the_file_graded_and_the_uploads_it_superseded(tmp_path):
    from traitlets.config import Config

    extracted = tmp_path / "downloaded" / "initialization" / "extracted"
    extracted.mkdir(parents=True)
    for name in ["ada_1_2_02_exploding_vanishing.ipynb", "ada_1_3_02_exploding_vanishing-2.ipynb",
                 "ada_1_4_02_exploding_vanishing-1.ipynb", "ada_1_2_01_symmetry_breaking.ipynb", "zed_notes.txt"]:
        (extracted / name).write_text("{}")
    assert uploads(tmp_path, Config()) == {"ada": [
        f"{UPLOAD}01_symmetry_breaking.ipynb from downloaded/initialization/extracted/"
        "ada_1_2_01_symmetry_breaking.ipynb (upload 0)",
        f"{UPLOAD}02_exploding_vanishing.ipynb from downloaded/initialization/extracted/"
        "ada_1_3_02_exploding_vanishing-2.ipynb (upload 2); superseded: ada_1_2_02_exploding_vanishing.ipynb, "
        "ada_1_4_02_exploding_vanishing-1.ipynb"]}
    assert uploads(tmp_path / "elsewhere", Config()) == {}


def test_nbgrader_s_misleading_skip_line_is_left_out_for_a_file_the_collector_explained(collector, tmp_path, caplog):
    import logging

    from coursetools.collect.collector import NBGRADER_SKIPPED
    names = ["ada_1_2_02_exploding_vanishing.ipynb", "ada_1_3_02_exploding_vanishing-1.ipynb"]
    for name in names:
        (tmp_path / name).write_text("{}")
    collector.log.propagate = True
    with caplog.at_level(logging.INFO, logger=collector.log.name):
        assert collector.collect(str(tmp_path / names[0])) is None  # superseded: the course's warning
        collector.log.warning(NBGRADER_SKIPPED + str(tmp_path / names[0]))  # what nbgrader's zip_collect says next
        collector.log.warning(NBGRADER_SKIPPED + "/elsewhere/other.ipynb")  # a file the collector never saw
    lines = [r.getMessage() for r in caplog.records]
    assert any(line.startswith("Skipped ") and "a later upload" in line for line in lines)
    assert lines.count(NBGRADER_SKIPPED + str(tmp_path / names[0])) == 0
    assert NBGRADER_SKIPPED + "/elsewhere/other.ipynb" in lines
