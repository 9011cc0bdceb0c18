"""A review list for TAs: ``python -m coursetools review``.

Scans the code cells students wrote or added in submitted/ and lists those that
patch modules, builtins or the kernel, reach outside the submission's folder,
end the process, or run code made at run time (``exec(bytes.fromhex(...))`` hides
everything else from this list). A flag is a place to look, not a verdict; honest solutions
to these notebooks never need any of it.
"""

import ast
import json
import sys
from pathlib import Path

from ..course import ROOT, Course, grade_id, is_answer_cell, source_text

KERNEL_NAMES = {"get_ipython", "set_custom_exc", "excepthook", "displayhook", "showtraceback", "ast_transformers",
                "input_transformers_post", "run_cell", "run_cell_async", "do_execute", "events", "kernel",
                "register_magic_function", "__import__", "__builtins__", "__dict__", "__class__", "__code__",
                "__globals__", "modules", "settrace", "setprofile", "gc", "ctypes", "signal", "faulthandler",
                "globals", "vars", "f_globals", "f_locals", "f_back", "_getframe", "co_consts", "In", "Out", "_ih",
                "_oh", "initlab", "checks", "bridge", "REPLY", "listen", "zmq", "symlink", "pre_run_cell", "register"}
ESCAPE_ROOTS = {"sys", "subprocess", "signal", "ctypes", "multiprocessing", "threading"}
FILE_ROOTS = {"os", "shutil", "glob", "pathlib", "Path", "io", "open"}
HIDDEN_CODE = {"exec", "eval", "compile", "fromhex", "b64decode", "a85decode", "b85decode", "decompress", "loads",
               "unhexlify"}  # code made at run time, or decoded: what it does is not in the source
TRUSTED_MODULES = {"np", "numpy", "builtins", "sys", "initlab", "checks", "math", "random", "os", "IPython",
                   "warnings", "matplotlib", "plt"}


def _dotted(node):
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts))


def flags(source):
    """Reasons a TA should look at this code (an empty list when there are none)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        try:  # IPython magics and shell escapes are not Python
            tree = ast.parse("\n".join(ln for ln in source.splitlines() if not ln.lstrip().startswith(("%", "!"))))
        except SyntaxError as exc:
            return [f"syntax error (line {exc.lineno})"]
        found = ["uses IPython magics or shell escapes (% or !)"]
    else:
        found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
            targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
            for target in targets:
                name = _dotted(target) if isinstance(target, ast.Attribute) else ""
                if isinstance(target, ast.Subscript):
                    name = _dotted(target.value) + "[...]"
                if isinstance(target, ast.Name):
                    name = target.id
                if name and name.split(".")[0].split("[")[0] in TRUSTED_MODULES | {"get_ipython"}:
                    found.append(f"line {node.lineno}: assigns to {name} (patches a module or the kernel)")
        elif isinstance(node, ast.Call):
            name = _dotted(node.func)
            last = name.rsplit(".", 1)[-1]
            if last in ("setattr", "delattr") and node.args and _dotted(node.args[0]).split(".")[0] in TRUSTED_MODULES:
                found.append(f"line {node.lineno}: {last} on {_dotted(node.args[0])}")
            elif name.split(".")[0] in ESCAPE_ROOTS or name in ("exit", "quit", "os._exit", "os.system", "os.kill"):
                found.append(f"line {node.lineno}: calls {name} (ends the process, runs a program or signals)")
            elif name.split(".")[0] in FILE_ROOTS:
                found.append(f"line {node.lineno}: calls {name} (files)")
            elif name.split(".")[0] == "np" and last in ("seed", "set_state"):
                found.append(f"line {node.lineno}: calls {name} (global random state)")
            elif last in HIDDEN_CODE:
                found.append(f"line {node.lineno}: calls {name} (code or data decoded at run time: read what it is)")
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            modules = [a.name for a in node.names] + ([node.module] if isinstance(node, ast.ImportFrom) else [])
            for module in filter(None, modules):
                if module.split(".")[0] in {"os", "sys", "subprocess", "shutil", "ctypes", "builtins", "importlib",
                                            "gc", "signal", "inspect", "pathlib", "glob", "socket", "IPython",
                                            "ipykernel", "faulthandler", "threading", "multiprocessing", "initlab"}:
                    found.append(f"line {node.lineno}: imports {module}")
        elif isinstance(node, ast.Name) and node.id in KERNEL_NAMES:
            found.append(f"line {node.lineno}: uses {node.id}")
        elif isinstance(node, ast.Attribute) and node.attr in KERNEL_NAMES:
            found.append(f"line {node.lineno}: uses .{node.attr}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and "../" in node.value:
            found.append(f"line {node.lineno}: path outside the submission: {node.value!r}")
    return sorted(set(found), key=lambda f: (len(f.split(":")[0]), f))


class Unreadable(str):
    """In place of a cell's source: why a file or cell could not be analysed (a flag in itself)."""


def student_cells(path, released=frozenset()):
    """(label, source) of the code cells a student wrote: answer cells and cells not in the release."""
    try:
        nb = json.loads(Path(path).read_text())
        items = list(enumerate(nb["cells"]))
    except Exception as exc:  # deep JSON (RecursionError), no memory, not a notebook: this file's problem
        return [("file", Unreadable(f"unreadable notebook: {type(exc).__name__}: {str(exc)[:200]}"))]
    cells = []
    for i, cell in items:
        try:
            source, gid = source_text(cell), grade_id(cell)
            if cell.get("cell_type") != "code" or (gid and not is_answer_cell(cell)) or source in released:
                continue
            cells.append((str(gid or f"added cell {i}"), source))
        except Exception as exc:
            cells.append((f"cell {i}", Unreadable(f"malformed cell: {type(exc).__name__}")))
    return cells


def released_sources(root):
    """Sources of every released cell (a student's unchanged copy of one is not worth a look)."""
    course, sources = Course(root), set()
    for path in (course.release / name for name in course.notebooks()):
        if path.is_file():
            sources.update(source_text(c) for c in json.loads(path.read_text()).get("cells", []))
    return frozenset(sources)


def scan(root=ROOT):
    """{(student, notebook, cell label): [flags]} for every flagged cell in submitted/."""
    course, report = Course(root), {}
    released = released_sources(root)
    for student in course.students():
        for path in sorted(course.submission(student).glob("*.ipynb")):
            for label, source in student_cells(path, released):
                try:
                    found = [source] if isinstance(source, Unreadable) else flags(source)
                except Exception as exc:  # e.g. RecursionError or MemoryError in ast.parse of deeply nested code
                    found = [f"could not be analysed ({type(exc).__name__}); read it"]
                if found:
                    report[(student, path.name, label)] = found
    return report


def main(root=ROOT):
    report = scan(root)
    for (student, notebook, label), found in report.items():
        print(f"{student} / {notebook} / {label}")
        for flag in found:
            print(f"    {flag}")
    print(f"\n{len(report)} flagged cell(s) in {len({k[0] for k in report})} submission(s).", file=sys.stderr)
    return 0
