"""`python -m codecorr_jax.data.ideas [TOPIC ...]`: check the ideas of some topics (all by
default): their own rules (`idea_problems`) and the corpus's text rules against the atoms
(`data.contamination.atom_index`). Prints one line per problem and exits 1 when any."""

from __future__ import annotations

import importlib
import sys

from codecorr_jax.data import contamination
from codecorr_jax.data.ideas import TOPIC_MODULES, fill, idea_problems


def text_problems(idea, index: contamination.ContaminationIndex) -> list[str]:
    """The corpus's text rules over every text of `idea`, its arguments under their own
    placeholder names."""
    names = {p: p for p in idea.placeholders}
    problems = []
    for text in idea.sentences + idea.nouns + idea.bodies + idea.names:
        for kind, source, match in index.hits(fill(text, names)):
            problems.append(f"{kind} of {source}: {match!r}")
    return problems


def main(topics: list[str]) -> int:
    index = contamination.atom_index()
    bad = 0
    for topic in topics or TOPIC_MODULES:
        module = importlib.import_module(f"codecorr_jax.data.ideas.{topic}")
        for idea in module.IDEAS:
            for problem in idea_problems(idea) + text_problems(idea, index):
                print(f"{topic}/{idea.atom}: {problem}")
                bad += 1
        print(f"{topic}: {len(module.IDEAS)} ideas checked")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
