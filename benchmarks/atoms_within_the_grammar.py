"""How many atoms could a base pretrained on the generated corpus compute at all?

    python benchmarks/atoms_within_the_grammar.py

The base's generated pretraining functions are chains of 1-3 ops of `data/function_corpus.py`
(typed primitives, none an atom). A base that understood every atom description perfectly
could still only write what its grammar can express. This searches every type-correct chain of
up to 3 ops, with parameters k in {0, 1, 2, 3, 5, 10} and c in {' ', ',', 'a', 'e'} (or k taken
from the atom's own int argument), for one that returns each atom's expected value on its
examples and 12 generated inputs. It prints the atoms some chain computes: an upper bound on
what better phrasing alone can give the base (issue 16).
"""

from __future__ import annotations

import argparse
import copy
import multiprocessing
import os
import sys
import time
from typing import Any, Callable

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from codecorr_jax.atoms import all_atoms  # noqa: E402
from codecorr_jax.atoms.probes import worked_and_generated_cases  # noqa: E402
from codecorr_jax.data.function_ops import BOOL, OPS, Op, guarded_callable  # noqa: E402

KS = ("0", "1", "2", "3", "5", "10")
CS = (" ", ",", "a", "e")
GENERATED_INPUTS = 12


def _instances(op: Op, k_argument: bool) -> list[tuple[str, Callable[..., Any]]]:
    """The op as callables (x, k) -> value, one per parameter value it may take."""
    values = {"k": KS + (("k",) if k_argument else ()), "c": CS}.get(op.param, ("",))
    return [(op.key + (f"[{value}]" if op.param else ""), guarded_callable(op, value))
            for value in values]


def _apply(fn: Callable[..., Any], values: tuple, ks: tuple) -> tuple | None:
    """The op on every case's value, or None when it fails on one (or would be too big)."""
    out = []
    for value, k in zip(values, ks):
        try:
            out.append(fn(copy.deepcopy(value), k))
        except Exception:  # noqa: BLE001 - TooMuchWork, or the op fails on this input
            return None
    return tuple(out)


def search_cases(atom: Any) -> list[tuple[tuple, Any]]:
    """(arguments, expected value) a chain must match: the atom's examples and
    GENERATED_INPUTS inputs of its generator, seeded by its name."""
    return worked_and_generated_cases(atom, GENERATED_INPUTS, "atoms_within_the_grammar")


def computable_by_a_chain(atom: Any) -> str | None:
    """A chain (labels joined by ' -> ') that passes every case of `atom`, or None: a
    breadth-first search over the cases' intermediate values, equal values merged."""
    types = list(atom.arg_types)
    k_argument = len(types) == 2 and types[1] == "int"
    if len(types) > 2 or (len(types) == 2 and not k_argument):
        return None
    cases = search_cases(atom)
    ks = tuple(args[1] if k_argument else None for args, _ in cases)
    want = repr(tuple(expected for _, expected in cases))
    frontier = {repr(tuple(a[0] for a, _ in cases)): (types[0], tuple(a[0] for a, _ in cases),
                                                       [])}
    instances = {op.key: _instances(op, k_argument) for op in OPS}
    for depth in range(3):
        grown: dict[str, tuple] = {}
        for current_type, values, labels in frontier.values():
            for op in OPS:
                if op.takes != current_type or (op.gives == BOOL and atom.returns != BOOL):
                    continue
                for label, fn in instances[op.key]:
                    out = _apply(fn, values, ks)
                    if out is None:
                        continue
                    key = repr(out)
                    if op.gives == atom.returns and key == want:
                        return " -> ".join(labels + [label])
                    if depth < 2 and op.gives != BOOL and key not in grown:
                        grown[key] = (op.gives, out, labels + [label])
        frontier = grown
    return None


def _search(index: int) -> tuple[str, str | None, float]:
    """One atom's search."""
    atom = all_atoms()[index]
    started = time.perf_counter()
    chain = computable_by_a_chain(atom)
    return atom.name, chain, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="processes searching atoms in parallel")
    args = parser.parse_args()
    found = {}
    count = len(all_atoms())
    with multiprocessing.Pool(args.workers) as pool:
        for name, chain, seconds in pool.imap_unordered(_search, range(count)):
            if chain is not None:
                found[name] = chain
            print(f"{name}: {chain or '-'} ({seconds:.1f} s)", file=sys.stderr, flush=True)
    print(f"{len(found)} of {count} atoms are computed by some chain of <= 3 corpus ops "
          f"({len(OPS)} ops):")
    for name, chain in sorted(found.items()):
        print(f"- {name}: {chain}")


if __name__ == "__main__":
    main()
