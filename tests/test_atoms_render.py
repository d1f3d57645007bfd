"""Prompts, task records and fingerprints of atoms."""

from __future__ import annotations

import ast
import json

import pytest

import codecorr_jax.atoms as registry
from codecorr_jax.atoms import render
from codecorr_jax.atoms.probes import atom_fingerprint, outputs_fingerprint, probe_inputs
from codecorr_jax.canonical import canonical_json

ATOMS = registry.all_atoms()
IDS = [a.name for a in ATOMS]


def _load(program: str, name: str):
    namespace: dict = {}
    exec(compile(program, f"<test {name}>", "exec"), namespace)
    return namespace[name]


def test_docstring_prompt_by_hand():
    assert render.render_prompt(registry.get("count_set_bits")) == (
        "def count_set_bits(n: int) -> int:\n"
        '    """Return the number of 1 bits in the binary representation of the absolute value of\n'
        "    n; 0 for n = 0.\n"
        '    """\n'
    )
    assert render.render_docstring("def f(x: int) -> int:", "Return x.", ("math",)) == (
        'import math\n\ndef f(x: int) -> int:\n    """Return x."""\n'
    )


def test_instruction_prompt_by_hand():
    assert render.render_prompt(registry.get("gray_code"), "instruction") == (
        "Write a Python function `gray_code` with this signature:\n\n"
        "def gray_code(n: int) -> int:\n\n"
        "Return the reflected binary Gray code of n, which is n XOR (n shifted right by one "
        "bit); for negative n return the negative of the Gray code of its absolute value.\n\n"
        "Use only the Python standard library. Reply with the complete program: the import "
        "lines it needs, then the function."
    )
    with pytest.raises(ValueError, match="unknown prompt style 'chat'"):
        render.render_prompt(registry.get("gray_code"), "chat")


@pytest.mark.parametrize("atom", ATOMS, ids=IDS)
def test_prompts_carry_signature_and_description(atom):
    doc_prompt = render.render_prompt(atom, "docstring")
    assert atom.signature in doc_prompt.splitlines()
    assert all(len(line) <= render.DOCSTRING_WIDTH for line in doc_prompt.splitlines())
    tree = ast.parse(doc_prompt + "    pass\n")
    assert ast.get_docstring(tree.body[-1]) is not None
    assert " ".join(ast.get_docstring(tree.body[-1]).split()) == atom.description
    instruction = render.render_prompt(atom, "instruction")
    assert atom.signature in instruction and atom.description in instruction
    assert "standard library" in instruction
    # Prompt + reference completion is a program that behaves like the atom, in both styles.
    for style in render.STYLES:
        program = render.render_prompt(atom, style) + render.completion(atom, style)
        if style == "instruction":
            program = render.completion(atom, style)
        fn = _load(program, atom.name)
        for args, expected in atom.examples:
            assert canonical_json(fn(*args)) == canonical_json(expected)


@pytest.mark.parametrize("atom", ATOMS, ids=IDS)
def test_task_record_schema_and_tests(atom):
    record = render.task_record(atom, split="test", style="instruction")
    assert tuple(record) == render.TASK_FIELDS == (
        "task_id", "family", "split", "entry_point", "prompt", "solution", "tests",
        "heldback_tests", "atoms", "fingerprint",
    )
    assert record["task_id"] == f"atom/{atom.name}" and record["family"] == "atom"
    assert record["split"] == "test" and record["entry_point"] == atom.name
    assert record["prompt"] == render.render_prompt(atom, "instruction")
    assert record["solution"] == atom.program and record["atoms"] == [atom.name]
    assert json.loads(json.dumps(record)) == record
    tests = record["tests"]
    keys = [canonical_json(t["args"]) for t in tests]
    assert len(keys) == len(set(keys)) > len({canonical_json(list(a)) for a, _ in atom.examples})
    for test, (args, expected) in zip(tests, atom.examples):  # hand-written examples come first
        assert test == {"args": list(args), "expected": expected}
    solution = _load(record["solution"], record["entry_point"])
    for test in tests:
        assert set(test) == {"args", "expected"}
        assert canonical_json(solution(*test["args"])) == canonical_json(test["expected"])


def test_task_record_is_reproducible_and_seeded():
    atom = registry.get("binary_string_value")
    assert render.task_record(atom) == render.task_record(atom)
    assert render.task_record(atom, seed=1)["tests"] != render.task_record(atom, seed=0)["tests"]
    assert render.task_record(atom)["prompt"] == render.render_prompt(atom, "docstring")


def test_fingerprints_identify_functions():
    fingerprints = {atom_fingerprint(a) for a in ATOMS}
    assert len(fingerprints) == len(ATOMS)
    gray = registry.get("gray_code")
    probes = probe_inputs(gray.generate)
    assert probes == probe_inputs(gray.generate) and len(probes) == 32
    same = _load(gray.program, "gray_code")
    assert outputs_fingerprint(same, probes) == atom_fingerprint(gray)
    off_by_one = _load(gray.program.replace("m >> 1", "m >> 2"), "gray_code")
    assert outputs_fingerprint(off_by_one, probes) != atom_fingerprint(gray)
    assert render.task_record(gray)["fingerprint"] == atom_fingerprint(gray)


def test_a_long_description_wraps_as_one_paragraph_and_paragraphs_apart():
    """One paragraph wraps as textwrap does with the opening quotes in its first line (the
    tasks' prompts); a summary and details wrap apart, a blank line between them."""
    import textwrap

    from codecorr_jax.atoms.render import DOCSTRING_WIDTH, render_docstring

    text = " ".join(["every word of a long description"] * 6)
    expected = textwrap.fill(text, width=DOCSTRING_WIDTH, initial_indent='    """',
                             subsequent_indent="    ", break_long_words=False,
                             break_on_hyphens=False)
    assert render_docstring("def f(x):", text) == f'def f(x):\n{expected}\n    """\n'
    two = render_docstring("def f(x):", "Summary line.\n\n" + text)
    assert two.startswith('def f(x):\n    """Summary line.\n\n    every word of a long')
    assert two.endswith('\n    """\n') and "\n\n\n" not in two
