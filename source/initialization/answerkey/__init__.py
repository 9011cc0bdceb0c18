"""The answer key of the hidden tests: reference computations and the mistakes they name.

Never released and never visible to a student's kernel: ``nbgrader_config.py`` leaves this folder out of
``generate_assignment`` and out of what ``autograde`` copies beside a submission (``c.CourseDirectory.ignore``).
The hidden tests import it in the trusted test kernel (whose PYTHONPATH is ``source/initialization``), and
under nbval (whose kernel runs in that folder); the visible tests never do.

One module per notebook, named by its topic (``symmetry``, ``chains``, ``xavier``, ``relu``, ``uniform``,
``playground``), and ``common`` (what they share). A mistake is written once, as a wrong implementation
(``common.Wrong``): the hidden tests run it on their case to know the value that mistake gives, and the
variant catalogues (``tests/variants/``) import it as an implementation the tests must reject, with its name.
"""
