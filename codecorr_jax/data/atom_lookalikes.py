"""What the base corpus teaches of each atom's idea, and which of its functions compose atoms.

Since issue 35's judgement on "disjoint", a corpus function may compute what an atom computes
(in its own names, words and code: `data.contamination` keeps the benchmark's own text out),
but never a composition of two or more atoms: composing is what SFT and RL teach. This module
- tells which atom, if any, a grammar chain computes (`Lookalikes`: on each atom's worked
  examples and `GENERATED_CASES` inputs from its own generator, a function that returns the
  atom's value on every case it can run, at least `MIN_CASES` of them, computes that atom;
  inputs that would make a range-building op run too long, and results too large to compare
  quickly, do not count as cases);
- counts, per atom, the corpus functions that compute its idea and in how many phrasings
  (`IdeaCounts`, for the corpus manifest and the report);
- says which chain of atoms a corpus document computes, if any (`composition_of`, over the
  table of `data.compositions`), so the build leaves it out.
"""

from __future__ import annotations

import copy
import dataclasses
from typing import Any, Callable, Sequence

from codecorr_jax.data.compositions import CompositionError, CompositionTable

from codecorr_jax import atoms as atom_registry
from codecorr_jax.atoms.probes import worked_and_generated_cases
from codecorr_jax.data.function_ops import (INT, OPS_BY_KEY, Op,
                                           TooMuchWork, chain_callable, guarded_callable)

GENERATED_CASES = 16
MIN_CASES = 6


@dataclasses.dataclass(frozen=True)
class AtomCases:
    """One atom's signature and the argument tuples with the values it returns on them."""

    name: str
    arg_types: tuple[str, ...]
    returns: str
    cases: tuple[tuple[tuple, Any], ...]


def atom_cases(seed: int = 0) -> tuple[AtomCases, ...]:
    """Every atom's examples plus `GENERATED_CASES` generated inputs (seeded)."""
    out = []
    for atom in atom_registry.all_atoms():
        cases = worked_and_generated_cases(atom, GENERATED_CASES, f"atom_lookalikes/{seed}")
        out.append(AtomCases(atom.name, atom.arg_types, atom.returns, tuple(cases)))
    return tuple(out)


class Lookalikes:
    """Compares generated functions (chains of ops) with the atoms of the same signature."""

    def __init__(self, seed: int = 0, atoms: Sequence[AtomCases] | None = None):
        self._by_signature: dict[tuple[tuple[str, ...], str], list[AtomCases]] = {}
        for cases in atom_cases(seed) if atoms is None else atoms:
            self._by_signature.setdefault((cases.arg_types, cases.returns), []).append(cases)
        self._memo: dict[tuple, str | None] = {}

    def atom_computed(self, ops: Sequence[Op], values: Sequence[str]) -> str | None:
        """The name of the atom that the chain `ops` with parameters `values` computes, or
        None. A value "k" is the function's second argument, an int."""
        key = (tuple(op.key for op in ops), tuple(values))
        if key not in self._memo:
            self._memo[key] = self._match(ops, values)
        return self._memo[key]

    def _match(self, ops: Sequence[Op], values: Sequence[str]) -> str | None:
        arg_types = (ops[0].takes,) + ((INT,) if "k" in values else ())
        chain = chain_callable(ops, values, step=guarded_callable)
        for atom in self._by_signature.get((arg_types, ops[-1].gives), ()):
            if _computes(chain, atom):
                return atom.name
        return None


def _computes(chain: Callable[..., Any], atom: AtomCases) -> bool:
    compared = 0
    for args, expected in atom.cases:
        try:
            x = chain(*copy.deepcopy(args))
        except TooMuchWork:  # not evidence either way
            continue
        except Exception:  # noqa: BLE001 - it fails where the atom returns: a different function
            return False
        if type(x) is not type(expected) or x != expected:
            return False
        compared += 1
    return compared >= MIN_CASES


def composition_of(document: Any, table: CompositionTable) -> str | None:
    """The chain of two or more atoms a corpus document's function computes ("a(x) -> b(x)"),
    or None. A plain idea document computes its one atom and is never a composition."""
    idea = document.idea
    if idea is not None:
        if not idea.chained:
            return None
        return table.composition(idea.function(), idea.takes,
                                 fn_key=(idea.idea.atom, idea.before, idea.after))
    if not document.ops:
        return None
    ops = [OPS_BY_KEY[key] for key in document.ops]
    return table.composition(chain_callable(ops, document.values, step=guarded_callable),
                             ops[0].takes, with_k="k" in document.values,
                             fn_key=(document.ops, document.values))


def check_documents(documents: Sequence[Any], table: CompositionTable) -> None:
    """CompositionError naming the first corpus documents whose function computes a
    composition of atoms (`composition_of`): the corpus build's last check."""
    found = []
    for i, document in enumerate(documents):
        chain = composition_of(document, table)
        if chain is not None:
            found.append(f"generated/{i} computes {chain}")
            if len(found) == 3:
                break
    if found:
        raise CompositionError(
            "the pretraining corpus holds functions that compute a composition of atoms: "
            + "; ".join(found) + ". Leave them out (the corpus build filters with "
            "atom_lookalikes.composition_of) or change the generator.")


class IdeaCounts:
    """Per atom: the corpus functions that compute its idea (plain, chained with an op, a stage
    of a staged function, or a chain of grammar ops that equals it) and the distinct phrasings
    they were written in."""

    def __init__(self) -> None:
        self._counts: dict[str, dict[str, int]] = {}
        self._phrasings: dict[str, set[str]] = {}

    def add(self, document: Any, lookalikes: Lookalikes) -> None:
        if document.idea is not None:
            atom = document.idea.idea.atom
            shape = document.idea.shape
            phrasing = document.idea.phrasing
        else:
            ops = [OPS_BY_KEY[key] for key in document.ops]
            atom = lookalikes.atom_computed(ops, document.values)
            if atom is None:
                return
            shape, phrasing = "grammar", " ".join(document.ops)
        counts = self._counts.setdefault(atom, {"plain": 0, "chained": 0, "staged": 0,
                                                    "grammar": 0})
        counts[shape] += 1
        self._phrasings.setdefault(atom, set()).add(phrasing)

    def manifest(self) -> dict[str, Any]:
        """{"atoms": n, "per_atom": {atom: {functions, plain, chained, staged, grammar,
        phrasings}}}."""
        per_atom = {atom: {"functions": sum(counts.values()), **counts,
                           "phrasings": len(self._phrasings[atom])}
                    for atom, counts in sorted(self._counts.items())}
        return {"atoms": len(per_atom), "per_atom": per_atom}
