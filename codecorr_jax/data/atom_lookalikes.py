"""Which atom, if any, a generated function computes: the base corpus never teaches an atom.

The contamination check (`data.contamination`) keeps the tasks' text out of the base corpus.
That is not enough once the grammar knows the ideas the atoms use (digits, divisors, runs): a
chain such as "the decimal digits of n, then their sum" is an atom written in other words. So
every generated function is also compared with the atoms by behaviour: on each atom's worked
examples and `GENERATED_CASES` inputs from its own generator, a function that returns the
atom's value on every case it can run (at least `MIN_CASES` of them) computes that atom, and
the corpus build leaves it out. Inputs that would make a range-building op run too long, and
results too large to compare quickly, do not count as cases.
"""

from __future__ import annotations

import copy
import dataclasses
import random
from typing import Any, Callable, Sequence

from codecorr_jax import atoms as atom_registry
from codecorr_jax.data.function_ops import (C_VALUES, INT, K_VALUES, OPS, Op, TooMuchWork,
                                           chain_callable, guarded_callable)

GENERATED_CASES = 16
MIN_CASES = 6


class AtomLookalikeError(ValueError):
    """The corpus grammar would teach an atom; the message names the ops and the atoms."""


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
        rng = random.Random(f"atom_lookalikes/{seed}/{atom.name}")
        cases = [(tuple(args), expected) for args, expected in atom.examples]
        for _ in range(GENERATED_CASES):
            args = tuple(atom.generate(rng))
            cases.append((args, atom.fn(*copy.deepcopy(args))))
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


def ops_that_are_atoms(lookalikes: Lookalikes) -> dict[str, str]:
    """{op key: atom name} for every op that, alone, computes an atom with a parameter the
    corpus draws (or with its int parameter as the argument `k`): helpers of staged documents
    are single ops, so a grammar with such an op would teach that atom wherever it is used."""
    found = {}
    candidates = {"k": K_VALUES + ("k",), "c": C_VALUES}
    for op in OPS:
        for value in candidates.get(op.param, ("",)):
            name = lookalikes.atom_computed([op], [value])
            if name is not None:
                found[op.key] = name
                break
    return found
