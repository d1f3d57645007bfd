"""Text corpora for the built-in tiny model: its pretraining corpus and its tokenizer's corpus.

The base corpus is generated documented functions (`data.function_corpus`: what teaches
"description -> code") and the Python standard library's own source, which every machine has
offline. It never contains the project's tasks (atoms, composites): the base model must not
have seen the evaluation functions before SFT or RL, as a real pretrained code model would not;
`data.contamination` checks it at build time. The stdlib part depends on the Python version
(files are added and changed between releases), so a corpus is reproducible for one interpreter
version, not across versions.

The tokenizer's corpus adds the TRAIN-split task texts (prompt + completion) to some of that
source, so that both the pretraining text and the SFT data compress well; test splits are left
out on purpose: the tokenizer never sees evaluation text.
"""

from __future__ import annotations

import functools
import json
import os
import random
import sysconfig
from typing import Any

from tqdm import tqdm

from codecorr_jax.data import (atom_lookalikes, compositions, contamination, corpus_documents,
                               function_corpus)
from codecorr_jax.synth import build, render
from codecorr_jax.tasks.registry import FAMILIES

# Larger files are generated tables or data (pydoc topics, decimal's pure-Python twin, unicode
# tables): they would spend the byte budget on one file's idiosyncrasies, so they are skipped.
MAX_FILE_BYTES = 200_000
# Directory names that hold test suites (stdlib `test/`, `*/tests/`, `idlelib/idle_test`,
# `ctypes/test`, ...): any path component starting with "test" or equal to these.
_TEST_DIRS = frozenset({"idle_test"})
# Third-party code installed under the stdlib directory is not the standard library.
_THIRD_PARTY_DIRS = frozenset({"site-packages", "dist-packages"})


def _excluded_dir(name: str) -> bool:
    return name.startswith("test") or name in _TEST_DIRS or name in _THIRD_PARTY_DIRS


def _is_utf8(path: str) -> bool:
    with open(path, "rb") as f:
        data = f.read()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@functools.lru_cache(maxsize=None)
def _source_files(root: str) -> tuple[str, ...]:
    found: list[tuple[str, str]] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not _excluded_dir(d)]
        for name in filenames:
            if not name.endswith(".py"):
                continue
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root).replace(os.sep, "/")
            if os.path.isfile(path) and _is_utf8(path):
                found.append((rel, path))
    return tuple(path for _, path in sorted(found))


def python_source_files() -> list[str]:
    """Absolute paths of the standard library's `.py` files, sorted by path relative to it.

    Test suites, third-party packages (`site-packages`) and files that are not valid UTF-8 are
    left out. The listing is cached for the process (the stdlib does not change under it).
    """
    return list(_source_files(sysconfig.get_paths()["stdlib"]))


def python_source_texts(max_bytes: int, seed: int = 0) -> list[str]:
    """A seeded selection of whole stdlib files, at most `max_bytes` of UTF-8 in total.

    The sorted file list is shuffled with `random.Random(seed)` and walked in that order; a file
    that does not fit in what is left of the budget is skipped (the walk goes on, so the budget
    fills almost exactly), as are empty files and files over MAX_FILE_BYTES. Files are read as
    bytes and decoded, so line endings are kept as they are.
    """
    if not isinstance(max_bytes, int) or max_bytes <= 0:
        raise ValueError(f"max_bytes must be a positive int, got {max_bytes!r}")
    paths = python_source_files()
    random.Random(seed).shuffle(paths)
    texts: list[str] = []
    left = max_bytes
    for path in paths:
        size = os.path.getsize(path)
        if size == 0 or size > MAX_FILE_BYTES or size > left:
            continue
        with open(path, "rb") as f:
            data = f.read()
        texts.append(data.decode("utf-8"))
        left -= len(data)
        if left == 0:
            break
    return texts


def _build_style(jsonl_dir: str) -> str | None:
    path = os.path.join(jsonl_dir, build.MANIFEST)
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        return json.load(f).get("prompt_style")


def task_texts(jsonl_dir: str, style: str = "docstring") -> list[str]:
    """Prompt + completion of every TRAIN-split task in a dataset build directory.

    Atom_base and each composite family's train split that is present are read, in that order;
    test splits are never read. `style` must be the style the build rendered its prompts in
    (checked against the build's manifest when there is one).
    """
    built = _build_style(jsonl_dir)
    if built is not None and built != style:
        raise ValueError(f"style {style!r} does not match the build's prompt_style {built!r} "
                         f"in {jsonl_dir!r}")
    texts: list[str] = []
    found = False
    for family in FAMILIES:
        path = build.jsonl_path(jsonl_dir, family, "train")
        if not os.path.exists(path):
            continue
        found = True
        for record in build.read_jsonl(path):
            if record["split"] != "train":
                raise ValueError(f"{path}: task {record['task_id']!r} has split "
                                 f"{record['split']!r}, expected 'train'")
            texts.append(record["prompt"] + render.completion(record, style))
    if not found:
        raise FileNotFoundError(f"no train split of any family {FAMILIES} in {jsonl_dir!r}")
    return texts


def tokenizer_corpus(jsonl_dir: str, style: str, source_bytes: int, seed: int = 0) -> list[str]:
    """What the tiny tokenizer trains on: the train task texts plus `source_bytes` of stdlib."""
    return task_texts(jsonl_dir, style) + python_source_texts(source_bytes, seed)


def pretraining_corpus(jsonl_dir: str, *, source_bytes: int, generated_functions: int,
                       seed: int = 0, composition_depth: int = 3, progress: bool = False
                       ) -> tuple[list[str | tuple[str, str]], dict[str, Any]]:
    """The base model's corpus and its manifest: generated documented functions
    (`data.function_corpus`, half of them around the atoms' ideas, `data.idea_documents`)
    and `source_bytes` of stdlib source, decontaminated.

    Documents that hold task text (`data.contamination`: a task's name, an 8-gram of a task's
    sentences, a 10-gram of its code, a test literal) or that compute a composition of two or
    more atoms (`data.compositions`, chains up to `composition_depth` atoms) are left out as
    they are drawn, and the final corpus is checked as a whole for task text, a hit failing
    the build (ContaminationError). A function computing one atom's idea is allowed; the
    manifest counts, per atom, the functions that compute it and in how many phrasings, with
    the documents, bytes, what was left out and why, and the check's (zero) counts. With
    `progress`, bars show the composition table's types and the documents drawn.
    """
    index = contamination.build_index(jsonl_dir, contamination.humaneval_prompts())
    lookalikes = atom_lookalikes.Lookalikes(seed)
    table = compositions.composition_table(composition_depth, seed, progress)
    left_out = {"generated": 0, "stdlib": 0}  # for task text
    computes_composition: dict[str, int] = {}
    ideas = atom_lookalikes.IdeaCounts()

    def clean(document: function_corpus.Document) -> bool:
        chain = atom_lookalikes.composition_of(document, table)
        if chain is not None:
            computes_composition[chain] = computes_composition.get(chain, 0) + 1
            return False
        if index.hits(document.text):
            left_out["generated"] += 1
            return False
        ideas.add(document, lookalikes)
        return True

    drawn = list(tqdm(corpus_documents.drawn_documents(generated_functions, seed, clean),
                      total=generated_functions, desc="corpus", unit="function",
                      disable=not progress, leave=False))
    atom_lookalikes.check_documents(drawn, table)
    generated = [document.text for document in drawn]
    stdlib = python_source_texts(source_bytes, seed)
    kept = [t for t in stdlib if not index.hits(t)]
    left_out["stdlib"] = len(stdlib) - len(kept)
    stdlib = kept
    documents = {f"generated/{i}": t for i, t in enumerate(generated)}
    documents |= {f"stdlib/{i}": t for i, t in enumerate(stdlib)}
    counts = contamination.check_corpus(documents, index)
    manifest = {
        "documents": {"generated": len(generated), "stdlib": len(stdlib)},
        "bytes": {"generated": sum(len(t.encode()) for t in generated),
                  "stdlib": sum(len(t.encode()) for t in stdlib)},
        "left_out_as_contaminated": left_out,
        "left_out_as_computing_a_composition": {
            "documents": sum(computes_composition.values()),
            "chains": dict(sorted(computes_composition.items(), key=lambda kv: -kv[1])[:20])},
        "composition_table": {"depth": composition_depth, "vectors": table.size},
        "atom_ideas": ideas.manifest(),
        "grammar_ops": len(function_corpus.OPS),
        "contamination": {**index.sizes(), "hits": counts},
    }
    # A generated function is (prompt, body), tokenized apart as a task's prompt and
    # completion are (data.pipeline.tokenize_documents).
    return [function_corpus.split_prompt(t) for t in generated] + stdlib, manifest
