"""Prompts and task records for atoms.

Two prompt styles, chosen by configuration:
- "docstring": the import lines, the `def` line and a docstring holding the description. The
  model writes the body; the program that runs is prompt + completion.
- "instruction": a request in English naming the function, its signature and the description;
  the model writes the whole program.

`task_record` builds the row described in DESIGN.md ("the task record"). It has exactly those
nine fields; `prompt` is in the style asked for, and the other style is rendered again from the
atom when needed (`render_prompt`), so a record never carries two prompts that could disagree.
"""

from __future__ import annotations

import copy
import json
import random
import textwrap
from typing import Any, Sequence

from codecorr_jax.atoms.probes import atom_fingerprint
from codecorr_jax.atoms.spec import Atom, AtomError
from codecorr_jax.canonical import canonical_json

STYLES: tuple[str, ...] = ("docstring", "instruction")
DOCSTRING_WIDTH = 88
TASK_FIELDS: tuple[str, ...] = (
    "task_id", "family", "split", "entry_point", "prompt", "solution", "tests",
    "heldback_tests", "atoms", "fingerprint",
)


def _import_lines(imports: Sequence[str]) -> str:
    head = "".join(f"import {m}\n" for m in imports)
    return head + "\n" if head else ""


def render_docstring(signature: str, description: str, imports: Sequence[str] = ()) -> str:
    """Docstring-completion prompt: imports, `signature`, and the description as a docstring."""
    text = description.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    one_line = f'    """{text}"""'
    if len(one_line) <= DOCSTRING_WIDTH and not text.endswith('"') and "\n" not in text:
        body = one_line + "\n"
    else:  # each paragraph wrapped on its own, a blank line between them
        wrapped = "\n\n".join(textwrap.fill(
            paragraph, width=DOCSTRING_WIDTH, initial_indent='    """' if i == 0 else "    ",
            subsequent_indent="    ", break_long_words=False, break_on_hyphens=False,
        ) for i, paragraph in enumerate(text.split("\n\n")))
        body = wrapped + '\n    """\n'
    return _import_lines(imports) + signature + "\n" + body


def render_instruction(name: str, signature: str, description: str) -> str:
    """Instruction prompt: what to write, with the signature and description, stdlib only."""
    return (
        f"Write a Python function `{name}` with this signature:\n\n"
        f"{signature}\n\n"
        f"{description}\n\n"
        "Use only the Python standard library. Reply with the complete program: the import "
        "lines it needs, then the function."
    )


def _check_style(style: str) -> None:
    if style not in STYLES:
        raise ValueError(f"unknown prompt style {style!r}; choose one of {STYLES}")


def render_prompt(atom: Atom, style: str = "docstring") -> str:
    """The prompt for `atom` in `style` ("docstring" or "instruction")."""
    _check_style(style)
    if style == "docstring":
        return render_docstring(atom.signature, atom.description, atom.imports)
    return render_instruction(atom.name, atom.signature, atom.description)


def completion(atom: Atom, style: str = "docstring") -> str:
    """The reference text a model should produce after the prompt: the body, or the program."""
    _check_style(style)
    if style == "docstring":
        return "".join(atom.source.splitlines(keepends=True)[1:])
    return atom.program


def _as_json(value: Any) -> Any:
    return json.loads(canonical_json(value))


def task_tests(atom: Atom, n_generated: int = 10, seed: int = 0) -> list[dict[str, Any]]:
    """Hand-written examples, then `n_generated` generated inputs, without repeated arguments.

    Every `expected` is what the atom returns; a hand-written example that disagrees is an
    AtomError (the atom failed validation).
    """
    rng = random.Random(f"tests/{seed}/{atom.name}")
    candidates = [(args, True, expected) for args, expected in atom.examples]
    candidates += [(atom.generate(rng), False, None) for _ in range(n_generated)]
    tests, seen = [], set()
    for args, by_hand, hand_value in candidates:
        key = canonical_json(list(args))
        if key in seen:
            continue
        seen.add(key)
        expected = atom.fn(*copy.deepcopy(args))
        if by_hand and canonical_json(expected) != canonical_json(hand_value):
            raise AtomError(
                f"atom {atom.name!r}: example {args!r} expects {hand_value!r} but the atom "
                f"returns {expected!r}"
            )
        tests.append({"args": _as_json(list(args)), "expected": _as_json(expected)})
    return tests


def task_record(
    atom: Atom, split: str = "train", style: str = "docstring", n_generated: int = 10,
    seed: int = 0,
) -> dict[str, Any]:
    """The atom as a task record (DESIGN.md), with `prompt` in `style`."""
    return {
        "task_id": f"atom/{atom.name}",
        "family": "atom",
        "split": split,
        "entry_point": atom.name,
        "prompt": render_prompt(atom, style),
        "solution": atom.program,
        "tests": task_tests(atom, n_generated=n_generated, seed=seed),
        "heldback_tests": [],  # an atom's tests are all hand-checked; none held back
        "atoms": [atom.name],
        "fingerprint": atom_fingerprint(atom),
    }
