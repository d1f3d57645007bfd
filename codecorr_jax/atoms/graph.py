"""The composition graph: which atom can take which atom's output.

Atom B can *consume* atom A's output when B's first argument has A's return type. B's other
arguments (if any) are constants, taken from a tuple B's own generator draws (`extra_args`), so
they are always values B's description allows.

A chain is a sequence of *distinct* atoms, each consuming the previous one's output. Repeating an
atom is excluded: next to itself it is degenerate (reverse after reverse), and further apart it
mostly builds near-inverse round trips (to binary, from binary, to binary) that the synthesis
pipeline would reject anyway.
"""

from __future__ import annotations

import dataclasses
import random
import textwrap
from typing import Any, Sequence

from codecorr_jax.atoms.spec import TYPES, Atom

MIN_ATOMS_IN_2_CHAINS = 90  # the library's target: atoms that take part in some 2-chain


def extra_args(atom: Atom, rng: random.Random) -> tuple:
    """Constants for `atom`'s arguments after the first, drawn from its own generator."""
    return tuple(atom.generate(rng))[1:]


@dataclasses.dataclass(frozen=True)
class CompositionGraph:
    """Atoms, and for each atom (by name) the names of the atoms that can consume its output."""

    atoms: tuple[Atom, ...]
    consumers: dict[str, tuple[str, ...]]

    def producers_of(self, type_str: str) -> tuple[str, ...]:
        """Atoms that return `type_str`."""
        return tuple(a.name for a in self.atoms if a.returns == type_str)

    def consumers_of(self, type_str: str) -> tuple[str, ...]:
        """Atoms whose first argument is a `type_str`."""
        return tuple(a.name for a in self.atoms if a.arg_types[0] == type_str)

    def count_chains(self, length: int) -> int:
        """Number of chains of `length` distinct atoms (length 1 counts the atoms)."""
        def extend(name: str, used: frozenset[str], left: int) -> int:
            if left == 0:
                return 1
            return sum(
                extend(nxt, used | {nxt}, left - 1)
                for nxt in self.consumers[name] if nxt not in used
            )

        return sum(extend(a.name, frozenset({a.name}), length - 1) for a in self.atoms)

    def in_2_chains(self) -> set[str]:
        """Atoms that are the first or the second atom of some 2-chain."""
        names = set()
        for producer, consumers in self.consumers.items():
            if consumers:
                names.add(producer)
                names.update(consumers)
        return names


def build_graph(atoms: Sequence[Atom]) -> CompositionGraph:
    """The composition graph of `atoms`."""
    atoms = tuple(atoms)
    consumers = {
        a.name: tuple(b.name for b in atoms if b.name != a.name and b.arg_types[0] == a.returns)
        for a in atoms
    }
    return CompositionGraph(atoms=atoms, consumers=consumers)


def _names(names: Sequence[str], indent: str) -> str:
    return textwrap.fill(
        ", ".join(names) or "-", width=100, initial_indent=indent, subsequent_indent=indent
    )


def summary(graph: CompositionGraph) -> dict[str, Any]:
    """The report's numbers as a JSON-ready dict."""
    chained = graph.in_2_chains()
    return {
        "producers": {t: list(graph.producers_of(t)) for t in TYPES},
        "consumers": {t: list(graph.consumers_of(t)) for t in TYPES},
        "chains_2": graph.count_chains(2),
        "chains_3": graph.count_chains(3),
        "atoms_in_2_chains": len(chained),
        "atoms_in_no_2_chain": [a.name for a in graph.atoms if a.name not in chained],
    }


def report(graph: CompositionGraph, names: bool = False) -> str:
    """Human-readable summary: producers and consumers per type (with `names`, who they are),
    chain counts, and the atoms that take part in no 2-chain."""
    lines = ["Composition graph (B consumes A when B's first argument has A's return type)"]
    lines.append(f"  {'type':<17}{'producers':>10}{'consumers':>10}")
    for type_str in TYPES:
        producers, consumers = graph.producers_of(type_str), graph.consumers_of(type_str)
        lines.append(f"  {type_str:<17}{len(producers):>10}{len(consumers):>10}")
    for type_str in TYPES if names else ():
        lines.append(f"  {type_str} producers:")
        lines.append(_names(graph.producers_of(type_str), "      "))
        lines.append(f"  {type_str} consumers:")
        lines.append(_names(graph.consumers_of(type_str), "      "))
    chained = graph.in_2_chains()
    lines.append(f"  2-chains: {graph.count_chains(2)}")
    lines.append(f"  3-chains: {graph.count_chains(3)}")
    lines.append(
        f"  atoms in some 2-chain: {len(chained)} of {len(graph.atoms)} "
        f"(target: at least {MIN_ATOMS_IN_2_CHAINS})"
    )
    isolated = [a.name for a in graph.atoms if a.name not in chained]
    if isolated:
        lines.append("  atoms in no 2-chain:")
        lines.append(_names(isolated, "      "))
    return "\n".join(lines)
