"""The atom library as declared: every example, every property, the registry API, the CLI."""

from __future__ import annotations

import json

import pytest

import codecorr_jax.atoms as registry
from codecorr_jax.atoms import __main__ as cli
from codecorr_jax.atoms.validate import validate_atoms
from codecorr_jax.canonical import canonical_json

ATOMS = registry.all_atoms()
IDS = [a.name for a in ATOMS]


@pytest.mark.parametrize("atom", ATOMS, ids=IDS)
def test_every_hand_written_example_passes(atom):
    assert len(atom.examples) >= 5
    for args, expected in atom.examples:
        assert canonical_json(atom(*args)) == canonical_json(expected), (atom.name, args)


@pytest.mark.parametrize("atom", ATOMS, ids=IDS)
def test_atom_has_no_problem(atom):
    assert validate_atoms([atom], cross_process=False) == []


def test_library_has_no_problem_including_cross_process_and_duplicates():
    assert validate_atoms(ATOMS) == []


def test_library_is_complete_100_atoms_10_per_topic():
    # Fails until every topic module has landed with its ten atoms.
    assert [len(registry.by_topic(t)) for t in registry.topics()] == [10] * 10
    assert len(ATOMS) == 100
    assert registry.registry_problems() == []


def test_registry_lookups():
    atom = registry.get("gray_code")
    assert atom.topic == "bits" and atom(5) == 7
    assert registry.topics() == registry.TOPICS
    assert all(a.topic == "bits" for a in registry.by_topic("bits"))
    assert {a.name for a in registry.by_topic("bits")} >= {"count_set_bits", "bit_rows"}
    assert ATOMS == tuple(a for t in registry.topics() for a in registry.by_topic(t))
    str_in = registry.by_input_type("str")
    assert registry.get("binary_string_value") in str_in
    assert all(a.arg_types[0] == "str" for a in str_in)
    grid_out = registry.by_output_type("list[list[int]]")
    assert registry.get("bit_rows") in grid_out
    assert all(a.returns == "list[list[int]]" for a in grid_out)
    assert sum(len(registry.by_input_type(t)) for t in registry.TYPES) == len(ATOMS)
    assert sum(len(registry.by_output_type(t)) for t in registry.TYPES) == len(ATOMS)


def test_registry_errors_name_the_problem():
    with pytest.raises(KeyError, match="'gray_cod'.*did you mean gray_code"):
        registry.get("gray_cod")
    with pytest.raises(KeyError, match="unknown topic 'bit'"):
        registry.by_topic("bit")
    with pytest.raises(ValueError, match="unknown atom type 'float'"):
        registry.by_input_type("float")


def test_atoms_never_import_jax():
    assert not any("jax" in a.program for a in ATOMS)


# Independent definitions of what the bits atoms compute, checked on a range of integers.


def test_bits_atoms_agree_with_independent_definitions():
    get = registry.get
    for n in range(-300, 3000, 7):
        digits = format(abs(n), "b")
        assert get("count_set_bits")(n) == digits.count("1")
        assert get("has_odd_parity")(n) == (digits.count("1") % 2 == 1)
        assert get("binary_string_value")(get("to_binary_string")(n)) == abs(n)
        positions = [len(digits) - 1 - i for i, d in enumerate(digits) if d == "1"][::-1]
        assert get("set_bit_positions")(n) == (positions if n else [])
        assert sum(2**p for p in get("set_bit_positions")(n)) == abs(n)
        for width in (1, 5, 12):
            low = digits[-width:].rjust(width, "0")
            assert get("reverse_bits")(n, width) == int(low[::-1], 2)
        for k in (0, 3, 9):
            assert get("toggle_bit")(get("toggle_bit")(n, k), k) == n
    # Consecutive Gray codes differ in exactly one bit.
    gray = registry.get("gray_code")
    assert all(bin(gray(i) ^ gray(i + 1)).count("1") == 1 for i in range(2000))
    assert sorted(gray(i) for i in range(64)) == list(range(64))


def test_cli_validates_and_reports(capsys):
    assert cli.main([]) == 0
    out = capsys.readouterr().out
    assert "  bits         10 atoms  ok" in out
    assert "2-chains: " in out and "3-chains: " in out
    assert "All 100 atoms valid." in out


def test_cli_json_and_single_atom(capsys):
    assert cli.main(["--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["problems"] == [] and summary["atoms"] == len(ATOMS)
    assert summary["graph"]["atoms_in_2_chains"] >= 90
    assert cli.main(["--atom", "to_binary_string"]) == 0
    out = capsys.readouterr().out
    assert "## prompt, docstring style" in out and "## prompt, instruction style" in out
    assert 'return format(n, "b")' in out
    assert cli.main(["--atom", "no_such_atom"]) == 2
    assert "no atom named 'no_such_atom'" in capsys.readouterr().err


def test_cli_fails_with_the_problems_listed(capsys, monkeypatch):
    monkeypatch.setattr(cli, "validate_atoms", lambda *a, **k: ["atom 'gray_code': broken"])
    assert cli.main([]) == 1
    out = capsys.readouterr().out
    assert "1 problem(s):\n  - atom 'gray_code': broken" in out
    assert "Fix them in the atom's topic module" in out
    assert any("only 50 atoms take part in a 2-chain" in p for p in cli._library_problems(50))
