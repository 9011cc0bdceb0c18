"""``python -m coursetools insight``: what the class got wrong, as an offline HTML page and a CSV.

The slow tests grade a synthetic class of eight on two notebooks (01 and 03) once: six
students with the batch, two with plain ``nbgrader autograde``, with mistakes taken from
the variant catalogues (tests/variants/), so every count of the report is known in advance.
The fast tests check how failure messages are grouped, on the catalogue itself.
"""

import csv
import html
import re
import shutil
import time
from pathlib import Path

import pytest
from initlab import checks, mistakes
from notebooks import ASSIGNMENT, NOTEBOOKS, ROOT, SOURCE, answer_cells, read, variants
from submissions import COPIED, Course

from coursetools import course
from coursetools.report import failures, insight

KEEP = ["01_symmetry_breaking.ipynb", "03_xavier_derivation.ipynb"]
LECUN = variants("03_xavier_derivation.ipynb")[1]["lecun_normal"]
RANDOM = variants("01_symmetry_breaking.ipynb")[1]["initialize_random"]
EXIT = "import os\ndef count_distinct_units(W, atol=1e-6):\n    os._exit(1)\n"
UNFINISHED = "def initialize_zeros(layer_dims):\n    raise RuntimeError('unfinished')\n"
LMS = {f"s{i}": str(1000 + i) for i in range(1, 7)}  # s7 and s8 have no LMS id: their nbgrader id is used


# ----------------------------------------------------------------- fast: grouping messages
def test_measured_values_vary_but_the_mistake_key_does_not_and_stays_readable():
    a = "xavier_normal(400, 100) has variance 0.0213, expected 0.004 (n_in=400, n_out=100)."
    b = "xavier_normal(400, 100) has variance 1.5e-05, expected 0.0049 (n_in=400, n_out=100)."
    assert failures.mistake_key(a) == failures.mistake_key(b) == \
        "xavier_normal(400, 100) has variance …, expected … (n_in=400, n_out=100)."
    got = "the result should be [[1. 2.]\n [3. 4.]], got [[0. 0.]\n [0. 0.]]."
    assert failures.mistake_key(got) == "the result should be […], got […]."
    looks = "lecun(400, 100) has variance 1e-4, expected 0.01. This looks like: the variance 0.01 was used as the std."
    assert failures.mistake_key(looks) == "the variance … was used as the std"
    assert failures.mistake_key("at layer l = 0.40 the gain") == "at layer l = … the gain"  # not "l = #.40"
    assert failures.mistake_key("n * sigma**2 = 400 * 0.05**2 = 1.0") == "n * sigma**2 = 400 * …**2 = …"
    assert failures.mistake_key("unfinished (raised by f)", "RuntimeError") == "RuntimeError: unfinished (raised by f)"
    assert failures.mistake_key("W1 has shape (3, 4), expected (4, 3)") == "W1 has shape (3, 4), expected (4, 3)"
    assert failures.mistake_key("he_normal: the variance was used\nas the std", function="he_normal") == \
        "the variance was used"


def test_did_not_attempt_and_misconceptions_are_read_from_the_message():
    assert failures.not_attempted("lecun_normal is not implemented yet.")
    assert failures.not_attempted("x", "NotImplementedError")
    assert failures.not_attempted(checks.missing_name_message("lecun_normal"))
    assert not failures.not_attempted("lecun_normal: the variance was used as the standard deviation")
    title = mistakes.MISCONCEPTIONS["fans-swapped"].title
    found = failures.misconception(f"he_normal: fans swapped\ndetails\nRevisit: {title} (4.2 He's rule).")
    assert found == ("fans-swapped", "4.2 He's rule")
    assert failures.misconception(f"he_normal: x\n{mistakes.revisit_line('global-rng')}") == ("global-rng", "")
    assert failures.misconception("he_normal: no revisit line") == (None, "")


@pytest.mark.parametrize("kind", ["brackets", "numbers", "one line", "arrays over lines"])
def test_grouping_a_1_mb_message_takes_milliseconds(kind):
    """Issue 24 item 5: the grouping is linear in the message's length (a printed array can be huge)."""
    size = 1_000_000
    text = {"brackets": "[" * size, "numbers": "0.1 " * (size // 4), "one line": "x" * size,
            "arrays over lines": ("[[" + "1. " * 100 + "]\n") * (size // 304)}[kind]
    text += "\nRevisit: " + mistakes.MISCONCEPTIONS["global-rng"].title + " (2.2 Products)."
    started = time.perf_counter()
    failures.mistake_key(text)
    failures.not_attempted(text)
    assert failures.misconception(text)[0] == "global-rng"
    assert time.perf_counter() - started < 0.25


# ----------------------------------------------------------------- fast: a synthetic class with known mistakes
SECTION = {"variance-as-std": "3.3 LeCun", "global-rng": "2.2 Products", "fans-swapped": "4.2 He",
           "transposed": "1.4 Small random", "relu-half": "4.1 ReLU"}


def wrong(key):
    return ("misconception", key, SECTION[key])


PLAN = {  # student: {function or written answer: what went wrong}
    "s01": {"lecun_normal": wrong("variance-as-std"), "he_normal": wrong("variance-as-std"),
            "initialize_random": wrong("global-rng")},
    "s02": {"lecun_normal": wrong("variance-as-std"), "xavier_normal": wrong("variance-as-std")},
    "s03": {"he_normal": wrong("variance-as-std"), "random_matrix_product": wrong("global-rng"),
            "he_uniform": wrong("global-rng")},
    "s04": {"lecun_normal": wrong("fans-swapped"), "he_normal": wrong("fans-swapped")},
    "s05": {"initialize_random": wrong("global-rng"), "derive_backward": ("written", 3)},
    "s06": {"relu_second_moment": wrong("relu-half"), "backward_variances": wrong("relu-half")},
    "s07": {"lecun_normal": wrong("variance-as-std"), "derive_backward": ("written", 1)},
    "s08": {"initialize_random": wrong("transposed"), "xavier_normal": wrong("transposed"),  # 1 student, 4 cells
            "lecun_normal": wrong("transposed"), "he_normal": wrong("transposed"),
            "count_distinct_units": ("mistake", "count_distinct_units: rows within atol = 1e-06 counted as distinct")},
    "s09": {"initialize_zeros": "blank", "lecun_normal": "blank", "derive_backward": "blank",
            "derive_relu_second_moment": "blank"},
    "s10": {"derive_backward": ("written", 3), "derive_relu_second_moment": ("written", 2)},
    "s11": {"variance_scaling": wrong("fans-swapped"),
            "count_distinct_units": ("mistake", "count_distinct_units: rows within atol = 1e-08 counted as distinct")},
    "s12": {"missing": ["02_exploding_vanishing"]},
}


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    from coursetools.dev import synthetic
    root = synthetic.build(tmp_path_factory.mktemp("synthetic") / "course", PLAN)
    paths, summary = insight.build(root)
    return root, paths, summary


def test_misconceptions_are_ranked_by_students_affected_across_cells(synthetic):
    _, _, summary = synthetic
    ranked = [(m["key"], m["students"], m["cells"]) for m in summary["misconceptions"]]
    # transposed: 4 cells but 1 student, so after fans-swapped (2 students, 3 cells); relu-half: 1 student, 2 cells
    assert ranked == [("variance-as-std", 4, 6), ("global-rng", 3, 4), ("fans-swapped", 2, 3), ("transposed", 1, 4),
                      ("relu-half", 1, 2)]
    top = summary["misconceptions"][0]
    assert top["title"] == mistakes.MISCONCEPTIONS["variance-as-std"].title and top["of"] == 12
    assert top["codes"] == ["S01", "S02", "S03", "S07"]
    assert top["functions"] == [("03_xavier_derivation", "lecun_normal", 3), ("04_he_relu", "he_normal", 2),
                                ("03_xavier_derivation", "xavier_normal", 1)]
    assert top["sections"] == ["03: 3.3 LeCun", "04: 3.3 LeCun"]
    headline = insight.headline(summary).splitlines()
    assert headline[:2] == ["What to re-teach:", f"  4 of 12 students: {top['title']} (in lecun_normal, he_normal, "
                                                 "xavier_normal); revisit 03: 3.3 LeCun"]


def test_blank_work_is_did_not_attempt_never_a_mistake(synthetic):
    _, _, summary = synthetic
    blank = {(a["notebook"][:2], a["name"]): (a["blank"], len(a["missing"])) for a in summary["not_attempted"]}
    assert blank[("01", "initialize_zeros")] == (["S09"], 0)
    assert blank[("03", "lecun_normal")] == (["S09"], 0)
    assert blank[("03", "derive_backward")] == (["S09"], 0)
    assert blank[("02", "random_matrix_product")] == ([], 1)  # S12 did not submit notebook 02
    assert summary["blank_students"] == 1
    lecun = _function(summary, "test_lecun_normal")
    assert (lecun["full"], lecun["zero"], lecun["not_attempted"]) == (6, 5, 1)
    assert sum(m["count"] for m in lecun["mistakes"]) == 5
    assert not any("not implemented" in m["mistake"] for f in summary["functions"] for m in f["mistakes"])
    units = _mistakes(summary, "test_count_distinct_units")
    assert units == {"rows within atol = … counted as distinct": 2}  # two values, one mistake


def test_written_answers_have_their_score_distribution_beside_the_functions(synthetic):
    _, paths, summary = synthetic
    derive = _function(summary, "derive_backward")
    assert derive["kind"] == "manual" and derive["max_score"] == 3
    assert (derive["full"], derive["partial"], derive["not_attempted"], derive["waiting"]) == (2, 1, 1, 8)
    page = paths["html"].read_text()
    assert "<code>derive_backward</code> (written)" in page
    assert page.index('id="reteach"') < page.index('id="not-attempted"') < page.index('id="functions"')


@pytest.fixture
def loopback(monkeypatch):
    monkeypatch.setenv("INITLAB_BRIDGE", "loopback")


def _message(notebook, function, code):
    from test_hidden_tests import run_test_cell
    exc = run_test_cell(notebook, function, code)
    return str(exc), type(exc).__name__


@pytest.mark.parametrize("notebook", [pytest.param(nb, marks=[] if nb.startswith("03") else [pytest.mark.kernel])
                                      for nb in NOTEBOOKS])  # the whole catalogue takes a minute: 03 in `make fast`
def test_catalogued_mistakes_get_keys_without_numbers(loopback, notebook):
    """Every wrong variant's message reduces to a key with no varying number, and distinct hints stay distinct."""
    _, wrong = variants(notebook)
    for function in answer_cells(read(SOURCE / notebook)):
        keys = {}
        for code, hint in wrong.get(function, []):
            message, ename = _message(notebook, function, code)
            key = failures.mistake_key(message, ename)
            assert not re.search(r"(?<![A-Za-z_\d])\d+\.\d", key), (function, key)
            if hint:
                keys.setdefault(hint, set()).add(key)
        if len(keys) > 1:
            assert len(set.union(*keys.values())) > 1, f"{function}: every mistake got one key"


def test_the_two_missing_square_root_variants_of_lecun_share_a_key(loopback):
    first, second = [_message("03_xavier_derivation.ipynb", "lecun_normal", code) for code, _ in LECUN[:2]]
    assert failures.mistake_key(*first) == failures.mistake_key(*second)
    assert "missing square root" in failures.mistake_key(*first)


# ----------------------------------------------------------------- slow: a graded synthetic class
class SmallCourse(Course):
    """The course with only the notebooks in ``KEEP``."""

    def __init__(self, path):
        self.root = Path(path)
        self.root.mkdir(parents=True, exist_ok=True)
        dropped = [nb for nb in course.Course().notebooks() if nb not in KEEP]
        for name in COPIED:
            src = ROOT / name
            if src.is_dir():
                shutil.copytree(src, self.root / name,
                                ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints", *dropped))
            else:
                shutil.copy(src, self.root / name)
        self.nbgrader("generate_assignment", ASSIGNMENT, "--force")


def _variant_answers(kind):
    """The bench's 'variant' student (alternative correct implementations), on the kept notebooks."""
    from coursetools.dev.bench_grading import answers
    return {nb: code for nb, code in answers(kind, 1).items() if nb in KEEP}


def _with_written(overrides=None):
    """``overrides`` with a written answer in notebook 03 (left as released, nbgrader scores it 0 unasked)."""
    overrides = {nb: dict(code) for nb, code in (overrides or {}).items()}
    overrides.setdefault(KEEP[1], {})["derive_backward"] = "Var(dx) = n_out Var(W) Var(dy), so Var(W) = 1/n_out."
    return overrides


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    import nbformat
    from nbgrader.api import Gradebook

    from coursetools.grade import batch

    c = SmallCourse(tmp_path_factory.mktemp("insight") / "course")
    nb01, nb03 = KEEP
    c.submit_solutions("s1", _with_written(), only=KEEP)
    c.submit_solutions("s2", _with_written(_variant_answers("variant")), only=KEEP)
    c.submit_solutions("s3", _with_written({nb03: {"lecun_normal": LECUN[0][0]}}), only=KEEP)
    c.submit_solutions("s4", _with_written({nb03: {"lecun_normal": LECUN[1][0]}, nb01: {"count_distinct_units": EXIT}}),
                       only=KEEP)
    wrong = {nb03: {"lecun_normal": LECUN[3][0]}, nb01: {"initialize_zeros": UNFINISHED}}
    c.submit_solutions("s5", _with_written(wrong), only=KEEP)
    folder = c.submit_solutions("s6", {nb01: {"initialize_random": RANDOM[0][0]}}, only=[nb01])
    nb = nbformat.read(str(folder / nb01), as_version=4)  # a locked test cell deleted
    nb.cells = [cell for cell in nb.cells if course.grade_id(cell) != "test_initialize_zeros"]
    nbformat.write(nb, str(folder / nb01))
    batch.run(c.root, workers=2)
    c.submit_solutions("s7", _with_written({nb03: {"lecun_normal": LECUN[0][0]}}), only=KEEP)
    c.submit_solutions("s8", _with_written(), only=KEEP)
    for student in ("s7", "s8"):
        result = c.nbgrader("autograde", ASSIGNMENT, "--student", student, check=False)
        assert result.returncode == 0, result.stdout + result.stderr
    with Gradebook(f"sqlite:///{c.root / 'gradebook.db'}") as gb:
        for student, lms in LMS.items():
            gb.update_or_create_student(student, lms_user_id=lms)
        grade = gb.find_grade("test_initialize_zeros", nb01[:-6], ASSIGNMENT, "s5")
        grade.manual_score = 0.5  # a TA gave partial credit
        written = gb.find_grade("derive_backward", nb03[:-6], ASSIGNMENT, "s1")
        written.manual_score, written.needs_manual_grade = written.max_score, False
        gb.db.commit()
    paths, summary = insight.build(c.root)
    return c, paths, summary


def _function(summary, name):
    return next(f for f in summary["functions"] if f["name"] == name)


def _mistakes(summary, name):
    return {m["mistake"]: m["count"] for m in _function(summary, name)["mistakes"]}


@pytest.mark.slow
def test_report_counts_are_the_expected_ones(graded):
    _, _, summary = graded
    assert summary["students"] == 8
    lecun = _function(summary, "test_lecun_normal")
    assert (lecun["full"], lecun["partial"], lecun["zero"], lecun["not_attempted"]) == (3, 0, 4, 1)  # s6: no 03
    mistakes = _mistakes(summary, "test_lecun_normal")
    assert sorted(mistakes.values(), reverse=True) == [3, 1], mistakes
    top = max(mistakes, key=mistakes.get)
    assert "missing square root" in top and mistakes[top] == 3
    assert any(LECUN[3][1] in m for m in mistakes if mistakes[m] == 1)  # "transposed"
    assert insight.NOT_SUBMITTED not in mistakes  # s6's notebook 03 is listed with the submissions
    zeros = _function(summary, "test_initialize_zeros")
    assert (zeros["full"], zeros["partial"], zeros["zero"]) == (7, 1, 0)  # s6's deleted test cell was restored
    assert _mistakes(summary, "test_initialize_zeros") == {
        "raised RuntimeError: unfinished": 1}  # grouped per function: its name is left out
    units = _function(summary, "test_count_distinct_units")
    assert (units["full"], units["zero"]) == (7, 1)
    assert [m.split(":")[0] for m in _mistakes(summary, "test_count_distinct_units")] == ["KernelFault"]
    rnd = _mistakes(summary, "test_initialize_random")
    assert list(rnd.values()) == [1] and RANDOM[0][1] in next(iter(rnd))
    untouched = [f for f in summary["functions"] if f["kind"] == "autograded" and f["name"] not in
                 {"test_lecun_normal", "test_initialize_zeros", "test_count_distinct_units", "test_initialize_random"}]
    for f in untouched:
        assert f["full"] == 8 - (f["notebook"] == KEEP[1][:-6]), f  # s6 did not submit 03
    assert summary["waiting"] == [{"notebook": KEEP[1][:-6], "name": "derive_backward", "waiting": 6, "of": 8,
                                   "students": ["S02", "S03", "S04", "S05", "S07", "S08"]}]


@pytest.mark.slow
def test_report_lists_what_did_not_grade_cleanly_and_times(graded):
    _, _, summary = graded
    found = {(sid, cat) for _, sid, cat, _, _ in summary["problems"]}
    assert {sid for sid, _ in found} == {"s4", "s6"}, summary["problems"]
    assert {("s4", "fault"), ("s4", "tampering"), ("s6", "missing"), ("s6", "tampering")} == found
    timing = {t.id: t.timing for t in summary["timed"]}
    assert all(timing[f"s{i}"] == "batch" for i in range(1, 7))
    assert "file times" in timing.values()


@pytest.mark.slow
def test_csv_has_one_row_per_student_and_graded_cell_with_the_same_counts(graded):
    c, paths, summary = graded
    rows = list(csv.DictReader(paths["csv"].open()))
    cells = len(summary["functions"])  # the test cells and the written answer
    assert len(rows) == 8 * cells
    lecun = [r for r in rows if r["cell"] == "test_lecun_normal"]
    assert sum(r["outcome"] == "zero" for r in lecun) == 4 and sum(r["outcome"] == "not attempted" for r in lecun) == 1
    assert sum("missing square root" in r["mistake"] for r in lecun) == 3
    assert {r["student_id"] for r in lecun if "missing square root" in r["mistake"]} == {"s3", "s4", "s7"}
    assert [r["score"] for r in rows if r["cell"] == "test_initialize_zeros" and r["student_id"] == "s5"] == ["0.5"]
    assert sum(r["outcome"] == "waiting" for r in rows) == 6


@pytest.mark.slow
def test_html_is_inert_and_names_no_student(graded):
    c, paths, _ = graded
    page = paths["html"].read_text()
    meta = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    policy = html.unescape(meta.group(1)) if meta else ""
    assert "default-src 'none'" in policy and "script-src" not in policy and "img-src data:;" in policy
    assert "<script" not in page.lower() and not re.search(r"\son\w+=", page)
    assert not re.search(r"""(src|href)=(?!["']?(data:image/png;base64,|#))""", page)
    text = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", page)  # base64 can spell "s4" between "/"s
    for student in [f"s{i}" for i in range(1, 9)]:
        found = re.search(rf"\b{student}\b", text)
        assert not found, text[found.start() - 300:found.end() + 100]
    assert html.escape("initialize_zeros: raised RuntimeError") in page
    named = insight.build(c.root, names=True, out=c.root / "named")[0]["html"].read_text()
    assert "S04 (s4)" in named


@pytest.mark.slow
def test_html_renders_offline_in_chromium_with_its_figures(graded):
    pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    from coursetools.dev import browser
    if browser.CHROMIUM is None:
        pytest.skip("Chromium is not installed (make test installs it as root)")
    _, paths, _ = graded
    with browser.chromium() as chrome:
        page = chrome.new_page()
        requests, violations = [], []
        page.on("request", lambda r: requests.append(r.url))
        page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
        page.goto(paths["html"].as_uri())
        page.wait_for_load_state("load")
        widths = page.eval_on_selector_all("img", "imgs => imgs.map(i => i.complete ? i.naturalWidth : 0)")
        assert len(widths) == 3 and all(w > 0 for w in widths), widths
        assert page.locator("table.mistakes").count() == 4
        assert all(u.startswith(("file:", "data:")) for u in requests), requests
        assert not violations, violations
        page.close()


def test_the_batch_ends_with_the_report(monkeypatch):
    """``python -m coursetools autograde`` (cli.autograde) builds the report after grading, whatever the grades."""
    from coursetools import cli
    from coursetools.grade import batch
    calls = []
    monkeypatch.setattr(batch, "run", lambda **kwargs: ("report", False))
    monkeypatch.setattr(insight, "after_batch", lambda *args: calls.append(args))
    assert cli.autograde() == 1
    assert calls == [()]
