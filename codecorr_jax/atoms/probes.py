"""Probe inputs and semantic fingerprints: one function's identity is its outputs on fixed inputs.

Two functions with the same fingerprint behave the same on the probes, so the synthesis pipeline
uses fingerprints to drop semantic duplicates and to keep train and test functions disjoint.
Probes come from an argument generator driven by a fixed seed, so the same generator always
yields the same probes, in any process.
"""

from __future__ import annotations

import copy
import random
from typing import Any, Callable

from codecorr_jax.canonical import fingerprint
from codecorr_jax.atoms.spec import ArgsGenerator, Atom

PROBE_COUNT = 32
PROBE_SEED = 20240917


def probe_inputs(
    generate: ArgsGenerator, n: int = PROBE_COUNT, seed: int = PROBE_SEED
) -> list[tuple]:
    """`n` argument tuples drawn from `generate` with a fixed seed (identical on every call)."""
    rng = random.Random(seed)
    return [tuple(generate(rng)) for _ in range(n)]


def outputs_fingerprint(fn: Callable[..., Any], inputs: list[tuple]) -> str:
    """Fingerprint of `fn`'s outputs on `inputs`; each call gets a deep copy of its arguments."""
    return fingerprint([fn(*copy.deepcopy(args)) for args in inputs])


def atom_fingerprint(atom: Atom) -> str:
    """The atom's semantic fingerprint: its outputs on the probes of its own generator."""
    return outputs_fingerprint(atom.fn, probe_inputs(atom.generate))


def worked_and_generated_cases(atom: Atom, generated: int, label: str) -> list[tuple[tuple, Any]]:
    """(arguments, the atom's value) on its hand-worked examples, then on `generated` inputs of
    its own generator seeded by `label` and its name: what a function is compared with when the
    question is whether it computes the atom."""
    rng = random.Random(f"{label}/{atom.name}")
    cases = [(tuple(args), expected) for args, expected in atom.examples]
    for _ in range(generated):
        args = tuple(atom.generate(rng))
        cases.append((args, atom.fn(*copy.deepcopy(args))))
    return cases
