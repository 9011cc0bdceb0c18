"""Tricks, faults and broken submissions, graded by the real batch (`python -m coursetools autograde`).

Every student below submits notebook 01 solved except for one trick or fault
(the other notebooks are missing, so they score 0, unless stated). After one
real autograde of the whole class, each test asserts the exact score of every
test cell: the trick or fault costs its own cell and nothing else.
"""

import json
import os
import subprocess
import sys
import textwrap

import nbformat
import pytest
from notebooks import ASSIGNMENT, NOTEBOOKS, RELEASE, SOURCE, answer_cells, grade_cells, read
from submissions import Course, filled, solutions

from coursetools.grade import batch, sandbox
from coursetools.report import review

pytestmark = pytest.mark.slow

NB = "01_symmetry_breaking.ipynb"
WRONG_COUNT = "def count_distinct_units(W, atol=1e-6):\n    return W.shape[0] + 1\n"
SOLVED = solutions(NB)


def code(text):
    return textwrap.dedent(text).strip() + "\n"


def _tests_after(grade_id):
    """The test cells after cell ``grade_id`` of notebook 01: a notebook's fourth hang (course.MAX_FAULTS) abandons
    them."""
    ids = [cell.metadata.get("nbgrader", {}).get("grade_id") for cell in read(SOURCE / NB).cells]
    return {gid for gid in ids[ids.index(grade_id) + 1:] if gid and gid.startswith("test_")}


# student -> (answer cells replaced in notebook 01, test cells expected to score 0)
TRICKS = {
    "trick_numpy": ({"count_distinct_units": WRONG_COUNT + code("""
        import numpy
        numpy.allclose = lambda *a, **k: True
        numpy.isclose = lambda *a, **k: True
        numpy.var = numpy.std = lambda *a, **k: 0.0
        numpy.testing.assert_allclose = lambda *a, **k: None
        numpy.array_equal = lambda *a, **k: True
        numpy.max = lambda *a, **k: 0.0
    """)}, {"test_count_distinct_units"}),
    "trick_builtins": ({"count_distinct_units": WRONG_COUNT + code("""
        import builtins
        builtins.abs = lambda x: 0
        builtins.round = lambda *a: 0
        builtins.sorted = lambda x, **k: list(x)
        builtins.max = lambda *a, **k: 0
    """)}, {"test_count_distinct_units"}),
    "trick_custom_exc": ({"count_distinct_units": WRONG_COUNT + code("""
        get_ipython().set_custom_exc((BaseException,), lambda *a, **k: None)
    """)}, {"test_count_distinct_units"}),
    "trick_excepthook": ({"count_distinct_units": WRONG_COUNT + code("""
        import sys
        sys.excepthook = lambda *a: None
        get_ipython().showtraceback = lambda *a, **k: None
        get_ipython().ast_transformers.append(__import__("ast").NodeTransformer())
    """)}, {"test_count_distinct_units"}),
    "trick_builtins_namespace": ({"count_distinct_units": WRONG_COUNT + code("""
        import builtins
        __builtins__ = dict(vars(builtins), abs=lambda x: 0, len=lambda x: 2, list=lambda x=(): [2])
    """)}, {"test_count_distinct_units", "test_initialize_random"}),  # the student's own later answer uses len
    "trick_tracer": ({"count_distinct_units": WRONG_COUNT + code("""
        import sys
        def tracer(frame, event, arg):
            return tracer
        sys.settrace(tracer)
    """)}, {"test_count_distinct_units"}),
    "trick_rebind_checks": ({"count_distinct_units": WRONG_COUNT + code("""
        check = lambda *a, **k: None
        as_int = lambda *a, **k: 2
        import initlab.checks
        vars(initlab.checks)["check"] = lambda *a, **k: None
        try:
            initlab.checks.as_int = lambda *a, **k: 2
        except AttributeError:
            pass
    """)}, {"test_count_distinct_units"}),
    # what the old in-kernel design could not stop: replacing the checks before a test imports them,
    # a hook that reads every cell the kernel runs, listening to every kernel's messages on loopback
    "trick_fake_checks_module": ({"count_distinct_units": WRONG_COUNT + code("""
        import sys, types
        fake = types.ModuleType("initlab.checks")
        for name in ("check", "check_close", "check_raises", "check_rng_use", "check_weight_sample", "passed"):
            setattr(fake, name, lambda *a, **k: None)
        fake.call = lambda fn, *a, **k: fn(*a, **k)
        fake.as_int = lambda *a, **k: 2
        fake.close = lambda *a, **k: True
        sys.modules["initlab.checks"] = fake
    """)}, {"test_count_distinct_units"}),
    "trick_replace_import": ({"count_distinct_units": WRONG_COUNT + code("""
        import builtins, types
        real_import = builtins.__import__
        fake = types.ModuleType("initlab.checks")
        fake.__getattr__ = lambda name: (lambda *a, **k: 2 if name == "as_int" else None)
        def fake_import(name, globals=None, locals=None, fromlist=(), level=0):
            if name == "initlab.checks":
                return fake
            return real_import(name, globals, locals, fromlist, level)
        builtins.__import__ = fake_import
    """)}, {"test_count_distinct_units"}),
    "trick_read_running_cells": ({"initialize_zeros": SOLVED["initialize_zeros"] + code("""
        seen = []
        ip = get_ipython()
        ip.events.register("pre_run_cell", lambda info: seen.append(info.raw_cell))
        ip.input_transformers_post.append(lambda lines: seen.append("".join(lines)) or lines)
    """), "answer_random_bias": SOLVED["answer_random_bias"] + 'print("\\n=====\\n".join(seen))\n'}, set()),
    "trick_sniff_kernels": ({"initialize_zeros": SOLVED["initialize_zeros"] + code("""
        import glob, threading, zmq
        heard = []
        def listening_ports():
            lines = open("/proc/net/tcp").read().splitlines()[1:]
            return {int(p[1].split(":")[1], 16) for p in (ln.split() for ln in lines) if p[3] == "0A"}
        def sniff():
            ctx, poller = zmq.Context(), zmq.Poller()
            endpoints = [f"tcp://127.0.0.1:{port}" for port in listening_ports()]
            endpoints += ["ipc://" + path for path in glob.glob("/tmp/**/*", recursive=True)]
            for endpoint in endpoints:
                sub = ctx.socket(zmq.SUB)
                sub.setsockopt(zmq.SUBSCRIBE, b"")
                sub.connect(endpoint)
                poller.register(sub, zmq.POLLIN)
            while True:
                for sub, _ in poller.poll(500):
                    heard.append(b" ".join(sub.recv_multipart()).decode(errors="replace"))
        threading.Thread(target=sniff, daemon=True).start()
    """), "answer_random_bias": SOLVED["answer_random_bias"] + 'print("\\n=====\\n".join(heard))\n'}, set()),
    "trick_random_state": ({"initialize_random": code("""
        import numpy as np
        np.random.seed(0)
        np.random.default_rng = lambda *a, **k: np.random.Generator(np.random.PCG64(0))
        def initialize_random(layer_dims, scale=0.01, rng=None):
            rng = np.random.default_rng()
            return {k: v for l in range(1, len(layer_dims)) for k, v in (
                (f"W{l}", scale * rng.standard_normal((layer_dims[l], layer_dims[l - 1]))),
                (f"b{l}", np.zeros((layer_dims[l], 1))))}
    """)}, {"test_initialize_random"}),
    "trick_lying_objects": ({"count_distinct_units": code("""
        class Liar(int):
            def __eq__(self, other):
                return True
            __hash__ = int.__hash__
        def count_distinct_units(W, atol=1e-6):
            return Liar(99)
    """)}, {"test_count_distinct_units"}),
    "trick_read_solutions": ({"initialize_zeros": SOLVED["initialize_zeros"] + code("""
        import glob
        for pattern in ("../../../source/*/*.ipynb", "../../../gradebook.db", "../../*/initialization/*.ipynb",
                        "/root/*", "../../../release/*/*.ipynb"):
            for path in glob.glob(pattern):
                try:
                    print(path, open(path, errors="replace").read()[:100000])
                except Exception as exc:
                    print("blocked:", path, type(exc).__name__)
    """)}, set()),
    "trick_write_outside": ({"initialize_zeros": SOLVED["initialize_zeros"] + code("""
        import glob
        for pattern in ("../../../gradebook.db", "../../*/initialization/*.ipynb", "initlab/checks.py",
                        "../../../source/initialization/initlab/checks.py", "../../../nbgrader_config.py"):
            for path in glob.glob(pattern):
                try:
                    open(path, "w").write("")
                    print("emptied", path)
                except Exception as exc:
                    print("blocked:", path, type(exc).__name__)
    """)}, set()),
    "trick_proc_escape": ({"initialize_zeros": SOLVED["initialize_zeros"] + code("""
        import os
        for pid in (p for p in os.listdir("/proc") if p.isdigit()):
            for path in ("cwd/source/initialization/01_symmetry_breaking.ipynb", "cwd/gradebook.db", "cwd/PWNED"):
                try:
                    if path.endswith("PWNED"):
                        open(f"/proc/{pid}/{path}", "w").write("x")
                    else:
                        print(open(f"/proc/{pid}/{path}", errors="replace").read()[:100000])
                except Exception as exc:
                    print("blocked:", pid, type(exc).__name__)
    """)}, set()),
    "trick_symlink_to_source": ({"initialize_zeros": SOLVED["initialize_zeros"] + code("""
        import os
        os.symlink("COURSE_ROOT/source/initialization/02_exploding_vanishing.ipynb", "02_exploding_vanishing.ipynb")
        os.symlink("COURSE_ROOT/source/initialization", "leak")
    """)}, set()),
    "trick_planted_module": ({"count_distinct_units": WRONG_COUNT + code("""
        open("numpy.py", "w").write("raise SystemExit('a planted numpy.py was imported')\\n")
        open("initlab_hack.py", "w").write("x = 1\\n")
    """), "answer_random_bias": "import os\nos._exit(0)\n"}, {"test_count_distinct_units", "test_answer_random_bias"}),
    "trick_rebind_during_call": ({"count_distinct_units": code("""
        def count_distinct_units(W, atol=1e-6):
            globals()["check"] = lambda *a, **k: None
            globals()["as_int"] = lambda *a, **k: 2
            return W.shape[0] + 1
    """)}, {"test_count_distinct_units"}),
    "trick_read_expected": ({"count_distinct_units": code("""
        def count_distinct_units(W, atol=1e-6):
            return globals().get("expected", 2)
    """)}, {"test_count_distinct_units"}),
    "trick_print_history": ({"answer_random_bias": SOLVED["answer_random_bias"] + 'print("\\n=====\\n".join(In))\n'},
                            set()),
    "fault_infinite_loop": ({"count_distinct_units": code("""
        def count_distinct_units(W, atol=1e-6):
            while True:
                pass
    """)}, {"test_count_distinct_units"}),
    "fault_ignores_sigint": ({"count_distinct_units": code("""
        import signal
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        def count_distinct_units(W, atol=1e-6):
            while True:
                pass
    """)}, {"test_count_distinct_units"}),
    "fault_many_hangs": ({"initialize_constant": "def initialize_constant(layer_dims, value):\n    return None\n",
                          "count_distinct_units": "def count_distinct_units(W, atol=1e-6):\n    while True:\n"
                                                  "        pass\n",
                          "initialize_random": "def initialize_random(*args, **kwargs):\n    while True:\n"
                                               "        pass\n",
                          "answer_random_bias": "import time\ntime.sleep(3600)\n",
                          "__added__": "while True:\n    pass\n"},
                         {"test_initialize_constant", "test_count_distinct_units", "test_initialize_random",
                          "test_answer_random_bias", *_tests_after("answer_random_bias")}),
    "fault_exit_in_function": ({"initialize_zeros": code("""
        import os
        def initialize_zeros(layer_dims):
            os._exit(1)
    """)}, {"test_initialize_zeros"}),
    "fault_exit_at_top_level": ({"initialize_constant": SOLVED["initialize_constant"] + "import os\nos._exit(0)\n"},
                                {"test_initialize_constant"}),
    "fault_segfault": ({"initialize_random": code("""
        import ctypes
        def initialize_random(layer_dims, scale=0.01, rng=None):
            return ctypes.string_at(0)
    """)}, {"test_initialize_random"}),
    "fault_memory": ({"count_distinct_units": code("""
        import numpy as np
        def count_distinct_units(W, atol=1e-6):
            big = np.ones((200_000, 200_000))
            return big.shape[0]
    """)}, {"test_count_distinct_units"}),
    "fault_syntax_error": ({"initialize_constant": "def initialize_constant(layer_dims, value)\n    return {}\n"},
                           {"test_initialize_constant"}),
    "fault_returns_none": ({"initialize_zeros": "def initialize_zeros(layer_dims):\n    pass\n"},
                           {"test_initialize_zeros"}),
    "fault_raises": ({"initialize_zeros": "def initialize_zeros(layer_dims):\n    raise RuntimeError('oops')\n"},
                     {"test_initialize_zeros"}),
    "honest_noisy": ({"initialize_zeros": code("""
        import sys
        import warnings
        import numpy as np
        print("x" * 2_000_000)
        def initialize_zeros(layer_dims):
            print("debugging", layer_dims)
            print("to stderr", file=sys.stderr)
            warnings.warn("a harmless warning")
            np.float64(1.0) / np.float64(0.0)
            return {k: v for l in range(1, len(layer_dims)) for k, v in (
                (f"W{l}", np.zeros((layer_dims[l], layer_dims[l - 1]))), (f"b{l}", np.zeros((layer_dims[l], 1))))}
        for _ in range(3000):
            print("flood " * 50)
    """)}, set()),
}


def expected_scores(course, student, zero, submitted=(NB,)):
    """{notebook: {test id: score}}: full marks except ``zero``; missing notebooks score 0."""
    out = {}
    for nb, scores in course.scores(student).items():
        out[nb] = {g: (0 if nb not in submitted or g in zero else mx) for g, (_, mx) in scores.items()}
    return out


def actual_scores(course, student):
    return {nb: {g: s for g, (s, _) in scores.items()} for nb, scores in course.scores(student).items()}


def edited_notebook(course, edit):
    nb = filled(NB, SOLVED, course.root / "release" / ASSIGNMENT)
    edit(nb.cells)
    return nb


def _find(cells, grade_id):
    return next(i for i, c in enumerate(cells) if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def _empty_test(cells):
    cells[_find(cells, "test_initialize_zeros")].source = ""


def _delete_test(cells):
    del cells[_find(cells, "test_count_distinct_units")]


def _inflate_points(cells):
    cells[_find(cells, "test_initialize_random")].metadata["nbgrader"]["points"] = 100


def _rename_test(cells):
    cells[_find(cells, "test_initialize_constant")].metadata["nbgrader"]["grade_id"] = "my_cell"


def _duplicate_and_move(cells):
    answer = _find(cells, "initialize_zeros")
    test = _find(cells, "test_initialize_zeros")
    cells[answer], cells[test] = cells[test], cells[answer]  # the test now comes before its answer
    stub = nbformat.v4.new_code_cell("def count_distinct_units(W, atol=1e-6):\n    raise NotImplementedError()")
    stub.metadata = cells[_find(cells, "count_distinct_units")].metadata
    cells.insert(_find(cells, "count_distinct_units"), stub)  # an older copy above the answer


def _pasted_answer(cells):
    i = _find(cells, "initialize_constant")
    cells.insert(i, nbformat.v4.new_code_cell(cells[i].source))  # the answer pasted into a new cell
    cells[i + 1].source = "# moved my answer up\n"


EDITS = {"edit_empty_test": _empty_test, "edit_delete_test": _delete_test, "edit_points": _inflate_points,
         "edit_grade_id": _rename_test, "edit_duplicate_and_move": _duplicate_and_move,
         "edit_pasted_answer": _pasted_answer}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    with pytest.MonkeyPatch.context() as env:  # short cells for this class only
        env.setenv("COURSE_CELL_TIMEOUT", "8")
        return _grade_the_class(tmp_path_factory.mktemp("robust"))


def _grade_the_class(root):
    course = Course(root)
    for student, (answers, _) in TRICKS.items():
        answers = {k: v.replace("COURSE_ROOT", str(course.root)) for k, v in answers.items()}
        nb = filled(NB, {**SOLVED, **answers}, course.root / "release" / ASSIGNMENT)
        if "__added__" in answers:  # a cell the student added, after the answer of initialize_random
            at = _find(nb.cells, "initialize_random") + 1
            nb.cells.insert(at, nbformat.v4.new_code_cell(answers["__added__"]))
        course.submit(student, {NB: nb})
    for student, edit in EDITS.items():
        course.submit(student, {NB: edited_notebook(course, edit)})
    # whole submissions: a crash in 01 must not cost the other notebooks
    course.submit_solutions("crash_keeps_other_notebooks", {NB: TRICKS["fault_exit_in_function"][0]})
    folder = course.submit_solutions("batch_files", only=[n for n in NOTEBOOKS if n != NB])
    (folder / "02_exploding_vanishing.ipynb").rename(folder / "02_exploding_vanishing (1).ipynb") \
        if (folder / "02_exploding_vanishing.ipynb").exists() else None
    (folder / NB).write_text("{ this is not json")
    (folder / "numpy.py").write_text("raise SystemExit('a submitted numpy.py must never be imported')\n")
    (folder / "notes.txt").write_text("extra file")
    foreign = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    foreign.cells[0].metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "points": 5,
                                            "grade_id": "test_other_course", "schema_version": 3}
    course.submit("batch_foreign", {NB: foreign})
    report, _ = batch.run(course.root)
    course.report = report
    return course


@pytest.mark.parametrize("student", sorted(TRICKS))
def test_trick_or_fault_costs_only_its_own_cell(graded, student):
    _, zero = TRICKS[student]
    assert actual_scores(graded, student) == expected_scores(graded, student, zero)


@pytest.mark.parametrize("student", sorted(EDITS))
def test_edits_to_locked_cells_are_undone(graded, student):
    assert actual_scores(graded, student) == expected_scores(graded, student, set())
    for nb, scores in graded.scores(student).items():
        release_points = {c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"]["points"]
                          for c in read(RELEASE / nb).cells
                          if c.metadata.get("nbgrader", {}).get("grade_id", "").startswith("test_")}
        assert {g: mx for g, (_, mx) in scores.items()} == release_points


def test_a_kernel_crash_keeps_the_other_notebooks(graded):
    expected = expected_scores(graded, "crash_keeps_other_notebooks", {"test_initialize_zeros"}, NOTEBOOKS)
    assert actual_scores(graded, "crash_keeps_other_notebooks") == expected


def test_renamed_corrupt_and_extra_files(graded):
    if NOTEBOOKS == [NB]:
        pytest.skip("needs the other notebooks (COURSE_NOTEBOOKS narrows the run to notebook 01)")
    submitted = [n for n in NOTEBOOKS if n != NB]
    assert actual_scores(graded, "batch_files") == expected_scores(graded, "batch_files", set(), submitted)
    section = graded.report.split("**batch_files**")[1].split("- **")[0]
    assert "could not be read" in section and "extra file ignored: numpy.py" in section
    if len(NOTEBOOKS) > 1:
        assert "(renamed)" in section


def test_foreign_notebook_scores_zero_with_a_note(graded):
    assert actual_scores(graded, "batch_foreign") == expected_scores(graded, "batch_foreign", set(), ())
    assert "unknown grade_id 'test_other_course'" in graded.report


def test_report_lists_every_submission_that_did_not_grade_cleanly(graded):
    for student in ("fault_infinite_loop", "fault_exit_in_function", "edit_delete_test", "batch_files"):
        section = graded.report.split(f"**{student}**")[1].split("- **")[0]
        assert "see notes" in section or "FAILED" in section, section
    assert "missing: graded as unanswered" in graded.report


def test_student_code_cannot_read_or_write_outside_its_folder(graded):
    def outputs(student):
        """What the tricked answer cell printed."""
        cells = graded.autograded(student, NB)["cells"]
        return json.dumps(next(c["outputs"] for c in cells
                               if c["metadata"].get("nbgrader", {}).get("grade_id") == "initialize_zeros"))

    reader = outputs("trick_read_solutions")
    assert "blocked" in reader or "SOLUTION" not in reader
    for secret in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "SQLite format", "def initialize_zeros", "cell_type"):
        assert secret not in reader, secret
    writer = outputs("trick_write_outside")
    assert "emptied ../../../gradebook.db" not in writer or sandbox.unavailable_reason() is not None
    assert (graded.root / "gradebook.db").stat().st_size > 0
    assert (graded.root / "source" / ASSIGNMENT / "initlab" / "checks.py").stat().st_size > 0
    assert (graded.root / "nbgrader_config.py").stat().st_size > 0
    for student in ("trick_numpy", "fault_memory"):
        assert graded.autograded(student, NB)["cells"], "another student's autograded notebook was damaged"
    escape = outputs("trick_proc_escape")
    for secret in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "SQLite format", "cell_type"):
        assert secret not in escape, secret
    assert not (graded.root / "PWNED").exists()
    folder = graded.root / "autograded" / "trick_symlink_to_source" / ASSIGNMENT
    assert not [p for p in folder.rglob("*") if p.is_symlink()], "a symlink made by student code survived"
    assert not (graded.root / "autograded" / "trick_planted_module" / ASSIGNMENT / "numpy.py").exists()


def hidden_test_lines(notebook):
    """Lines of the hidden tests of ``notebook`` that the visible part of the cell does not also have."""
    lines = set()
    for cell in grade_cells(read(SOURCE / notebook)).values():
        visible, _, rest = cell.source.partition("### BEGIN HIDDEN TESTS")
        hidden = rest.partition("### END HIDDEN TESTS")[0]
        lines |= {ln.strip() for ln in hidden.splitlines() if len(ln.strip()) > 20 and ln.strip() not in visible}
    return lines


@pytest.mark.parametrize("student", ["trick_print_history", "trick_read_running_cells", "trick_sniff_kernels"])
def test_no_hidden_test_reaches_student_code(graded, student):
    """Student code that reads every cell its kernel runs, or listens to every kernel's messages, hears no test."""
    cells = graded.autograded(student, NB)["cells"]
    printed = json.dumps([c["outputs"] for c in cells if c["metadata"].get("nbgrader", {}).get("solution")])
    if student == "trick_read_running_cells":  # the hook saw the grader's calls, and nothing of the tests
        assert "initlab.bridge" in printed, "the hook should have seen the code the grader ran in the kernel"
    assert "BEGIN HIDDEN TESTS" not in printed
    if student != "trick_sniff_kernels" or sandbox.unavailable_reason() is None:
        leaked = [line for line in hidden_test_lines(NB) if line in printed]
        assert not leaked, leaked


def test_sandbox_is_on_where_bubblewrap_runs(graded):
    if sandbox.unavailable_reason() is None:
        assert "Sandbox: on" in graded.report
    else:
        assert "Sandbox: OFF" in graded.report


def test_huge_output_is_truncated_and_honest_noise_keeps_its_points(graded):
    size = (graded.root / "autograded" / "honest_noisy" / ASSIGNMENT / NB).stat().st_size
    assert size < 1_000_000


def test_rerunning_and_concurrent_batches_are_safe(graded):
    before = actual_scores(graded, "fault_returns_none")
    cmd = [sys.executable, "-m", "coursetools", "autograde", "--student", "fault_returns_none"]
    env = dict(os.environ, PYTHONPATH=str(graded.root))
    runs = [subprocess.Popen(cmd, cwd=graded.root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True) for _ in range(2)]
    outputs = [run.communicate(timeout=600)[0] for run in runs]
    assert all("fault_returns_none" in out for out in outputs)
    assert any("waiting" in out for out in outputs), outputs
    assert actual_scores(graded, "fault_returns_none") == before


def test_review_flags_tricks_and_faults_but_no_honest_solution(graded):
    flagged = {student for student, _, _ in review.scan(graded.root)}
    for student in ("trick_numpy", "trick_builtins", "trick_custom_exc", "trick_excepthook", "trick_random_state",
                    "trick_read_solutions", "trick_write_outside", "fault_exit_in_function", "fault_segfault",
                    "fault_ignores_sigint"):
        assert student in flagged, student
    for nb in NOTEBOOKS:
        for fn, _cell in answer_cells(read(SOURCE / nb)).items():
            assert review.flags(solutions(nb)[fn]) == [], (nb, fn)
