"""Which names of the notebook a test cell reads: what the trusted test kernel fetches from the student's kernel
before the cell runs (``initlab.bridge.client``), and what autograding keeps running for it
(``coursetools.grade.demo_cells``). One analysis for both, so that they agree by construction.

It imports nothing of the package: the course tools load this file on its own.
"""

import ast
import builtins


def free_names(source):
    """Names a cell reads without defining them (and that are not builtins)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    loaded, bound = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (loaded if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.alias):
            bound.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
    return loaded - bound - set(dir(builtins))
