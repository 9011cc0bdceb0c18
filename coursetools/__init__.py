"""Instructor and TA tools of the course, a package per stage of a submission's way:

``collect`` (into submitted/) → ``grade`` (staged, autograded in a sandbox, merged into the gradebook) →
``report`` (review list, insight page, grades for the LMS, feedback); ``course`` answers every fact of the
course, ``outcomes`` holds what can happen to a submission as data, ``pipeline`` the steps nbgrader_config.py
installs, ``instructor`` the release; ``dev`` holds the developer tools. ``python -m coursetools --help`` from
the course root.
"""

import importlib.util as _importlib_util
import sys as _sys
import threading as _threading


def _defer_iri_grammar():
    """Compile the IRI grammar of ``rfc3987_syntax`` when an IRI is first checked, not at import.

    ``jsonschema`` imports it for its ``iri`` format checker, and every process of the course imports jsonschema
    (through nbformat): its 38 Earley parsers took 1.2 s to build in the batch and in every worker, and the
    course never checks an IRI. A stand-in module loads the real one on its first
    use: ``is_valid_syntax``, the function jsonschema imports, or any other attribute."""
    name = "rfc3987_syntax"
    if name in _sys.modules:
        return
    spec = _importlib_util.find_spec(name)
    if spec is None:
        return
    stand_in, lock = _sys.modules.setdefault(name, type(_sys)(name)), _threading.Lock()

    def real():
        with lock:
            if _sys.modules.get(name) is stand_in:
                module = _importlib_util.module_from_spec(spec)
                _sys.modules[name] = module
                try:
                    spec.loader.exec_module(module)
                except BaseException:
                    _sys.modules[name] = stand_in
                    raise
            return _sys.modules[name]

    stand_in.__getattr__ = lambda attribute: getattr(real(), attribute)
    stand_in.is_valid_syntax = lambda term, value: real().is_valid_syntax(term, value)  # jsonschema's import
    stand_in.__spec__, stand_in.__path__ = spec, list(spec.submodule_search_locations or ())


_defer_iri_grammar()
