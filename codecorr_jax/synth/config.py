"""The synthesis pipeline's settings, owned here (the `synth` config section is built from them).

`SynthConfig.from_fields` turns a section (or a dict of overrides) into typed values once, at the
edge; the pipeline reads attributes, never a ConfigDict.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Mapping

from codecorr_jax.synth.splits import FAMILIES


@dataclasses.dataclass(frozen=True)
class SynthConfig:
    """How the datasets are built (codecorr_jax/synth/README.md)."""

    # Composites per family, train + test: 800 train, 200 in-domain and 200 target-domain tests
    # (enough to see a 10-point difference), plus the deeper and unseen-atom tests (below).
    size_a: int = 1200
    size_b: int = 1200
    size_c: int = 1200
    test_fraction: float = 1 / 3  # of each family, the test split
    target_test_fraction: float = 0.5  # of each test split, composites holding a held-out pair
    heldout_pair_fraction: float = 0.1  # of the composition graph's atom pairs, never in train
    min_chain_length: int = 2  # atoms per train (and held-out-pair) composite
    max_chain_length: int = 3
    # The second target domain: test composites of max_chain_length + 1 .. deep_max_chain_length
    # atoms, longer than any trained; per family, this fraction of the test split's size on
    # top of it (0 = none).
    deep_test_fraction: float = 0.5
    deep_max_chain_length: int = 4
    # The third: test composites holding an atom no other composite holds (a seeded
    # heldout_atom_fraction of the composable atoms, taught only by Atom_base); per family,
    # unseen_atom_test_fraction of the test split's size on top of it (0 = none).
    heldout_atom_fraction: float = 0.1
    unseen_atom_test_fraction: float = 0.5
    wide_shapes: bool = False  # also two branches joined by a two-argument atom
    # How much a composite spells out (synth/render.py, Wording): each prompt step names its
    # atom; each atom in the solution keeps its docstring. Off: the study's form.
    name_steps: bool = False
    documented_helpers: bool = False
    tests_per_task: int = 12
    min_tests: int = 10
    # Tests that cannot be gamed (synth/adequacy.py): no output fills more than half a task's
    # tests; tests must kill this share of the reference's mutants, with up to max_added_tests
    # more drawn to get there, or the task is rejected (0: no mutant check).
    min_mutation_score: float = 0.95
    max_added_tests: int = 4
    # A second test set per composite from inputs its tests do not use, kept out of the
    # reward: RL logs the rewarded samples that fail it (0: none).
    heldback_tests: int = 6
    min_distinct_outputs: int = 3
    max_output_chars: int = 4096  # canonical JSON of any one output or intermediate value
    line_budget: int = 50000  # Python lines one call of a candidate may run (deterministic)
    ngram_n: int = 10
    batch_size: int = 256  # candidates validated per executor batch
    test_timeout_s: float = 1.0  # safety nets
    program_timeout_s: float = 10.0
    memory_mb: int = 512
    seed: int = 0

    @classmethod
    def from_fields(cls, fields: Mapping[str, Any] | None = None) -> "SynthConfig":
        """The defaults with `fields` (a `synth` section's values, or some of them) over them;
        a field that does not exist is named."""
        fields = dict(fields or {})
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(fields) - known)
        if unknown:
            raise ValueError(f"unknown synth field(s) {unknown}; known: {sorted(known)}")
        return cls(**fields)

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def size(self, family: str) -> int:
        """Composites of `family` (train + test, before the tests on top)."""
        return {name: size for name, size in zip(FAMILIES, (self.size_a, self.size_b,
                                                            self.size_c))}[family]
