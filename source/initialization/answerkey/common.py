"""What the answer-key modules share: a graded function's reference and wrong implementations, run on a case.

A hidden test hands an ``Answer`` the student's results on its cases (``check``): the reference gives what they
should be; when they are not, each wrong implementation gives what its ``Mistake`` would have given, and the
mistake the results match is named (``initlab.checks.check_value``). The variant catalogues list the same wrong
implementations (``catalogue``).
"""

import contextlib
import io
import warnings
from typing import NamedTuple

import numpy as np
from initlab.checks import Mistake, check_value, closest_mistake, copied, fail, matches


class Wrong(NamedTuple):
    """A plausible wrong implementation (its source) and the mistake it makes."""

    mistake: Mistake
    source: str


class Case(NamedTuple):
    """A hidden test's case: the arguments of the call, and what kind of case it is (never its values)."""

    args: tuple
    kwargs: dict
    about: str


def case(about, *args, **kwargs):
    return Case(args, kwargs, about)


def cases_of(*arguments):
    """Cases that are calls with the positional ``arguments`` (tuples), one after the other."""
    return [Case(tuple(args), {}, f"hidden case {k}") for k, args in enumerate(arguments, start=1)]


def wrong(mistake, source):
    """A wrong implementation ``source`` that makes ``mistake`` (one of ``initlab.named_mistakes``)."""
    return Wrong(mistake, source)


def formula(name, params, expr):
    """The source of ``def name(params): return expr`` (with numpy as np)."""
    return f"\nimport numpy as np\ndef {name}({params}):\n    return {expr}\n"


def define(source, name):
    """The function ``name`` that ``source`` defines."""
    space = {}
    exec(compile(source, f"<answerkey {name}>", "exec"), space)
    return space[name]


def run(fn, args, kwargs):
    """``fn`` called on copies of the arguments, quietly (overflow warnings of a wrong formula are expected)."""
    with warnings.catch_warnings(), np.errstate(all="ignore"), contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        return fn(*[copied(a) for a in args], **{k: copied(v) for k, v in kwargs.items()})


class Answer:
    """The reference implementation of the graded function ``name`` and its plausible wrong ones."""

    def __init__(self, name, reference, wrongs=()):
        self.name, self.reference, self.wrongs = name, reference, list(wrongs)
        self._functions = None

    def _compiled(self):
        if self._functions is None:
            self._functions = (define(self.reference, self.name),
                               [(w.mistake, define(w.source, self.name)) for w in self.wrongs])
        return self._functions

    def expected(self, *args, **kwargs):
        """What the reference gives for the arguments."""
        return run(self._compiled()[0], args, kwargs)

    def outcomes(self, *args, **kwargs):
        """(expected value, {Mistake: the value it gives}) for the arguments; a wrong one that fails is left out."""
        reference, wrongs = self._compiled()
        table = {}
        for mistake, fn in wrongs:
            with contextlib.suppress(Exception):
                table[mistake] = run(fn, args, kwargs)
        return run(reference, args, kwargs), table

    def outcomes_over(self, cases):
        """(expected values, {Mistake: the values it gives}) over every case; a wrong one that fails on one of
        them is left out (it cannot have given a student's results on all of them)."""
        expected = [self.expected(*c.args, **c.kwargs) for c in cases]
        reference, wrongs = self._compiled()
        table = {}
        for mistake, fn in wrongs:
            with contextlib.suppress(Exception):
                table[mistake] = [run(fn, c.args, c.kwargs) for c in cases]
        return expected, table

    def check(self, got, cases, rtol=1e-9, atol=1e-12):
        """A hidden check of the results ``got`` of ``cases``: the mistake that explains every result, else the
        first case that fails, named by its kind and by a mistake that gives its result, if one does."""
        if matches(got, [self.expected(*c.args, **c.kwargs) for c in cases], rtol, atol):
            return  # the wrong implementations run only to name a mistake
        expected, table = self.outcomes_over(cases)
        found = closest_mistake(got, expected, table, rtol, atol)
        if found:
            fail(found.text, found.detail, key=found.key)
        for value, one in zip(got, cases):
            expected_one, table_one = self.outcomes(*one.args, **one.kwargs)
            check_value(value, expected_one, one.about, table_one, rtol, atol, hidden=True)

    def catalogue(self, hints=None, keys=None):
        """The wrong implementations as catalogue entries (source, hint, misconception key). The hint is the
        mistake's text and the key its key, unless ``hints`` or ``keys`` {start of the text: ...} say otherwise
        (where a check that runs first, the visible test's, names the mistake in its own words)."""
        def pick(table, text, default):
            return next((value for start, value in (table or {}).items() if text.startswith(start)), default)

        return [(w.source, pick(hints, w.mistake.text, w.mistake.text), pick(keys, w.mistake.text, w.mistake.key))
                for w in self.wrongs]


def not_quite(text, key=None):
    """The mistake of a wrong option of a multiple-choice question (it never says which option is right)."""
    return Mistake(f"not quite: {text}", key)
