"""The composition graph: hand-counted on a small set, brute-force counted on the library."""

from __future__ import annotations

import itertools
import random

import codecorr_jax.atoms as registry
from codecorr_jax.atoms import graph

SMALL = [  # int->int, int->bool, int->str, str->int, int->list[int], list[int]->list[int]
    "count_set_bits", "has_odd_parity", "to_binary_string", "binary_string_value",
    "set_bit_positions", "xor_prefix",
]


def _small_graph() -> graph.CompositionGraph:
    return graph.build_graph([registry.get(n) for n in SMALL])


def test_consumers_by_hand():
    g = _small_graph()
    assert g.consumers == {
        "count_set_bits": ("has_odd_parity", "to_binary_string", "set_bit_positions"),
        "has_odd_parity": (),
        "to_binary_string": ("binary_string_value",),
        "binary_string_value": (
            "count_set_bits", "has_odd_parity", "to_binary_string", "set_bit_positions"
        ),
        "set_bit_positions": ("xor_prefix",),
        "xor_prefix": (),  # only itself takes a list[int]; an atom never consumes itself
    }
    assert g.producers_of("int") == ("count_set_bits", "binary_string_value")
    assert g.consumers_of("list[int]") == ("xor_prefix",)
    assert g.producers_of("list[list[int]]") == ()


def test_chain_counts_by_hand():
    g = _small_graph()
    assert g.count_chains(1) == 6
    assert g.count_chains(2) == 3 + 0 + 1 + 4 + 1 + 0
    # C=count_set_bits, T=to_binary_string, B=binary_string_value, S=set_bit_positions,
    # P=has_odd_parity, X=xor_prefix. 3-chains: CTB CSX TBC TBP TBS BCP BCT BCS BSX.
    assert g.count_chains(3) == 9
    # 4-chains: CTBP CTBS TBCP TBCS TBSX BCSX.
    assert g.count_chains(4) == 6
    assert g.in_2_chains() == set(SMALL)


def test_library_chain_counts_match_brute_force():
    atoms = registry.all_atoms()
    g = graph.build_graph(atoms)

    def links(a, b):
        return b.arg_types[0] == a.returns

    pairs = sum(links(a, b) for a, b in itertools.permutations(atoms, 2))
    triples = sum(
        links(a, b) and links(b, c) for a, b, c in itertools.permutations(atoms, 3)
    )
    assert g.count_chains(2) == pairs
    assert g.count_chains(3) == triples
    in_pairs = {x.name for a, b in itertools.permutations(atoms, 2) if links(a, b) for x in (a, b)}
    assert g.in_2_chains() == in_pairs


def test_at_least_90_atoms_take_part_in_a_2_chain():
    g = graph.build_graph(registry.all_atoms())
    assert len(g.in_2_chains()) >= graph.MIN_ATOMS_IN_2_CHAINS == 90


def test_extra_args_are_valid_constants_from_the_generator():
    width_atom = registry.get("reverse_bits")
    rng = random.Random(0)
    constants = [graph.extra_args(width_atom, rng) for _ in range(30)]
    assert all(len(c) == 1 and 0 <= c[0] <= 12 for c in constants)
    assert graph.extra_args(registry.get("gray_code"), rng) == ()


def test_report_lists_types_counts_and_isolated_atoms():
    g = _small_graph()
    text = graph.report(g, names=True)
    assert "  int                       2         4" in text
    assert "2-chains: 9" in text and "3-chains: 9" in text
    assert "atoms in some 2-chain: 6 of 6" in text
    assert "count_set_bits, binary_string_value" in text
    lonely = graph.build_graph([registry.get("xor_prefix"), registry.get("gray_code")])
    assert "atoms in no 2-chain:\n      xor_prefix, gray_code" in graph.report(lonely)
    summary = graph.summary(g)
    assert summary["chains_2"] == 9 and summary["atoms_in_no_2_chain"] == []
