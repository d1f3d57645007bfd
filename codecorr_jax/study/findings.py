"""The three findings as numbers: per cell and stage the (seeds, tasks) pass matrices, the
paired differences that carry each claim, and a verdict by a rule fixed before the run.

The rule (`verdict`): a claimed difference is *reproduced* when its paired 95% interval lies
above 0 and its mean reaches `min_effect`; *not reproduced* when the whole interval lies below
`min_effect` (an effect of the claimed size is ruled out); *inconclusive* otherwise.
"""

from __future__ import annotations

import dataclasses
from typing import Mapping, Sequence

import numpy as np

from codecorr_jax.eval import stats

Scores = dict[str, dict[str, np.ndarray]]  # stage -> suite -> (seeds, tasks)
IN_DOMAIN = "composite_in_domain"
TARGET = "composite_target"  # the default deciding target domain (config.study.target_suite)
TRAIN = "composite_train"
REPRODUCED, NOT_REPRODUCED, INCONCLUSIVE = "reproduced", "not reproduced", "inconclusive"


@dataclasses.dataclass(frozen=True)
class Comparison:
    """`later - earlier` on one suite: the claim's paired difference and what it decides."""

    claim: str
    suite: str
    later: str  # "cell / stage"
    earlier: str
    difference: stats.Interval
    verdict: str


@dataclasses.dataclass(frozen=True)
class Finding:
    number: int
    statement: str
    comparisons: list[Comparison]
    verdict: str
    rule: str
    notes: list[str] = dataclasses.field(default_factory=list)


def verdict(difference: stats.Interval, min_effect: float) -> str:
    if difference.low > 0 and difference.mean >= min_effect:
        return REPRODUCED
    if difference.high < min_effect:
        return NOT_REPRODUCED
    return INCONCLUSIVE


def combine(verdicts: Sequence[str]) -> str:
    """A finding made of several claims: reproduced when all are, not when any is not."""
    if verdicts and all(v == REPRODUCED for v in verdicts):
        return REPRODUCED
    if any(v == NOT_REPRODUCED for v in verdicts):
        return NOT_REPRODUCED
    return INCONCLUSIVE


def _compare(claim: str, suite: str, later: tuple[str, str], earlier: tuple[str, str],
             scores: Mapping[str, Scores], min_effect: float) -> Comparison | None:
    """later and earlier are (cell, stage); None when either was not scored on `suite`."""
    try:
        after = scores[later[0]][later[1]][suite]
        before = scores[earlier[0]][earlier[1]][suite]
    except KeyError:
        return None
    difference = stats.paired_task_bootstrap(after, before)
    return Comparison(claim, suite, " / ".join(later), " / ".join(earlier), difference,
                      verdict(difference, min_effect))


def gap_interval(scores: Scores, stage: str, held_out: str = IN_DOMAIN
                 ) -> stats.Interval | None:
    """Train-task minus held-out pass@1 of one stage, over seeds (t interval)."""
    per = scores.get(stage, {})
    if TRAIN not in per or held_out not in per:
        return None
    return stats.t_interval(per[TRAIN].mean(axis=1) - per[held_out].mean(axis=1))


def _gap_difference(bigger: Scores, bigger_stage: str, smaller: Scores, smaller_stage: str
                    ) -> stats.Interval | None:
    """Per seed, (bigger's train/held-out gap) - (smaller's), as a t interval over seeds."""
    try:
        gaps = [s[stage][TRAIN].mean(axis=1) - s[stage][IN_DOMAIN].mean(axis=1)
                for s, stage in ((bigger, bigger_stage), (smaller, smaller_stage))]
    except KeyError:
        return None
    return stats.t_interval(gaps[0] - gaps[1])


def finding_1(scores: Mapping[str, Scores], composite_counts: Sequence[int], main: str,
              min_effect: float, handful_share: float, target: str = TARGET) -> Finding:
    """SFT needs both atoms and composites; a handful of composites suffice."""
    comparisons = [c for suite in (target, IN_DOMAIN)
                   for other, what in (("sft_atoms", "composites added to atoms"),
                                       ("sft_composites", "atoms added to composites"))
                   if (c := _compare(what, suite, (main, "SFT"), (other, "SFT"), scores,
                                     min_effect)) is not None]
    deciding = [c.verdict for c in comparisons if c.suite == target]
    notes = []
    full = scores.get(main, {}).get("SFT", {}).get(target)
    if full is not None:
        share = handful_share * float(full.mean())
        reached = [n for n in sorted(composite_counts)
                   if (m := scores.get(f"sft_atoms_{n}", {}).get("SFT", {})
                       .get(target)) is not None and float(m.mean()) >= share]
        notes.append(
            f"a handful suffice: the fewest composites whose {target} pass@1 reaches "
            f"{handful_share:.0%} of all composites' ({share:.3f}): "
            + (f"{reached[0]}" if reached else "none of the counts tried"))
    return Finding(1, "Both atomic and synthetic (composite) functions are indispensable for "
                   "SFT to generalise; a handful of composites suffice.", comparisons,
                   combine(deciding),
                   "reproduced when SFT on atoms + composites beats both atoms only and "
                   f"composites only on the target domain, {target} (each paired difference "
                   "by the rule)",
                   notes)


def finding_2(scores: Mapping[str, Scores], main: str, other_cell: str,
              min_effect: float, target: str = TARGET, deciding_cell: str = "",
              other_cells: Sequence[str] = (),
              targets: Sequence[str] = (TARGET,),
              same_prompt_cells: Sequence[str] = ()) -> Finding:
    """RL after SFT improves target-domain generalisation, even on the same prompts.

    Each cell's "SFT then RL" is compared with the SFT it started from (`other_cell`'s is the
    main cell's) on in-domain and every target suite in `targets`; `deciding_cell`'s difference
    on `target` (default: the main cell's, on the same prompts) decides. `other_cells` (the
    atoms-first cells, each with an SFT of its own) are reported beside. The statement's second
    clause, "even with the same training prompts", is read in a note from `same_prompt_cells`
    (those whose PPO ran on its SFT's prompts): the verdict stays the rule's."""
    deciding_cell = deciding_cell or main
    cells = [(main, "RL on the same prompts", main), (other_cell, "RL on other prompts", main)]
    cells += [(cell, "RL after the cell's own SFT", cell) for cell in other_cells]
    suites = list(dict.fromkeys([target, *targets, IN_DOMAIN]))
    comparisons = [c for cell, claim, sft in cells for suite in suites
                   if (c := _compare(claim, suite, (cell, "SFT then RL"), (sft, "SFT"), scores,
                                     min_effect)) is not None]
    deciding = [c for c in comparisons
                if c.suite == target and c.later.startswith(f"{deciding_cell} / ")]
    notes = []
    by_suite = {c.suite: c.difference.mean for c in comparisons
                if c.later.startswith(f"{deciding_cell} / ")}
    if target in by_suite and IN_DOMAIN in by_suite:
        notes.append(f"{deciding_cell}: gain on the target domain ({target}) "
                     f"{by_suite[target]:+.3f} against {by_suite[IN_DOMAIN]:+.3f} in-domain")
    same = [c for c in comparisons
            if c.suite == target and c.later.split(" / ")[0] in same_prompt_cells]
    if same:
        notes.append("even with the same training prompts (PPO on its SFT's prompts), on "
                     f"{target}: " + "; ".join(f"{c.later.split(' / ')[0]} "
                                               f"{c.difference} ({c.verdict})"
                                               for c in same))
    return Finding(2, "RL greatly improves SFT's generalisation to the target domain, even "
                   "with the same training prompts.", comparisons,
                   combine([c.verdict for c in deciding]),
                   f"reproduced when SFT then RL beats SFT on the target domain ({target}) in "
                   f"the cell {deciding_cell} (the paired difference by the rule)", notes)


def finding_3(scores: Mapping[str, Scores], main: str, base_cell: str,
              min_effect: float, target: str = TARGET) -> Finding:
    """RL from the base (no SFT) over-fits less than SFT."""
    comparisons = [c for suite in (IN_DOMAIN, target)
                   if (c := _compare("RL from the base raises held-out pass@1", suite,
                                     (base_cell, "RL"), (base_cell, "base"), scores,
                                     min_effect)) is not None]
    notes, verdicts = [], [c.verdict for c in comparisons if c.suite == target]
    for label, cell, stage in (("SFT", main, "SFT"), ("SFT then RL", main, "SFT then RL"),
                               ("RL from the base", base_cell, "RL")):
        gap = gap_interval(scores.get(cell, {}), stage)
        if gap is not None:
            notes.append(f"train - held-out (in-domain) gap, {label}: {gap}")
    gap_difference = _gap_difference(scores.get(main, {}), "SFT", scores.get(base_cell, {}),
                                     "RL")
    if gap_difference is not None:
        notes.append(f"SFT's gap minus RL-from-the-base's gap (seeds, t): {gap_difference}")
        verdicts.append(verdict(gap_difference, min_effect))
    return Finding(3, "RL from scratch (no SFT) alleviates the over-fitting SFT introduces.",
                   comparisons, combine(verdicts),
                   f"reproduced when RL from the base raises target-domain ({target}) pass@1 "
                   "over the base and SFT's train / held-out gap exceeds RL's (each by the "
                   "rule)", notes)
