"""Prompts, reference solutions and task records for composites.

Follows the atoms' conventions (codecorr_jax/atoms/render.py) and reuses its renderers:
- the description is the atoms' own descriptions as numbered steps, each saying where its
  arguments come from (an argument of the function, an earlier step's result, or a constant);
- the solution is the composed entry point first, then the atoms it calls (their exact source),
  with the imports of all of them once at the top. The entry point comes first so that a
  docstring-style prompt (imports + `def` + docstring) followed by its completion (everything
  after the `def` line) is the whole program, as for atoms;
- tests are filled in from outputs computed in the executor sandbox (synth/validate.py).
"""

from __future__ import annotations

import ast
import dataclasses
import hashlib
from typing import Any, Mapping, Sequence

from codecorr_jax import atoms
from codecorr_jax.atoms.render import (TASK_FIELDS, _check_style, _import_lines,
                                       render_docstring, render_instruction)
from codecorr_jax.synth.compose import Arg, Composite, chain_of

ENTRY_PREFIX = "composed_"


@dataclasses.dataclass(frozen=True)
class Wording:
    """How much of its composition a composite's prompt and solution spell out (`synth`
    config fields of the same names; both off by default, the study's harder form).

    name_steps: each step of the prompt names the atom that performs it ("Step 2,
        to_binary_string (n = the result of step 1): ..."). The task is then to compose atoms
        the model knows, not also to recall an atom's name from its description: atom tasks
        teach only name -> description, and the tiny CPU model does not learn the reverse in
        its budget (BENCHMARKS.md, issue 7).
    documented_helpers: the solution's copy of each atom carries the atom's docstring, so
        writing an atom inside a composite is the same step as an atom task (signature and
        docstring -> body) instead of recalling a body from a bare name.
    """

    name_steps: bool = False
    documented_helpers: bool = False


def entry_point(composite: Composite) -> str:
    """A name fixed by the composite's content (atoms, wiring, constants)."""
    return ENTRY_PREFIX + hashlib.sha256(composite.key.encode()).hexdigest()[:10]


def signature(composite: Composite, name: str) -> str:
    args = ", ".join(f"{n}: {t}" for n, t in composite.params)
    return f"def {name}({args}) -> {composite.returns}:"


def imports(composite: Composite) -> tuple[str, ...]:
    """The atoms' imports, deduplicated, in first-use order."""
    seen: dict[str, None] = {}
    for name in composite.atoms:
        for module in atoms.get(name).imports:
            seen.setdefault(module, None)
    return tuple(seen)


def _literal(value: Any) -> str:
    return repr(value)


def _source_text(composite: Composite, arg: Arg) -> str:
    kind, value = arg
    if kind == "input":
        return composite.params[value][0]
    if kind == "step":
        return f"step{value + 1}"
    return _literal(value)


def entry_body(composite: Composite, wrap: str = "", indent: str = "    ") -> str:
    """The entry point's body: one line per node (the composite-specific code). With `wrap`,
    every call's result passes through the function of that name (validation's guard)."""
    lines = []
    for j, node in enumerate(composite.nodes):
        call = f"{node.atom}({', '.join(_source_text(composite, a) for a in node.args)})"
        call = f"{wrap}({call})" if wrap else call
        target = "return " if j == len(composite.nodes) - 1 else f"step{j + 1} = "
        lines.append(f"{indent}{target}{call}\n")
    return "".join(lines)


def helper_source(atom_name: str, documented: bool = False) -> str:
    """An atom's source as a composite's solution defines it: as written, or with its
    docstring after the `def` line (`Wording.documented_helpers`)."""
    source = atoms.get(atom_name).source
    if not documented:
        return source
    def_line, body = source.split("\n", 1)
    return render_docstring(def_line, atoms.get(atom_name).description) + body


def solution(composite: Composite, name: str, wording: Wording = Wording()) -> str:
    """Self-contained program: imports, the entry point, then each atom's source."""
    parts = [signature(composite, name) + "\n" + entry_body(composite)]
    parts += [helper_source(a, wording.documented_helpers) for a in composite.atoms]
    return _import_lines(imports(composite)) + "\n\n".join(parts)


def _binding(composite: Composite, j: int) -> str:
    """How node j's arguments are set, in words: "xs = the result of step 1, k = 3"."""
    atom = atoms.get(composite.nodes[j].atom)
    args = composite.nodes[j].args
    if all(k == "input" and composite.params[v][0] == n for (n, _), (k, v) in
           zip(atom.params, args)):
        return "on the function's arguments " + ", ".join(n for n, _ in atom.params)
    parts = []
    for (name, _), (kind, value) in zip(atom.params, composite.nodes[j].args):
        if kind == "input":
            arg = composite.params[value][0]
            parts.append(f"{name} is the argument {arg}" if arg == name
                         else f"{name} = the argument {arg}")
        elif kind == "step":
            parts.append(f"{name} = the result of step {value + 1}")
        else:
            parts.append(f"{name} = {_literal(value)}")
    return ", ".join(parts)


def description(composite: Composite, sep: str = " ", wording: Wording = Wording()) -> str:
    """The atoms' descriptions as ordered steps naming where each argument comes from."""
    n = len(composite.nodes)
    head = (f"Return the result of {n} step{'s' if n > 1 else ''} applied in order. Each step "
            "is described in terms of its own arguments, set as stated in parentheses.")
    steps = [f"Step {j + 1}{f', {a}' if wording.name_steps else ''} "
             f"({_binding(composite, j)}): {atoms.get(a).description}"
             for j, a in enumerate(composite.atoms)]
    return sep.join([head, *steps])


def render_prompt(composite: Composite, name: str, style: str = "docstring",
                  wording: Wording = Wording()) -> str:
    """The prompt in `style`: docstring completion or instruction (as for atoms)."""
    _check_style(style)
    sig = signature(composite, name)
    if style == "docstring":
        return render_docstring(sig, description(composite, wording=wording),
                                imports(composite))
    return render_instruction(name, sig, description(composite, "\n", wording))


def completion(record: dict[str, Any], style: str = "docstring") -> str:
    """The text a model should produce after the record's prompt in `style`."""
    _check_style(style)
    if style == "instruction":
        return record["solution"]
    lines = record["solution"].splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines)
                 if line.startswith(f"def {record['entry_point']}("))
    return "".join(lines[start + 1:])


def entry_body_of(solution_text: str, name: str) -> str:
    """The body of function `name` in a solution (what the n-gram check compares)."""
    tree = ast.parse(solution_text)
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            lines = solution_text.splitlines(keepends=True)
            return "".join(lines[node.body[0].lineno - 1: node.end_lineno])
    raise KeyError(f"solution defines no function {name!r}")


def constants_in(record: Mapping[str, Any]) -> int | None:
    """How many of a composite's step arguments are constants (`k = 3`), read from its
    solution's entry point: what decides a composite's difficulty after SFT more than its atom
    pair (issue 36). None for a record whose solution has no such entry point (HumanEval, an
    atom), whose steps are not calls."""
    try:
        tree = ast.parse(record.get("solution") or "")
    except SyntaxError:
        return None
    entry = next((node for node in tree.body if isinstance(node, ast.FunctionDef)
                  and node.name == record.get("entry_point")), None)
    if entry is None or not str(record.get("entry_point", "")).startswith(ENTRY_PREFIX):
        return None
    calls = [node for node in ast.walk(entry) if isinstance(node, ast.Call)]
    return sum(not isinstance(arg, ast.Name) for call in calls for arg in call.args)


def task_record(composite: Composite, task_id: str, family: str, split: str, style: str,
                tests: Sequence[dict[str, Any]], fingerprint: str,
                wording: Wording = Wording(),
                heldback_tests: Sequence[dict[str, Any]] = ()) -> dict[str, Any]:
    """The composite as a task record (DESIGN.md), fields in the atoms' order.
    `heldback_tests`: a second test set the reward never sees (synth/adequacy.py)."""
    name = entry_point(composite)
    record = {
        "task_id": task_id,
        "family": family,
        "split": split,
        "entry_point": name,
        "prompt": render_prompt(composite, name, style, wording),
        "solution": solution(composite, name, wording),
        "tests": list(tests),
        "heldback_tests": list(heldback_tests),
        "atoms": list(composite.atoms),
        "fingerprint": fingerprint,
    }
    assert tuple(record) == TASK_FIELDS
    return record


ATOM_STEP_PREFIX = "atom_step/"


def atom_step_record(atom_record: dict[str, Any], style: str = "docstring") -> dict[str, Any]:
    """An atom task rendered as a one-step composite, an SFT augmentation.

    An atom's prompt shows its name before its description, while a composite's prompt gives
    each step's description only, so atom tasks never show the direction a composite needs
    (description -> name). This record does: the atom's description as "Step 1" of a
    composite-style prompt, answered by `return atom(...)` and the atom's source. It computes
    exactly the atom, so it keeps the atom's tests and fingerprint; its task id is
    "atom_step/<atom>". It is not a dataset composite (those chain at least two atoms).
    """
    composite = chain_of([atom_record["entry_point"]])
    return task_record(composite, ATOM_STEP_PREFIX + atom_record["entry_point"],
                       atom_record["family"], atom_record["split"], style,
                       atom_record["tests"], atom_record["fingerprint"],
                       heldback_tests=atom_record.get("heldback_tests", ()))
