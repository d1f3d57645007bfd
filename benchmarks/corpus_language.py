"""How much of the atoms' language does the generated corpus speak? Words and word n-grams.

    python benchmarks/corpus_language.py [--documents 20000] [--seed 1] [--n 3]

A base pretrained on the generated corpus (`data/function_corpus.py`) can only read a task
description in the words its corpus used. This draws `--documents` generated functions and
reports, over the 100 atoms' descriptions: the corpus's vocabulary (distinct words of the
docstrings), the share of each description's words and word n-grams that occur anywhere in
those docstrings (mean over atoms), and the atom words the corpus never uses, by how many
atoms use them. The drawn documents are the corpus's before its filters (the build leaves out
a few percent for task text or for computing an atom), which moves these shares little.
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from codecorr_jax.atoms import all_atoms  # noqa: E402
from codecorr_jax.data import corpus_documents, function_corpus  # noqa: E402


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z]+", text.lower())


def _grams(words: list[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--n", type=int, default=3, help="the n of the word n-grams")
    args = parser.parse_args()

    vocabulary: collections.Counter[str] = collections.Counter()
    grams: set[tuple[str, ...]] = set()
    for text in corpus_documents.documents(args.documents, seed=args.seed):
        words = _words(function_corpus.split_prompt(text)[0].split('"""')[1])
        vocabulary.update(words)
        grams |= _grams(words, args.n)

    word_shares, gram_shares = [], []
    unknown: collections.Counter[str] = collections.Counter()
    for atom in all_atoms():
        words = _words(atom.description)
        word_shares.append(sum(w in vocabulary for w in words) / len(words))
        atom_grams = _grams(words, args.n)
        gram_shares.append(len(atom_grams & grams) / max(1, len(atom_grams)))
        unknown.update({w for w in words if w not in vocabulary})

    mean = lambda xs: sum(xs) / len(xs)  # noqa: E731
    print(f"corpus version {function_corpus.VERSION}, {args.documents} documents (seed "
          f"{args.seed}): vocabulary {len(vocabulary)} words")
    print(f"atom descriptions: {mean(word_shares):.3f} of their words and "
          f"{mean(gram_shares):.3f} of their word {args.n}-grams occur in the corpus")
    print("atom words the corpus never uses (atoms using them): " + ", ".join(
        f"{w} {c}" for w, c in unknown.most_common(40)))


if __name__ == "__main__":
    main()
