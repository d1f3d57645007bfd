"""Is a base clean for datasets built after it? Rebuild its corpus and check it against them.

    python -m codecorr_jax.data.corpus_check --built-with runs/base/datasets/jsonl \\
        --against runs/study/datasets/jsonl [--base codecorr_jax/assets/tiny_base]

A base's corpus is checked, when it is built, against the datasets of that build
(`data.contamination`). Datasets made later (another `synth.seed`, held-out atoms) hold other
composites: other names, prompts, solutions and test values. The rule against corpus functions
that compute a composition does not depend on them (`data.compositions` checks every chain), the
text rules do. This rebuilds the base's corpus exactly (from the datasets it was built with and
the pretraining fields its manifest records), confirms it is the base's by its documents and
bytes, and checks every document against the index of `--against`. Exit status 0 when nothing
of `--against` is in the corpus, 1 when something is (the hits are printed).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any, Sequence

from codecorr_jax.data import contamination, corpus, function_corpus
from codecorr_jax.fileio import read_json

BASE_MANIFEST = "codecorr_base.json"


class CorpusMismatch(ValueError):
    """The rebuilt corpus is not the one the base was trained on; the message says how."""


def rebuild_corpus(built_with: str, base_dir: str, progress: bool = False
                   ) -> tuple[dict[str, str], dict[str, Any]]:
    """The base's corpus as named documents, rebuilt from the datasets in `built_with` and the
    fields of `base_dir`'s manifest; raises CorpusMismatch unless its counts and bytes are
    those the manifest records."""
    manifest = read_json(os.path.join(base_dir, BASE_MANIFEST))
    if manifest is None:
        raise FileNotFoundError(f"no {BASE_MANIFEST} in {base_dir}")
    fields = manifest["fields"]
    if fields.get("function_corpus") != function_corpus.VERSION:
        raise CorpusMismatch(f"the base in {base_dir} was trained on corpus version "
                             f"{fields.get('function_corpus')}; this code writes version "
                             f"{function_corpus.VERSION}, so it cannot rebuild that corpus")
    pretrain = fields["pretrain"]
    texts, made = corpus.pretraining_corpus(
        built_with, source_bytes=int(pretrain["corpus_mb"] * 1e6),
        generated_functions=int(pretrain["generated_functions"]),
        seed=_data_seed(),
        composition_depth=int(pretrain["composition_depth"]), progress=progress)
    recorded = manifest["training"]["corpus"]
    for key in ("documents", "bytes"):
        if made[key] != recorded[key]:
            raise CorpusMismatch(f"the corpus rebuilt from {built_with} has {key} {made[key]}; "
                                 f"the base recorded {recorded[key]}: give --built-with the "
                                 "datasets the base was built with")
    documents = {}
    for i, text in enumerate(texts):
        documents[f"document/{i}"] = "".join(text) if isinstance(text, tuple) else text
    return documents, made


def _data_seed() -> int:
    """`config.data.seed`, which draws the corpus; the base manifest does not record it, so the
    default (every shipped base's) is assumed, and the count check catches another."""
    from codecorr_jax.config import base_config

    return int(base_config("pretrain").data.seed)


def check_against(documents: dict[str, str], against: str) -> dict[str, int]:
    """Hits per kind (`contamination.KINDS`) of the index of the datasets in `against` (and
    HumanEval's prompts) in `documents`; raises ContaminationError when there is one."""
    index = contamination.build_index(against, contamination.humaneval_prompts())
    return contamination.check_corpus(documents, index)


def every_hit(documents: dict[str, str], against: str) -> dict[str, dict[str, int]]:
    """Task id -> kind -> how many documents hold that task's text of that kind: the whole list
    behind a failed `check_against`, to see which tasks (and splits) a base has met."""
    index = contamination.build_index(against, contamination.humaneval_prompts())
    found: dict[str, dict[str, int]] = {}
    for text in documents.values():
        for kind, source in {(kind, source) for kind, source, _ in index.hits(text)}:
            found.setdefault(source, {}).setdefault(kind, 0)
            found[source][kind] += 1
    return dict(sorted(found.items()))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m codecorr_jax.data.corpus_check",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--built-with", required=True,
                        help="the jsonl datasets directory the base was built with")
    parser.add_argument("--against", required=True,
                        help="the jsonl datasets directory to check the corpus against")
    parser.add_argument("--base", default=corpus_base_dir(), help="the base's directory")
    args = parser.parse_args(argv)
    documents, _ = rebuild_corpus(args.built_with, args.base, progress=True)
    try:
        counts = check_against(documents, args.against)
    except contamination.ContaminationError as error:
        print(f"contaminated: {error}")
        print("every task met, with the documents holding its text, by kind:")
        print(json.dumps(every_hit(documents, args.against), indent=1))
        return 1
    print(json.dumps({"documents": len(documents), "against": args.against, "hits": counts},
                     indent=1))
    return 0


def corpus_base_dir() -> str:
    from codecorr_jax.regimes.stages import SHIPPED_BASE_DIR

    return SHIPPED_BASE_DIR


if __name__ == "__main__":
    sys.exit(main())
