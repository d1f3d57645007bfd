"""Why a held-out composite failed: a class per completion, from its verdict and its source.

A composite's reference defines one helper per atom, named after the atom, and chains them in
the entry point. So a failing program that calls a function it never defines has a *missing
helper*; one that defines and chains other functions than the task's atoms picked a *wrong
atom*; otherwise a run-time error or a wrong value is the helper bodies' (or the wiring's).
"""

from __future__ import annotations

import ast
import builtins
import warnings
from typing import Sequence

CLASSES = ("pass", "syntax error", "missing helper", "wrong atom", "runtime error",
           "wrong value", "timeout / memory")
_RESOURCE = {"timeout", "memory_exceeded", "crashed"}


def _names(tree: ast.AST) -> tuple[set[str], set[str]]:
    """(functions defined anywhere, plain names called anywhere)."""
    defined = {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef,
                                                                 ast.AsyncFunctionDef))}
    called = {n.func.id for n in ast.walk(tree)
              if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    return defined, called


def classify(verdict: str, program: str, entry_point: str, atoms: Sequence[str]) -> str:
    """One of CLASSES for a program (prompt + completion) and the executor's verdict."""
    if verdict == "pass":
        return "pass"
    if verdict == "syntax_error":
        return "syntax error"
    if verdict in _RESOURCE:
        return "timeout / memory"
    try:
        with warnings.catch_warnings():  # a generated program's odd literals: no console noise
            warnings.simplefilter("ignore", SyntaxWarning)
            tree = ast.parse(program)
    except SyntaxError:  # the executor compiled more (or less) than this text: by its verdict
        return "runtime error" if verdict == "runtime_error" else "wrong value"
    defined, called = _names(tree)
    local = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and
             isinstance(n.ctx, ast.Store)} | {a.arg for a in ast.walk(tree)
                                               if isinstance(a, ast.arg)}
    if called - defined - local - set(dir(builtins)):
        return "missing helper"
    helpers = set(defined) - {entry_point}
    if atoms and helpers and helpers != set(atoms):  # no helper at all: an inline attempt
        return "wrong atom"
    return "runtime error" if verdict == "runtime_error" else "wrong value"
