"""Families and splits: where each validated composite goes, and the contamination report.

What is promised (checked by `contamination_report` at build time, and by the tests):
- every composite has a fingerprint no other task has (atoms included), so no two tasks of any
  family or split compute the same function on the signature probes;
- a *chain* (the atoms of a composite, in evaluation order) belongs to one (family, split): the
  families share no chain, and no test chain is a train chain, whatever the constants;
- no test solution equals a train solution or prompt text (entry-point name normalised);
- n-gram overlap: the composite-specific code is the entry point's body (one line per atom call,
  with its constants); the atoms' code is shared by construction (Atom_base teaches it). No
  `ngram_n`-gram of word tokens (`\\w+`) of a test body occurs in any train body;
- held-out pairs: a fraction of the composition graph's atom pairs (producer -> consumer) never
  occurs adjacently in any train composite; the *target-domain* part of each test split consists
  of composites holding at least one held-out pair (their ids are listed in the manifest);
- deeper chains: with `synth.deep_test_fraction` > 0, each family's test split also holds
  composites of `synth.max_chain_length` + 1 .. `synth.deep_max_chain_length` atoms, more than
  any train composite, a second target domain; no train composite is longer than
  `synth.max_chain_length`;
- held-out atoms: with `synth.heldout_atom_fraction` > 0, a seeded share of the atoms is in no
  composite but the *unseen-atom* tests (`synth.unseen_atom_test_fraction` of each test split,
  on top), each holding at least one of them: composition SFT never saw, of atoms that only
  Atom_base teaches. No other test holds one either, so the other suites mean what they did.
"""

from __future__ import annotations

import ast
import dataclasses
import random
import re
from typing import Any, Iterable, Sequence

from codecorr_jax.atoms.graph import CompositionGraph
from codecorr_jax.synth import render
from codecorr_jax.synth.compose import Composite
from codecorr_jax.synth.validate import Validated

FAMILIES: tuple[str, ...] = ("composite_A", "composite_B", "composite_C")
SPLITS: tuple[str, ...] = ("train", "test")
WORD = re.compile(r"\w+")  # a word token, as the n-gram checks count them


def heldout_atoms(graph: CompositionGraph, fraction: float, seed: int) -> frozenset:
    """A seeded `fraction` of the atoms that take part in some composition (an edge of the
    graph), kept out of every composite but the unseen-atom tests."""
    composable = sorted({a for a, consumers in graph.consumers.items() if consumers}
                        | {b for consumers in graph.consumers.values() for b in consumers})
    rng = random.Random(f"synth/{seed}/heldout_atoms")
    return frozenset(rng.sample(composable, round(fraction * len(composable))))


def heldout_pairs(graph: CompositionGraph, fraction: float, seed: int,
                  excluded_atoms: frozenset = frozenset()) -> frozenset:
    """A seeded `fraction` of the (producer, consumer) atom pairs of the graph, among the pairs
    of atoms not in `excluded_atoms` (a held-out atom's pairs are never in train anyway)."""
    edges = sorted((a, b) for a, consumers in graph.consumers.items() for b in consumers
                   if a not in excluded_atoms and b not in excluded_atoms)
    rng = random.Random(f"synth/{seed}/heldout_pairs")
    return frozenset(rng.sample(edges, round(fraction * len(edges))))


def ngrams(text: str, n: int) -> set[str]:
    """The n-grams of `text`'s word tokens, each as a space-joined string."""
    tokens = WORD.findall(text)
    return {" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1)}


# What a slot holds beyond its family and split: "train" (train split only) and the test
# domains, each a suite of its own (eval/suites.py): held-out functions of familiar
# compositions, a held-out pair, a chain longer than any trained, a held-out atom.
DOMAINS: tuple[str, ...] = ("train", "in_domain", "target", "deep", "unseen_atom")


@dataclasses.dataclass
class Slot:
    """One part of one family's split: train, or a test domain (`DOMAINS`)."""

    family: str
    domain: str
    capacity: int
    members: list[Validated] = dataclasses.field(default_factory=list)

    @property
    def split(self) -> str:
        return "train" if self.domain == "train" else "test"

    @property
    def room(self) -> int:
        return self.capacity - len(self.members)


def plan(sizes: dict[str, int], test_fraction: float, target_test_fraction: float,
         deep_test_fraction: float = 0.0, unseen_atom_test_fraction: float = 0.0) -> list[Slot]:
    """Slots per family: train, in-domain test, target-domain test, deeper test and
    unseen-atom test capacities.

    The deeper and the unseen-atom tests, `deep_test_fraction` and `unseen_atom_test_fraction`
    x the test split's size per family, come on top of `sizes` (which the other three share)."""
    for name, value in (("deep_test_fraction", deep_test_fraction),
                        ("unseen_atom_test_fraction", unseen_atom_test_fraction)):
        if value < 0:
            raise ValueError(f"synth.{name}={value} must be >= 0")
    slots = []
    for family in FAMILIES:
        size = sizes[family]
        if size < 0:
            raise ValueError(f"synth.size_{family[-1].lower()}={size} must be >= 0")
        n_test = round(size * test_fraction)
        n_target = round(n_test * target_test_fraction)
        slots += [Slot(family, "train", size - n_test),
                  Slot(family, "in_domain", n_test - n_target),
                  Slot(family, "target", n_target)]
        for domain, fraction in (("deep", deep_test_fraction),
                                 ("unseen_atom", unseen_atom_test_fraction)):
            if round(n_test * fraction):
                slots.append(Slot(family, domain, round(n_test * fraction)))
    return slots


class Assigner:
    """Puts validated composites into slots, keeping every promise of the module docstring.

    Decisions depend only on the order composites arrive in and on `seed`."""

    def __init__(self, slots: list[Slot], heldout: frozenset, ngram_n: int, seed: int,
                 max_train_length: int | None = None,
                 heldout_atoms: frozenset = frozenset()) -> None:
        self.slots, self.heldout, self.n = slots, heldout, ngram_n
        self.max_train_length = max_train_length  # longer composites go to the deeper slots
        self.heldout_atoms = heldout_atoms  # composites holding one go to the unseen-atom slots
        self.rng = random.Random(f"synth/{seed}/assign")
        self.owner: dict[tuple[str, ...], Slot] = {}
        self.train_ngrams: set[str] = set()
        self.test_ngrams: set[str] = set()

    @property
    def full(self) -> bool:
        return all(s.room == 0 for s in self.slots)

    @property
    def filled(self) -> int:
        return sum(len(s.members) for s in self.slots)

    def touches_heldout(self, composite: Composite) -> bool:
        return any(p in self.heldout for p in composite.pairs)

    def domains(self, composite: Composite) -> tuple[str, ...]:
        """The domains whose slots may take `composite`."""
        if self.heldout_atoms & set(composite.atoms):
            return () if self.is_deep(composite) else ("unseen_atom",)
        if self.is_deep(composite):
            return ("deep",)
        return ("target",) if self.touches_heldout(composite) else ("train", "in_domain")

    def _open(self, composite: Composite) -> list[Slot]:
        if composite.atoms in self.owner:
            slot = self.owner[composite.atoms]
            return [slot] if slot.room else []
        domains = self.domains(composite)
        return [s for s in self.slots if s.room and s.domain in domains]

    def is_deep(self, composite: Composite) -> bool:
        return self.max_train_length is not None and len(composite.nodes) > self.max_train_length

    def admits(self, composite: Composite) -> bool:
        """Whether some slot could still take `composite` (checked before validating it)."""
        return bool(self._open(composite))

    def add(self, item: Validated) -> str | None:
        """Assign `item`; None when placed, else the rejection reason."""
        slots = self._open(item.composite)
        if not slots:
            return "no_room"
        grams = ngrams(render.entry_body(item.composite), self.n)
        slots = [s for s in slots if not grams & (
            self.test_ngrams if s.split == "train" else self.train_ngrams)]
        if not slots:
            return "ngram_overlap"
        slot = self.rng.choices(slots, weights=[s.room for s in slots])[0]
        slot.members.append(item)
        self.owner[item.composite.atoms] = slot
        (self.train_ngrams if slot.split == "train" else self.test_ngrams).update(grams)
        return None


# ---- the report, computed from the written records alone


def record_pairs(record: dict[str, Any]) -> set[tuple[str, str]]:
    """Adjacent atom pairs of a record, read from its entry point's body."""
    body = render.entry_body_of(record["solution"], record["entry_point"])
    producer: dict[str, str] = {}
    pairs = set()
    for stmt in ast.parse(_dedent(body)).body:
        call = stmt.value
        for arg in call.args:
            if isinstance(arg, ast.Name) and arg.id in producer:
                pairs.add((producer[arg.id], call.func.id))
        if isinstance(stmt, ast.Assign):
            producer[stmt.targets[0].id] = call.func.id
    return pairs


def _dedent(body: str) -> str:
    return "".join(line[4:] for line in body.splitlines(keepends=True))


def _normalised(record: dict[str, Any], field: str) -> str:
    return record[field].replace(record["entry_point"], "ENTRY")


def _keys(record: dict[str, Any], ngram_n: int) -> dict[str, set]:
    composite = record["family"] != "atom"
    body = render.entry_body_of(record["solution"], record["entry_point"]) if composite else ""
    return {
        "chain": {tuple(record["atoms"])},
        "fingerprint": {record["fingerprint"]},
        "solution_text": {_normalised(record, "solution")},
        "prompt_text": {_normalised(record, "prompt")},
        "entry_ngrams": ngrams(body, ngram_n),
    }


def contamination_report(records: Iterable[dict[str, Any]], heldout: Iterable[Sequence[str]],
                         target_ids: Iterable[str], ngram_n: int,
                         deep_ids: Iterable[str] = (),
                         max_train_length: int | None = None,
                         heldout_atoms: Iterable[str] = (),
                         unseen_atom_ids: Iterable[str] = ()) -> dict[str, Any]:
    """Overlaps between test and train (all families), between families, and held-out pairs.

    With `deep_ids`, the deeper test composites must be longer than every train composite (and
    no train composite longer than `max_train_length`). With `heldout_atoms`, the unseen-atom
    tests (`unseen_atom_ids`) each hold one and no other composite, train or test, holds any.

    Every count in "test_vs_train", "between_families" and "heldout" is promised to be zero;
    "informational" holds numbers that are not (the atoms' code is shared by construction)."""
    records = list(records)
    heldout = {tuple(p) for p in heldout}
    train = [r for r in records if r["split"] == "train"]
    test = [r for r in records if r["split"] == "test"]
    train_keys: dict[str, set] = {k: set() for k in _keys(records[0], ngram_n)} if records else {}
    for r in train:
        for k, v in _keys(r, ngram_n).items():
            train_keys[k] |= v
    test_vs_train = {k: sum(1 for r in test if _keys(r, ngram_n)[k] & train_keys[k])
                     for k in train_keys}
    between: dict[str, int] = {}
    owners: dict[str, dict[Any, str]] = {"chain": {}, "fingerprint": {}}
    for r in records:
        for k in owners:
            for key in _keys(r, ngram_n)[k]:
                first = owners[k].setdefault(key, r["family"])
                if first != r["family"]:
                    between[k] = between.get(k, 0) + 1
    train_pairs = set().union(*(record_pairs(r) for r in train if r["family"] != "atom"))
    targets = set(target_ids)
    by_id = {r["task_id"]: r for r in test}
    solution_grams_train = set().union(*(ngrams(r["solution"], ngram_n) for r in train))
    test_grams = [ngrams(r["solution"], ngram_n) for r in test]
    shared = sum(len(g & solution_grams_train) for g in test_grams)
    total = sum(len(g) for g in test_grams)
    deep = set(deep_ids)
    train_lengths = [len(r["atoms"]) for r in train if r["family"] != "atom"]
    longest_train = max(train_lengths, default=0)
    depth: dict[str, int] = {}
    if deep or max_train_length is not None:
        depth = {
            "deep_tests_not_longer_than_train": sum(
                1 for t in deep if len(by_id[t]["atoms"]) <= longest_train),
            "train_tasks_longer_than_max_chain": sum(
                1 for n in train_lengths if max_train_length is not None and n > max_train_length),
        }
    unseen: dict[str, int] = {}
    held_atoms, unseen_ids = set(heldout_atoms), set(unseen_atom_ids)
    if held_atoms or unseen_ids:
        composites = [r for r in records if r["family"] != "atom"]
        holding = {r["task_id"] for r in composites if held_atoms & set(r["atoms"])}
        unseen = {
            "atoms": len(held_atoms),
            "train_tasks_with_heldout_atom": sum(1 for r in train if r["task_id"] in holding),
            "other_tests_with_heldout_atom": sum(
                1 for r in test if r["task_id"] in holding and r["task_id"] not in unseen_ids),
            "unseen_atom_tests_without_heldout_atom": len(unseen_ids - holding),
        }
    return {
        "ngram_n": ngram_n,
        "train_tasks": len(train),
        "test_tasks": len(test),
        "depth": depth,
        "unseen_atoms": unseen,
        "test_vs_train": test_vs_train,
        "between_families": {k: between.get(k, 0) for k in owners},
        "heldout": {
            "pairs": len(heldout),
            "train_tasks_with_heldout_pair": sum(
                1 for r in train if r["family"] != "atom" and record_pairs(r) & heldout),
            "target_tests_without_heldout_pair": sum(
                1 for t in targets if not record_pairs(by_id[t]) & heldout),
        },
        "informational": {
            "target_domain_tests": len(targets),
            "deep_tests": len(deep),
            "unseen_atom_tests": len(unseen_ids),
            "longest_train_chain": longest_train,
            "target_tests_with_pair_unseen_in_train": sum(
                1 for t in targets if record_pairs(by_id[t]) - train_pairs),
            "test_solution_ngrams_seen_in_train_fraction": round(shared / total, 4)
            if total else 0.0,
        },
    }


def violations(report: dict[str, Any]) -> list[str]:
    """Every promised-zero count of the report that is not zero."""
    bad = [f"test_vs_train.{k}={v}" for k, v in report["test_vs_train"].items() if v]
    bad += [f"between_families.{k}={v}" for k, v in report["between_families"].items() if v]
    bad += [f"heldout.{k}={v}" for k, v in report["heldout"].items() if k != "pairs" and v]
    bad += [f"depth.{k}={v}" for k, v in report.get("depth", {}).items() if v]
    bad += [f"unseen_atoms.{k}={v}" for k, v in report.get("unseen_atoms", {}).items()
            if k != "atoms" and v]
    return bad
