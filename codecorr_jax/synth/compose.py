"""Composites: typed wirings of distinct atoms, and the seeded sampler that proposes them.

A composite is a list of nodes in evaluation order. Each node calls one atom; each of the atom's
arguments comes from an entry-point argument, from an earlier node's result, or is a constant.
Constants are drawn from the atom's own argument generator (`graph.extra_args`), so they are
always values the atom's description allows. Two shapes:

- chain (default): node i+1 takes node i's result as its first argument; the entry point takes
  the first atom's arguments.
- wide (`synth.wide_shapes`): two atoms with the same argument types both read the entry-point
  arguments, an atom of two (or more) arguments joins their results, and a chain may follow.

Everything is decided by the random.Random the sampler is given, so a seed fixes the stream.
"""

from __future__ import annotations

import dataclasses
import json
import random
from typing import Any, Iterator, Sequence

from codecorr_jax import atoms
from codecorr_jax.atoms.graph import CompositionGraph, build_graph, extra_args
from codecorr_jax.atoms.spec import Atom
from codecorr_jax.canonical import canonical_json

# An argument's source: ("input", i) the entry point's i-th argument, ("step", j) the result of
# node j, ("const", value) a JSON constant.
Arg = tuple[str, Any]


class CompositionError(ValueError):
    """A composite whose wiring does not type-check; the message names the node and atom."""


@dataclasses.dataclass(frozen=True)
class Node:
    """One call: `atom` applied to `args` (one source per parameter of the atom)."""

    atom: str
    args: tuple[Arg, ...]


@dataclasses.dataclass(frozen=True)
class Composite:
    """A composite function: entry-point parameters, then nodes; the last node's result returns."""

    params: tuple[tuple[str, str], ...]
    nodes: tuple[Node, ...]

    @property
    def atoms(self) -> tuple[str, ...]:
        """Atom names in evaluation order (distinct by construction)."""
        return tuple(n.atom for n in self.nodes)

    @property
    def returns(self) -> str:
        return atoms.get(self.nodes[-1].atom).returns

    @property
    def shape_key(self) -> str:
        """Identity without constants: the atoms and how they are wired ("the chain")."""
        wiring = [[n.atom, [list(a) if a[0] != "const" else ["const"] for a in n.args]]
                  for n in self.nodes]
        return canonical_json(wiring)

    @property
    def key(self) -> str:
        """Full identity: atoms, wiring and constants."""
        return canonical_json([[n.atom, [list(a) for a in n.args]] for n in self.nodes])

    @property
    def pairs(self) -> tuple[tuple[str, str], ...]:
        """Adjacent atom pairs (producer, consumer): a node reading another node's result."""
        return tuple((self.nodes[a[1]].atom, n.atom)
                     for n in self.nodes for a in n.args if a[0] == "step")

    @property
    def first_atom(self) -> Atom:
        """The atom whose argument generator and examples give the composite's inputs."""
        return atoms.get(self.nodes[0].atom)


def check_types(composite: Composite) -> None:
    """Raise CompositionError unless every argument source has the parameter's type."""
    seen: set[str] = set()
    for j, node in enumerate(composite.nodes):
        atom = atoms.get(node.atom)
        where = f"node {j} (atom {node.atom!r})"
        if node.atom in seen:
            raise CompositionError(f"{where}: atom used twice")
        seen.add(node.atom)
        if len(node.args) != len(atom.params):
            raise CompositionError(f"{where}: {len(node.args)} arguments for "
                                   f"{len(atom.params)} parameters")
        for (name, type_str), (kind, value) in zip(atom.params, node.args):
            if kind == "input":
                got = composite.params[value][1]
            elif kind == "step":
                if not 0 <= value < j:
                    raise CompositionError(f"{where}: argument {name!r} reads node {value}, "
                                           "which is not an earlier node")
                got = atoms.get(composite.nodes[value].atom).returns
            elif kind == "const":
                got = type_str if _has_type(value, type_str) else type(value).__name__
            else:
                raise CompositionError(f"{where}: unknown argument source {kind!r}")
            if got != type_str:
                raise CompositionError(f"{where}: argument {name!r} wants {type_str}, "
                                       f"gets {got} from {kind}")
    used = {a[1] for n in composite.nodes for a in n.args if a[0] == "step"}
    unused = set(range(len(composite.nodes) - 1)) - used
    if unused:
        raise CompositionError(f"nodes {sorted(unused)} feed nothing")


def _has_type(value: Any, type_str: str) -> bool:
    from codecorr_jax.atoms.validate import value_has_type

    return value_has_type(value, type_str)


def _json_constants(values: tuple) -> tuple:
    """Constants as plain JSON values (tuples become lists), so keys and text are canonical."""
    return tuple(json.loads(canonical_json(list(values))))


def _call(atom: Atom, first: Arg, rng: random.Random) -> Node:
    consts = _json_constants(extra_args(atom, rng))
    return Node(atom.name, (first, *(("const", c) for c in consts)))


class Sampler:
    """Proposes composites: chains of `min_length`..`max_length` distinct atoms, and with
    `wide` also two-branch shapes. `allow_bool_result=False` skips atoms returning bool at the
    end (a bool has two values, so it cannot meet a distinct-outputs threshold above 2)."""

    def __init__(self, rng: random.Random, min_length: int = 2, max_length: int = 4,
                 wide: bool = False, allow_bool_result: bool = True,
                 graph: CompositionGraph | None = None) -> None:
        if not 2 <= min_length <= max_length:
            raise ValueError(f"synth.min_chain_length={min_length} and synth.max_chain_length="
                             f"{max_length}: need 2 <= min <= max")
        self.rng = rng
        self.min_length, self.max_length, self.wide = min_length, max_length, wide
        self.allow_bool_result = allow_bool_result
        self.graph = graph or build_graph(atoms.all_atoms())
        self._starts = tuple(a for a in self.graph.atoms if self.graph.consumers[a.name])
        self._joins = tuple(a for a in self.graph.atoms
                            if len(a.params) >= 2 and self.graph.producers_of(a.arg_types[1]))

    def _end_ok(self, atom: Atom) -> bool:
        return self.allow_bool_result or atom.returns != "bool"

    def _extend(self, nodes: list[Node], used: set[str], length: int) -> bool:
        """Append consumers of the last node until `length` nodes; False at a dead end."""
        while len(nodes) < length:
            last = atoms.get(nodes[-1].atom)
            final = len(nodes) == length - 1
            options = [n for n in self.graph.consumers[last.name] if n not in used
                       and (not final or self._end_ok(atoms.get(n)))]
            if not options:
                return False
            nxt = atoms.get(self.rng.choice(options))
            nodes.append(_call(nxt, ("step", len(nodes) - 1), self.rng))
            used.add(nxt.name)
        return True

    def chain(self) -> Composite | None:
        """One chain, or None when the random walk hit a dead end (the caller draws again)."""
        length = self.rng.randint(self.min_length, self.max_length)
        first = self.rng.choice(self._starts)
        nodes = [Node(first.name, tuple(("input", i) for i in range(len(first.params))))]
        if not self._extend(nodes, {first.name}, length):
            return None
        return Composite(first.params, tuple(nodes))

    def wide_shape(self) -> Composite | None:
        """Two atoms on the same inputs, joined by a multi-argument atom, then a chain."""
        join = self.rng.choice(self._joins)
        left = [a for a in self.graph.atoms if a.returns == join.arg_types[0] and a != join]
        if not left:
            return None
        a = self.rng.choice(left)
        right = [b for b in self.graph.atoms if b.returns == join.arg_types[1]
                 and b.arg_types == a.arg_types and b not in (a, join)]
        if not right:
            return None
        b = self.rng.choice(right)
        inputs = tuple(("input", i) for i in range(len(a.params)))
        consts = _json_constants(extra_args(join, self.rng))[1:]
        nodes = [Node(a.name, inputs), Node(b.name, inputs),
                 Node(join.name, (("step", 0), ("step", 1), *(("const", c) for c in consts)))]
        length = max(3, self.rng.randint(self.min_length, self.max_length))
        if not self._end_ok(join) and length == 3:
            return None
        if not self._extend(nodes, {a.name, b.name, join.name}, length):
            return None
        return Composite(a.params, tuple(nodes))

    def __iter__(self) -> Iterator[Composite]:
        while True:
            if self.wide and self.rng.random() < 0.5:
                composite = self.wide_shape()
            else:
                composite = self.chain()
            if composite is not None:
                yield composite


def chain_of(names: Sequence[str], constants: Sequence[Sequence[Any]] = ()) -> Composite:
    """A chain from atom names (constants per atom after the first); checked for types.

    For tests and hand-written composites: `chain_of(["sort_ascending", "sum_list"])`.
    """
    first = atoms.get(names[0])
    nodes = [Node(first.name, tuple(("input", i) for i in range(len(first.params))))]
    for j, name in enumerate(names[1:], start=1):
        consts = tuple(constants[j - 1]) if j - 1 < len(constants) else ()
        nodes.append(Node(name, (("step", j - 1), *(("const", c) for c in consts))))
    composite = Composite(first.params, tuple(nodes))
    check_types(composite)
    return composite
