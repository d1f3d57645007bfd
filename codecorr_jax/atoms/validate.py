"""Validation of atoms: the properties that make an atom safe to train on and to compose.

Static checks read the declaration and the source text (the text a model learns to write):
snake_case name, a description ending in a period, at least five distinct hand-worked examples,
a `def` line equal to the rendered signature (so a docstring prompt plus the body is the
program), no docstring, comment, default argument or inner import, only declared standard-library
modules, no builtin that does I/O or depends on the process.

Dynamic checks run the compiled atom: every example passes (compared as canonical JSON); the
seeded generator is deterministic and yields argument tuples of the declared types; on each
generated input the atom returns (no exception, within a time limit), does not modify its
arguments, returns the same value twice, never returns None, returns the declared type, and its
value survives a JSON round trip; outputs take at least two distinct values; the median call is
under a millisecond. A last check reruns every atom's *program text* in child processes with
other string-hash seeds, which catches outputs that depend on set iteration order. Across
atoms, names must be unique and no two atoms may compute the same outputs on shared probes.

Every problem is one line that starts with the atom's name and says what to fix.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import copy
import io
import json
import os
import random
import re
import signal
import statistics
import subprocess
import symtable
import sys
import threading
import time
import tokenize
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from codecorr_jax.atoms.probes import atom_fingerprint
from codecorr_jax.atoms.spec import Atom, AtomError
from codecorr_jax.canonical import canonical_json, json_roundtrip_equal

MIN_EXAMPLES = 5
MIN_DISTINCT_OUTPUTS = 2
MEDIAN_CALL_LIMIT_S = 1e-3
CALL_TIME_LIMIT_S = 1.0  # a single call (or generator draw) that runs longer is reported as hung
HASH_SEEDS = ("1", "2")  # string-hash seeds for the cross-process rerun
CHILD_TIMEOUT_S = 60.0

# Builtins an atom may not use: I/O, code execution, or values that differ between processes.
FORBIDDEN_BUILTINS = frozenset({
    "open", "input", "print", "eval", "exec", "compile", "__import__", "globals", "locals",
    "vars", "id", "hash", "breakpoint", "exit", "quit", "help", "memoryview",
})

_SNAKE_CASE = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")


def value_has_type(value: Any, type_str: str) -> bool:
    """True if `value` is exactly of atom type `type_str` (bool is not an int; tuples not lists)."""
    if type_str == "int":
        return type(value) is int
    if type_str == "bool":
        return type(value) is bool
    if type_str == "str":
        return type(value) is str
    if type_str.startswith("list[") and type_str.endswith("]"):
        inner = type_str[len("list["):-1]
        return type(value) is list and all(value_has_type(v, inner) for v in value)
    raise ValueError(f"unknown atom type {type_str!r}")


class _Hung(BaseException):
    """Raised inside a call that overran CALL_TIME_LIMIT_S (BaseException: atoms can't catch it)."""


@contextlib.contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the body after `seconds` (main thread on POSIX only; elsewhere no limit)."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def on_alarm(signum: int, frame: Any) -> None:
        raise _Hung()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _short(value: Any, limit: int = 120) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _canonical_or_none(value: Any) -> str | None:
    try:
        return canonical_json(value)
    except (TypeError, ValueError):
        return None


# ----------------------------------------------------------------------------- static checks


def _static_problems(atom: Atom) -> list[str]:
    where = f"atom {atom.name!r}"
    problems = []
    if not _SNAKE_CASE.fullmatch(atom.name):
        problems.append(f"{where}: name must be snake_case (lowercase words joined by '_')")
    if not atom.description.strip():
        problems.append(f"{where}: description is empty")
    elif not atom.description.endswith("."):
        problems.append(f"{where}: description must end with a period")
    distinct = {_canonical_or_none(list(args)) for args, _ in atom.examples}
    if len(distinct) < MIN_EXAMPLES:
        problems.append(
            f"{where}: has {len(distinct)} distinct hand-written examples, needs at least "
            f"{MIN_EXAMPLES}"
        )
    for module in atom.imports:
        if module.split(".")[0] not in sys.stdlib_module_names:
            problems.append(f"{where}: import {module!r} is not a standard-library module")
    problems += _source_problems(atom, where)
    return problems


def _source_problems(atom: Atom, where: str) -> list[str]:
    problems = []
    fn_node = ast.parse(atom.source).body[0]
    assert isinstance(fn_node, ast.FunctionDef)  # spec guarantees a plain function definition
    first_line = atom.source.splitlines()[0].strip()
    if first_line != atom.signature:
        problems.append(
            f"{where}: the def line must be exactly {atom.signature!r} (one line, this spelling) "
            f"so that prompt and program agree; found {first_line!r}"
        )
    if ast.get_docstring(fn_node) is not None:
        problems.append(f"{where}: remove the docstring; the description lives in the decorator")
    arguments = fn_node.args
    if (arguments.defaults or arguments.kw_defaults or arguments.vararg or arguments.kwarg
            or arguments.kwonlyargs or arguments.posonlyargs):
        problems.append(f"{where}: use plain positional arguments only (no defaults, *, **, /)")
    for node in ast.walk(fn_node):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            problems.append(
                f"{where}: move the import at line {node.lineno} into the decorator's imports=()"
            )
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            problems.append(f"{where}: global/nonlocal state is not allowed (atoms are pure)")
    tokens = tokenize.generate_tokens(io.StringIO(atom.source).readline)
    if any(tok.type == tokenize.COMMENT for tok in tokens):
        problems.append(f"{where}: remove comments from the body; it is training text")
    problems += _free_name_problems(atom, where)
    return problems


def _free_name_problems(atom: Atom, where: str) -> list[str]:
    """Names the function reads from outside itself must be allowed builtins or declared imports."""
    allowed = set(dir(builtins)) | {m.split(".")[0] for m in atom.imports} | {atom.name}
    table = symtable.symtable(atom.program, f"<atom {atom.name}>", "exec")
    free: set[str] = set()
    pending = list(table.get_children())
    while pending:
        scope = pending.pop()
        pending.extend(scope.get_children())
        for symbol in scope.get_symbols():
            if symbol.is_global() and symbol.is_referenced() and not symbol.is_assigned():
                free.add(symbol.get_name())
    problems = []
    for name in sorted(free - allowed):
        problems.append(
            f"{where}: uses {name!r}, which is neither a builtin nor a declared import "
            f"(declare standard-library modules with imports=(...))"
        )
    for name in sorted(free & FORBIDDEN_BUILTINS):
        problems.append(
            f"{where}: uses builtin {name!r}; atoms must be pure (no I/O, no process-dependent "
            f"values)"
        )
    return problems


# ---------------------------------------------------------------------------- dynamic checks


class _Run:
    """Outcome of one call: the value, or why there is none, and the time it took."""

    __slots__ = ("value", "error", "hung", "seconds", "mutated")

    def __init__(self, atom: Atom, args: tuple) -> None:
        arg_copy = copy.deepcopy(args)
        self.value: Any = None
        self.error: str | None = None
        self.hung = False
        start = time.perf_counter()
        try:
            with _time_limit(CALL_TIME_LIMIT_S):
                self.value = atom.fn(*arg_copy)
        except _Hung:
            self.hung = True
            self.error = f"did not return within {CALL_TIME_LIMIT_S:g} s (later calls skipped)"
        except Exception as exc:  # noqa: BLE001 - any exception is the finding
            self.error = f"raised {type(exc).__name__}: {_short(str(exc), 80)}"
        self.seconds = time.perf_counter() - start
        self.mutated = _canonical_or_none(list(arg_copy)) != canonical_json(list(args))


def _args_problem(atom: Atom, args: Any) -> str | None:
    """Why `args` is not a valid argument tuple for `atom` (None if it is)."""
    if not isinstance(args, tuple):
        return f"is a {type(args).__name__}, not a tuple"
    if len(args) != len(atom.params):
        return f"has {len(args)} values for {len(atom.params)} arguments"
    for (name, type_str), value in zip(atom.params, args):
        if not value_has_type(value, type_str):
            return f"argument {name!r} = {_short(value, 60)} is not a {type_str}"
    return None


def _example_problems(atom: Atom) -> tuple[list[str], bool]:
    """Problems with the hand-written examples, and whether a call hung (stop testing then)."""
    where = f"atom {atom.name!r}"
    problems = []
    for args, expected in atom.examples:
        shown = _short(args)
        bad_args = _args_problem(atom, args)
        if bad_args:
            problems.append(f"{where}: example {shown}: {bad_args}")
            continue
        if not value_has_type(expected, atom.returns) or not json_roundtrip_equal(expected):
            problems.append(
                f"{where}: example {shown}: expected value {_short(expected)} is not a JSON "
                f"{atom.returns}"
            )
            continue
        run = _Run(atom, args)
        if run.hung:
            return problems + [f"{where}: example {shown}: {run.error}"], True
        if run.error:
            problems.append(f"{where}: example {shown}: {run.error}")
        elif _canonical_or_none(run.value) != canonical_json(expected):
            problems.append(
                f"{where}: example {shown}: expected {_short(expected)}, got {_short(run.value)}"
            )
    return problems, False


def _generate(atom: Atom, n_inputs: int, seed: int) -> list[Any]:
    rng = random.Random(seed)
    inputs = []
    for _ in range(n_inputs):
        with _time_limit(CALL_TIME_LIMIT_S):
            inputs.append(atom.generate(rng))
    return inputs


class _Findings:
    """First occurrence and count of each kind of problem over the generated inputs."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.first: dict[str, str] = {}
        self.count: dict[str, int] = {}

    def add(self, kind: str, message: str) -> None:
        self.first.setdefault(kind, message)
        self.count[kind] = self.count.get(kind, 0) + 1

    def messages(self) -> list[str]:
        out = []
        for kind, message in self.first.items():
            more = self.count[kind] - 1
            out.append(f"{self.where}: {message}" + (f" (and {more} more inputs)" if more else ""))
        return out


def _dynamic_problems(
    atom: Atom, n_inputs: int, seed: int
) -> tuple[list[str], list[tuple], list[str]]:
    """Problems over generated inputs, plus the good inputs and their canonical outputs."""
    where = f"atom {atom.name!r}"
    try:
        inputs = _generate(atom, n_inputs, seed)
        again = _generate(atom, n_inputs, seed)
    except _Hung:
        return [f"{where}: generator did not return within {CALL_TIME_LIMIT_S:g} s"], [], []
    except Exception as exc:  # noqa: BLE001
        return [f"{where}: generator raised {type(exc).__name__}: {_short(str(exc), 80)}"], [], []
    findings = _Findings(where)
    if repr(inputs) != repr(again):
        findings.add("gen-seed", "generator is not deterministic: the same seed gave other inputs "
                                 "(draw every random choice from the rng argument)")
    good_inputs, outputs, times = [], [], []
    for args in inputs:
        bad_args = _args_problem(atom, args)
        if bad_args:
            findings.add("gen-type", f"generated input {_short(args)} {bad_args}")
            continue
        shown = _short(args)
        first = _Run(atom, args)
        if first.hung:
            findings.add("hung", f"{first.error} on generated input {shown}")
            break
        second = _Run(atom, args)
        times.append(first.seconds)
        if first.error or second.error:
            findings.add("total", f"{first.error or second.error} on generated input {shown}")
            continue
        if first.mutated:
            findings.add("pure", f"modifies its arguments on input {shown}; work on a copy")
        if first.value is None:
            findings.add("none", f"returns None on input {shown}")
            continue
        if not value_has_type(first.value, atom.returns):
            findings.add("type", f"returns {_short(first.value, 60)} "
                                 f"({type(first.value).__name__}), declared {atom.returns}, on "
                                 f"input {shown}")
            continue
        if not json_roundtrip_equal(first.value):
            findings.add("json", f"output {_short(first.value, 60)} does not survive a JSON round "
                                 f"trip on input {shown}")
            continue
        out1, out2 = canonical_json(first.value), _canonical_or_none(second.value)
        if out1 != out2:
            findings.add("determinism", f"is not deterministic: input {shown} gave "
                                        f"{_short(first.value, 50)} then {_short(second.value, 50)}")
            continue
        good_inputs.append(args)
        outputs.append(out1)
    problems = findings.messages()
    if not problems:
        distinct = len(set(outputs))
        if distinct < MIN_DISTINCT_OUTPUTS:
            problems.append(
                f"{where}: only {distinct} distinct output(s) over {n_inputs} generated inputs; "
                f"needs at least {MIN_DISTINCT_OUTPUTS} (vary the generator or the function)"
            )
        if times and statistics.median(times) > MEDIAN_CALL_LIMIT_S:
            problems.append(
                f"{where}: median call takes {statistics.median(times) * 1e3:.2f} ms, limit "
                f"{MEDIAN_CALL_LIMIT_S * 1e3:g} ms (use smaller generated inputs)"
            )
    return problems, good_inputs, outputs


# ------------------------------------------------------------------ cross-process determinism

# Runs in a child process: exec each program text alone and print its canonical outputs.
_CHILD = """
import io, json, sys
from codecorr_jax.canonical import canonical_json
results = {}
out, sys.stdout = sys.stdout, io.StringIO()
for job in json.load(sys.stdin):
    try:
        namespace = {}
        exec(compile(job["program"], "<atom " + job["name"] + ">", "exec"), namespace)
        fn = namespace[job["name"]]
        results[job["name"]] = [canonical_json(fn(*args)) for args in job["inputs"]]
    except Exception as exc:
        results[job["name"]] = type(exc).__name__ + ": " + str(exc)
json.dump(results, out)
"""


def _cross_process_problems(runs: Sequence[tuple[Atom, list[tuple], list[str]]]) -> list[str]:
    """Rerun each atom's program in fresh processes with other hash seeds; report differences."""
    runs = [run for run in runs if run[1]]
    if not runs:
        return []
    payload = json.dumps([
        {"name": atom.name, "program": atom.program, "inputs": [list(a) for a in inputs]}
        for atom, inputs, _ in runs
    ])
    package_root = str(Path(__file__).resolve().parents[2])
    problems = []
    for hash_seed in HASH_SEEDS:
        env = dict(os.environ, PYTHONHASHSEED=hash_seed)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
        try:
            child = subprocess.run(
                [sys.executable, "-c", _CHILD], input=payload, capture_output=True, text=True,
                env=env, timeout=CHILD_TIMEOUT_S, check=False,
            )
        except subprocess.TimeoutExpired:
            names = ", ".join(atom.name for atom, _, _ in runs)
            return [f"cross-process check of {names}: did not finish in {CHILD_TIMEOUT_S:g} s"]
        if child.returncode != 0:
            return [f"cross-process check failed to run: {child.stderr.strip()[-500:]}"]
        results = json.loads(child.stdout)
        for atom, inputs, outputs in runs:
            where = f"atom {atom.name!r}"
            got = results[atom.name]
            if isinstance(got, str):
                problems.append(f"{where}: its program text fails when run on its own: {got}")
                continue
            for args, mine, theirs in zip(inputs, outputs, got):
                if mine != theirs:
                    problems.append(
                        f"{where}: output depends on the process (PYTHONHASHSEED={hash_seed}): "
                        f"input {_short(args)} gave {mine[:50]} here and {theirs[:50]} there; do "
                        f"not rely on set or hash order (sort instead)"
                    )
                    break
        if problems:
            break
    return problems


# ------------------------------------------------------------------------------ entry points


def validate_atoms(
    atoms: Sequence[Atom], n_inputs: int = 50, seed: int = 0,
    on_atom: Callable[[Atom, list[str]], None] | None = None, cross_process: bool = True,
) -> list[str]:
    """All problems of `atoms`, each on its own and together (duplicate names or semantics).

    `on_atom(atom, its_problems)` is called after each atom's own checks (for progress output).
    `cross_process=False` skips the rerun in child processes (two process starts).
    """
    problems: list[str] = []
    seen: dict[str, Atom] = {}
    for atom in atoms:
        if atom.name in seen:
            problems.append(
                f"atom {atom.name!r}: duplicate name, declared in topics "
                f"{seen[atom.name].topic!r} and {atom.topic!r}"
            )
        seen.setdefault(atom.name, atom)
    runs, clean = [], []
    for atom in atoms:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            example_problems, hung = _example_problems(atom)
            own = _static_problems(atom) + example_problems
            if hung:  # one hang is enough; don't wait for 50 more
                dynamic, inputs, outputs = [], [], []
            else:
                dynamic, inputs, outputs = _dynamic_problems(atom, n_inputs, seed)
        own += dynamic
        if on_atom is not None:
            on_atom(atom, own)
        problems += own
        runs.append((atom, inputs, outputs))
        if not own:
            clean.append(atom)
    if cross_process:
        problems += _cross_process_problems(runs)
    by_fingerprint: dict[str, Atom] = {}
    for atom in clean:
        other = by_fingerprint.setdefault(atom_fingerprint(atom), atom)
        if other is not atom:
            problems.append(
                f"atom {atom.name!r}: computes the same outputs as {other.name!r} on their "
                f"shared probe inputs; make it a different function"
            )
    return problems


def validate_atom(
    atom: Atom, n_inputs: int = 50, seed: int = 0, cross_process: bool = True
) -> list[str]:
    """Problems of one atom (empty if it is fine); every message names the atom and the reason."""
    return validate_atoms([atom], n_inputs=n_inputs, seed=seed, cross_process=cross_process)


def check_atom(atom: Atom, n_inputs: int = 50, seed: int = 0) -> None:
    """Raise AtomError listing every problem of `atom`, if it has any."""
    problems = validate_atom(atom, n_inputs=n_inputs, seed=seed)
    if problems:
        raise AtomError("\n".join(problems))
