"""The generated part of the base corpus: grammar documents (`data.function_corpus`) and
documents drawn around an atom's idea (`data.idea_documents`), mixed by one seeded draw.

Everything is seeded: the same seed and count give the same documents on every machine.
"""

from __future__ import annotations

import random
from typing import Callable, Iterator

from codecorr_jax.data import idea_documents
from codecorr_jax.data.function_corpus import Document, grammar_document
from codecorr_jax.data.ideas import all_ideas

# The share of documents drawn around an atom's idea (`data.idea_documents`, version 9: issue
# 35's judgement lets the corpus say what an atom computes in its own names, words and code;
# version 10 adds staged documents, the idea as one stage among grammar ops).
IDEA_SHARE = 0.5


def drawn_documents(count: int, seed: int = 0,
                    keep: Callable[[Document], bool] = lambda document: True
                    ) -> Iterator[Document]:
    """`count` generated function documents (the seed fixes them), skipping any that `keep`
    rejects (the corpus build's filters) and exact repeats."""
    if count < 0:
        raise ValueError(f"count must be >= 0, got {count}")
    ideas = all_ideas()
    rng = random.Random(f"function_corpus/{seed}")
    seen: set[str] = set()
    made = attempts = 0
    while made < count:
        attempts += 1
        if attempts > 20 * count + 1000:
            raise RuntimeError(f"only {made} of {count} distinct documents after {attempts} "
                               "draws: the grammar is too small for this count")
        if rng.random() < IDEA_SHARE:
            drawn = idea_documents.idea_document(ideas, rng)
            steps = drawn.before + drawn.after
            document: Document | None = Document(
                drawn.text, tuple(key for key, _ in steps), drawn.staged,
                tuple(value for _, value in steps), drawn)
        else:
            document = grammar_document(rng)
        if document is None or document.text in seen or not keep(document):
            continue
        seen.add(document.text)
        made += 1
        yield document


def documents(count: int, seed: int = 0,
              keep: Callable[[Document], bool] = lambda document: True) -> Iterator[str]:
    """The texts of `drawn_documents`."""
    return (document.text for document in drawn_documents(count, seed, keep))
