"""Composition typing, rendering and validation of composites (synth/compose, render, validate)."""

from __future__ import annotations

import dataclasses
import itertools
import random

import pytest

from codecorr_jax import atoms
from codecorr_jax.atoms import render as atom_render
from codecorr_jax.atoms.validate import value_has_type
from codecorr_jax.execution import Executor, ExecutorConfig, Program, Verdict
from codecorr_jax.synth import compose, render, validate

SETTINGS = validate.ValidationSettings()


@pytest.fixture(scope="module")
def executor():
    with Executor(ExecutorConfig(test_timeout_s=0.5, program_timeout_s=1.0,
                                 memory_limit_mb=512)) as ex:
        yield ex


@pytest.mark.parametrize("wide", [False, True])
def test_sampled_composites_type_check(wide):
    sampler = compose.Sampler(random.Random(3), 2, 4, wide=wide, allow_bool_result=False)
    shapes = list(itertools.islice(iter(sampler), 400))
    for c in shapes:
        compose.check_types(c)
        assert 2 <= len(c.nodes) <= 4 and len(set(c.atoms)) == len(c.atoms)
        assert c.returns != "bool"
        first = atoms.get(c.nodes[0].atom)
        assert c.params == first.params
        for j, node in enumerate(c.nodes):
            atom = atoms.get(node.atom)
            for (name, type_str), (kind, value) in zip(atom.params, node.args):
                if kind == "const":  # constants have the types of the extra parameters
                    assert value_has_type(value, type_str), (node.atom, name, value)
                elif kind == "step":
                    assert atoms.get(c.nodes[value].atom).returns == type_str
            if not wide and j:  # chains: the previous result is the first argument
                assert node.args[0] == ("step", j - 1)
                assert all(k == "const" for k, _ in node.args[1:])
    if wide:
        assert any(sum(a[0] == "step" for a in n.args) == 2 for c in shapes for n in c.nodes)


def test_sampler_is_deterministic():
    a = [c.key for c in itertools.islice(iter(compose.Sampler(random.Random(7))), 50)]
    b = [c.key for c in itertools.islice(iter(compose.Sampler(random.Random(7))), 50)]
    c = [c.key for c in itertools.islice(iter(compose.Sampler(random.Random(8))), 50)]
    assert a == b != c


def test_mistyped_chain_is_refused():
    with pytest.raises(compose.CompositionError, match="reverse_each_word"):
        compose.chain_of(["decimal_digits", "reverse_each_word"])  # list[int] into a str
    with pytest.raises(compose.CompositionError, match="wants int"):
        compose.chain_of(["decimal_digits", "rotate_left_by"], [["two"]])


def test_rendered_chain_by_hand(executor):
    c = compose.chain_of(["decimal_digits", "rotate_left_by", "dense_ranks"], [[1], []])
    name = render.entry_point(c)
    assert render.entry_body(c) == ("    step1 = decimal_digits(n)\n"
                                    "    step2 = rotate_left_by(step1, 1)\n"
                                    "    return dense_ranks(step2)\n")
    source = render.solution(c, name)
    assert source.startswith(f"def {name}(n: int) -> list[int]:\n")
    for atom_name in c.atoms:
        assert atoms.get(atom_name).source in source
    # 3141 -> [3, 1, 4, 1] -> [1, 4, 1, 3] -> dense ranks [0, 2, 0, 1]
    result = executor.score([Program(source, name, [{"args": [3141], "expected": [0, 2, 0, 1]},
                                                    {"args": [-70], "expected": [0, 1]}])])[0]
    assert result.verdict is Verdict.PASS, result


def test_prompts_hold_signature_and_every_description():
    c = compose.chain_of(["decimal_digits", "rotate_left_by", "dense_ranks"], [[2], []])
    name = render.entry_point(c)
    sig = render.signature(c, name)
    for style in ("docstring", "instruction"):
        prompt = render.render_prompt(c, name, style)
        assert sig in prompt
        flat = " ".join(prompt.split())
        for a in c.atoms:
            assert " ".join(atoms.get(a).description.split()) in flat
        assert "k = 2" in flat and "xs = the result of step 1" in flat
    instruction = render.render_prompt(c, name, "instruction")
    assert "\nStep 2 (xs = the result of step 1, k = 2): Return a copy of xs" in instruction


def test_wording_names_steps_and_documents_helpers_without_changing_the_program(executor):
    c = compose.chain_of(["decimal_digits", "rotate_left_by", "dense_ranks"], [[2], []])
    name = render.entry_point(c)
    named = render.render_prompt(c, name, "instruction", render.Wording(name_steps=True))
    assert ("\nStep 2, rotate_left_by (xs = the result of step 1, k = 2): Return a copy of xs"
            in named)
    assert "Step 1, decimal_digits (on the function's arguments n): " in named
    assert render.render_prompt(c, name, "instruction") == named.replace(
        ", decimal_digits", "").replace(", rotate_left_by", "").replace(", dense_ranks", "")
    plain = render.solution(c, name)
    documented = render.solution(c, name, render.Wording(documented_helpers=True))
    undocumented = documented
    for atom_name in c.atoms:
        atom = atoms.get(atom_name)
        # The helper reads as the atom's own task: its prompt (signature + docstring), then body.
        atom_prompt = atom_render.render_prompt(atom, "docstring")
        header = atom_prompt[atom_prompt.index("def "):]
        def_line, body = atom.source.split("\n", 1)
        assert header + body in documented
        undocumented = undocumented.replace(header, def_line + "\n")
    assert undocumented == plain
    # 3141 -> [3, 1, 4, 1] -> rotated by 2 [4, 1, 3, 1] -> dense ranks [2, 0, 1, 0]
    tests = [{"args": [3141], "expected": [2, 0, 1, 0]}, {"args": [52], "expected": [1, 0]}]
    for source in (plain, documented):
        result = executor.score([Program(source, name, tests)])[0]
        assert result.verdict is Verdict.PASS, result


def _validated(executor, names, constants=()):
    c = compose.chain_of(names, constants)
    return validate.validate_batch(executor, [c], SETTINGS)[0]


def test_valid_candidate_tests_come_from_the_sandbox(executor):
    item = _validated(executor, ["decimal_digits", "rotate_left_by"], [[1]])
    assert isinstance(item, validate.Validated), item
    assert len(item.tests) == SETTINGS.tests_per_task
    first = atoms.get("decimal_digits")
    # edge cases first: the first atom's hand-written examples
    assert [t["args"] for t in item.tests[:len(first.examples)]] == \
        [list(args) for args, _ in first.examples]
    for t in item.tests:  # the expected values are what the composite computes
        digits = [int(ch) for ch in str(abs(t["args"][0]))]
        assert t["expected"] == digits[1:] + digits[:1]


def test_equivalent_chains_share_a_fingerprint(executor):
    a = _validated(executor, ["swap_adjacent_pairs", "sorted_descending"])
    b = _validated(executor, ["sort_by_absolute_value", "sorted_descending"])
    c = _validated(executor, ["sorted_descending", "running_sum"])
    assert a.fingerprint == b.fingerprint != c.fingerprint
    prints = validate.atom_fingerprints(executor)
    assert len(set(prints.values())) == len(prints) == 100
    # sorting after a permutation is just the atom: same fingerprint, so the build drops it
    assert prints["sorted_descending"] == a.fingerprint
    assert prints["running_sum"] != c.fingerprint


BAD_BODIES = {
    "error": "    raise ValueError('bad')\n",
    "none": "    return None\n",
    "too_few_distinct": "    return [1]\n",
    "timeout": "    while True:\n        pass\n",
    "non_json": "    return {1, 2}\n",
    "output_too_large": "    return list(range(5000))\n",
    "wrong_type": "    return 'text'\n",
    "memory": "    return len(bytearray(1 << 34))\n",
}


@pytest.mark.parametrize("reason", sorted(BAD_BODIES))
def test_bad_candidates_are_rejected_by_reason(executor, reason):
    c = compose.chain_of(["decimal_digits", "rotate_left_by"], [[1]])
    inputs = validate.input_pool(c, SETTINGS)
    program = validate.program(c, inputs)
    name = program.entry_point
    bad = dataclasses.replace(program, source=f"def {name}(n):\n{BAD_BODIES[reason]}")
    result = executor.score([bad])[0]
    assert validate.judge(c, inputs, result, SETTINGS) == reason
    assert reason in validate.REASONS


def test_bool_result_has_too_few_distinct_outputs(executor):
    assert _validated(executor, ["decimal_digits", "is_arithmetic_progression"]) \
        == "too_few_distinct"


@pytest.mark.parametrize("reason,settings", [
    ("too_slow", dataclasses.replace(SETTINGS, line_budget=3)),
    ("output_too_large", dataclasses.replace(SETTINGS, max_output_chars=3)),
])
def test_deterministic_limits_reject(executor, reason, settings):
    # a Python-level loop over the digits: a budget of 3 lines per call is too small, and the
    # intermediate digit lists are longer than 3 characters of JSON
    c = compose.chain_of(["decimal_digits", "running_sum"])
    assert validate.validate_batch(executor, [c], settings) == [reason]
    assert isinstance(validate.validate_batch(executor, [c], SETTINGS)[0], validate.Validated)
