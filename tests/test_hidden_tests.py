"""The hidden tests accept every catalogued correct implementation and reject every wrong one.

Fast and in-process: each case runs a notebook's setup cell, one implementation
and that function's test cell in a fresh namespace, with every call sent through
the same plain-data encoding as during autograding (``INITLAB_BRIDGE=loopback``). The real nbgrader round trip
is in test_grading_pipeline.py; tricks and faults are in test_robustness.py.
"""

import ast
import traceback

import pytest
import verdicts
from initlab import bridge, mistakes
from notebooks import NOTEBOOKS, SOURCE, answer_cells, grade_cells, read, run_test_source, variants

NO_KEY = object()  # a catalogue entry without the misconception key its message names


def _cases():
    for name in NOTEBOOKS:
        nb = read(SOURCE / name)
        correct, wrong = variants(name)
        for fn, cell in answer_cells(nb).items():
            yield pytest.param(name, fn, cell.source, True, None, None, id=f"{name[:2]}-{fn}-solution")
            for i, src in enumerate(correct.get(fn, [])):
                yield pytest.param(name, fn, src, True, None, None, id=f"{name[:2]}-{fn}-correct{i}")
            for i, entry in enumerate(wrong.get(fn, [])):
                src, hint = entry
                yield pytest.param(name, fn, src, False, hint, getattr(entry, "key", NO_KEY),
                                   id=f"{name[:2]}-{fn}-wrong{i}")


@pytest.fixture(autouse=True)
def loopback(monkeypatch):
    monkeypatch.setenv("INITLAB_BRIDGE", "loopback")


def run_test_cell(notebook, function, implementation):
    """Run setup, ``implementation`` and the test cell of ``function``; return the exception or None."""
    return run_test_source(notebook, implementation, grade_cells(read(SOURCE / notebook))[f"test_{function}"].source)


def source_of_test(notebook, function):
    return grade_cells(read(SOURCE / notebook))[f"test_{function}"].source


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_every_catalogued_implementation_has_a_recorded_verdict(notebook):
    """No variant is lost from a catalogue, and a new one is recorded (``python tests/verdicts.py``)."""
    nb = read(SOURCE / notebook)
    correct, wrong = variants(notebook)
    record = verdicts.recorded()[notebook]
    for fn in answer_cells(nb):
        now = {verdicts.key(src) for src in [*correct.get(fn, []), *(s for s, _ in wrong.get(fn, []))]}
        assert not set(record.get(fn, {})) - now, f"{fn}: a recorded implementation left the catalogue"
        assert not now - set(record.get(fn, {})), f"{fn}: record the new variants' verdicts: python tests/verdicts.py"


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_every_graded_function_has_wrong_variants(notebook):
    correct, wrong = variants(notebook)
    answers = answer_cells(read(SOURCE / notebook))
    tests = grade_cells(read(SOURCE / notebook))
    assert set(tests) == {f"test_{fn}" for fn in answers}, "one test cell test_<name> per answer cell"
    missing = [fn for fn in answers if not wrong.get(fn)]
    assert not missing, f"no wrong implementations catalogued for {missing}"
    assert set(correct) | set(wrong) <= set(answers), "variants name a function the notebook does not grade"


def _bound_names(source):
    """The names a cell binds at its top level: an answer cell's function, or its answer variable (whose name may
    differ from the cell's grade id, e.g. 03's answer_wide_to_narrow in the cell answer_harmonic)."""
    body = ast.parse(source).body
    return ({node.name for node in body if isinstance(node, ast.FunctionDef)}
            | {target.id for node in body if isinstance(node, ast.Assign) for target in node.targets
               if isinstance(target, ast.Name)})


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_test_cells_read_nothing_of_the_notebook_but_graded_names(notebook):
    """During autograding a test cell runs in the trusted kernel, where only the names it reads of the
    student's notebook are bound (functions and answers of graded cells): everything else it imports."""
    nb = read(SOURCE / notebook)
    graded = set(answer_cells(nb)) | {name for cell in answer_cells(nb).values() for name in _bound_names(cell.source)}
    for test_id, cell in grade_cells(nb).items():
        extra = bridge.free_names(cell.source) - graded
        assert not extra, f"{test_id} reads {sorted(extra)}, which only the student's kernel has: import it"


def _answer_name(notebook, grade_id):
    """The name a graded answer cell defines: its grade id, or the one name it binds (an answer renamed while its
    grade id, which the gradebook knows, stays)."""
    names = _bound_names(answer_cells(read(SOURCE / notebook))[grade_id].source)
    return grade_id if grade_id in names or len(names) != 1 else names.pop()


def _named_mistakes():
    """(function, Mistake) of every mistake the answer key and initlab.named_mistakes name."""
    import importlib
    import pkgutil
    from types import SimpleNamespace

    import answerkey
    from answerkey.common import Answer
    from initlab import named_mistakes, samples

    for info in pkgutil.iter_modules(answerkey.__path__):
        module = importlib.import_module(f"answerkey.{info.name}")
        for answer in vars(module).values():
            if isinstance(answer, Answer):
                yield from ((answer.name, w.mistake) for w in answer.wrongs)
        for name, (_, wrong) in getattr(module, "CHOICES", {}).items():
            yield from ((name, mistake) for mistake in wrong.values())
    for name, space in vars(named_mistakes).items():
        if isinstance(space, SimpleNamespace):
            yield from ((name.lower(), m) for m in vars(space).values())
    for function, rule, distribution in (
            ("lecun_normal", "lecun", "normal"), ("xavier_normal", "glorot", "normal"), ("he_normal", "he", "normal"),
            ("xavier_uniform", "glorot", "uniform"), ("he_uniform", "he", "uniform"),
            ("initialize_network", "glorot", "normal"), ("initialize_network", "he", "normal")):
        yield from ((function, m) for m in samples.rule_mistakes(rule, 400, 100, distribution))


def test_every_named_mistake_fits_on_a_first_line_and_names_a_known_misconception():
    from initlab import mistakes as vocabulary
    for function, mistake in _named_mistakes():
        assert len(f"{function}: {mistake.text}") <= 88, f"too long for a first line: {function}: {mistake.text}"
        assert mistake.key is None or mistake.key in vocabulary.MISCONCEPTIONS, mistake
        assert vocabulary.notebook_of(function), f"{function} is not in initlab.mistakes.GRADED"


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_every_wrong_variant_says_which_misconception_it_shows(notebook):
    _, wrong = variants(notebook)
    unkeyed = [f"{fn} #{i}" for fn, entries in wrong.items() for i, e in enumerate(entries) if not hasattr(e, "key")]
    assert not unkeyed, f"catalogue entries without a misconception key (source, hint, key): {unkeyed}"


@pytest.mark.parametrize("notebook,function,implementation,accepted,hint,key", list(_cases()))
def test_hidden_tests_judge_implementation(notebook, function, implementation, accepted, hint, key):
    exc = run_test_cell(notebook, function, implementation)
    was = verdicts.recorded()[notebook].get(function, {}).get(verdicts.key(implementation))
    now = verdicts.stage(exc, source_of_test(notebook, function))
    assert was is None or (now == was or (was, now) == ("hidden", "visible")), (
        f"the verdict changed from {was!r} to {now!r}: " + "".join(traceback.format_exception(exc) if exc else []))
    if accepted:
        assert exc is None, "a correct implementation failed:\n" + "".join(traceback.format_exception(exc))
        return
    assert exc is not None, f"a wrong implementation of {function} passed:\n{implementation}"
    frames = [f.filename for f in traceback.extract_tb(exc.__traceback__)]
    raised_by_student = isinstance(exc, bridge.RaisedByStudent) or "<implementation>" in frames
    assert isinstance(exc, AssertionError) or raised_by_student, (
        "the test cell itself crashed:\n" + "".join(traceback.format_exception(exc)))
    if hint is not None:
        assert hint.lower() in str(exc).lower(), f"message should mention {hint!r}, got: {exc}"
    first = str(exc).splitlines()[0] if str(exc) else ""
    name = _answer_name(notebook, function)
    assert first.startswith(f"{name}: ") and len(first) <= 88, (
        f"the first line should be '{name}: <the mistake>', at most 88 characters:\n{exc}")
    if key is not NO_KEY:
        assert mistakes.identify(str(exc)) == key, f"the message should name the misconception {key!r}:\n{exc}"


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_release_stubs_fail_with_a_friendly_message(notebook):
    from notebooks import RELEASE
    release = read(RELEASE / notebook)
    for fn, cell in answer_cells(release).items():
        exc = run_test_cell(notebook, fn, cell.source)
        assert exc is not None, f"the unimplemented stub of {fn} passed its tests"


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_no_test_cell_ends_in_a_value(notebook):
    """A test cell's last expression would print its value (a weight matrix, say) into the TA's notebook and every
    student's feedback: the executed source shows none."""
    shown = [test_id for test_id, cell in grade_cells(read(SOURCE / notebook)).items()
             if any(out.output_type == "execute_result" for out in cell.get("outputs", []))]
    assert not shown, f"test cells that print a value: {shown}"
