"""Tables over seeds: read the final evaluations of several run directories (one per seed) and
give, per suite, each stage's pass@1 as mean, std and 95% CI, the paired differences
between stages (per task, bootstrap; and per seed, t), and each stage's train / held-out gap.

    python -m codecorr_jax.eval.seed_runs runs/seed0 runs/seed1 runs/seed2 [--out table.md]

A workdir's stages are found where the regimes write them: the base model's cached scores
(`base_eval/eval_*/`), `sft/`, `sft_then_rl/` and `rl/`, each `eval/latest.json` (the final
evaluation). Only stages present in every workdir are compared.
"""

from __future__ import annotations

import argparse
import glob
import os
from typing import Mapping, Sequence

import numpy as np

from codecorr_jax.eval import stats
from codecorr_jax.fileio import read_json, write_json_atomic, write_text_atomic
from codecorr_jax.eval.stages import STAGES
from codecorr_jax.tasks.registry import HELD_OUT_SUITES

# the comparisons that carry the study's claims: (later stage, earlier stage)
PAIRS: tuple[tuple[str, str], ...] = (("SFT", "base"), ("SFT then RL", "SFT"), ("RL", "base"))

# the over-fitting gap: the composites a stage trained on against the held-out ones
TRAIN_SUITE = "composite_train"

Scores = dict[str, dict[str, np.ndarray]]  # stage -> suite -> (seeds, tasks) pass matrix


def _own_suites(workdir: str) -> set[str] | None:
    """The suites the run in `workdir` evaluated its own models on (its first trained stage's
    evaluation), or None when it has none yet."""
    for pattern in (s.results for s in STAGES.values()):
        if "*" not in pattern:
            payload = read_json(os.path.join(workdir, pattern))
            if payload is not None:
                return set(payload["results"])
    return None


def stage_results(workdir: str, pattern: str) -> dict | None:
    """The results of the evaluation matching `pattern` in `workdir`. A base evaluation is
    cached per evaluation settings, so a workdir shared by runs with other settings holds
    several: the one over the suites this run evaluated is its own."""
    paths = sorted(glob.glob(os.path.join(workdir, pattern)))
    results = [payload["results"] for payload in map(read_json, paths) if payload is not None]
    if len(results) > 1:
        suites = _own_suites(workdir)
        own = [r for r in results if set(r) == suites]
        if len(own) != 1:
            raise ValueError(f"{workdir}: several evaluations match {pattern}: {paths}, and "
                             f"{len(own)} of them cover this run's suites {sorted(suites or ())}"
                             "; keep one")
        results = own
    return results[0] if results else None


def _task_passes(suite: Mapping) -> dict[str, float]:
    return {t["task_id"]: float(bool(t["passed_greedy"])) for t in suite.get("tasks", [])}


def load_scores(workdirs: Sequence[str]) -> Scores:
    """Per stage and suite, the (seeds, tasks) matrix of greedy passes, tasks in one order.

    Raises if the seeds scored different tasks for a suite (they must share the datasets).
    """
    out: Scores = {}
    for stage, pattern in ((n, s.results) for n, s in STAGES.items()):
        per_seed = [stage_results(w, pattern) for w in workdirs]
        if any(r is None for r in per_seed):
            continue
        out[stage] = {}
        for suite in per_seed[0]:
            passes = [_task_passes(r[suite]) for r in per_seed if suite in r]
            if len(passes) != len(per_seed) or not passes[0]:
                continue
            ids = sorted(passes[0])
            for workdir, p in zip(workdirs, passes):
                if sorted(p) != ids:
                    raise ValueError(f"{workdir}: stage {stage!r} suite {suite!r} scored other "
                                     "tasks than the first workdir; seeds must share datasets")
            out[stage][suite] = np.array([[p[i] for i in ids] for p in passes])
    return out


def stage_table(scores: Scores) -> str:
    """Markdown: per suite and stage, pass@1 mean, std over seeds and the t 95% CI."""
    lines = ["| suite | tasks | stage | pass@1 mean | std (seeds) | 95% CI (seeds) | per seed |",
             "|---|---|---|---|---|---|---|"]
    suites = list(dict.fromkeys(s for per in scores.values() for s in per))
    for suite in suites:
        for stage, per in scores.items():
            if suite not in per:
                continue
            matrix = per[suite]
            interval = stats.t_interval(matrix.mean(axis=1))
            seeds = ", ".join(f"{v:.3f}" for v in matrix.mean(axis=1))
            lines.append(f"| {suite} | {matrix.shape[1]} | {stage} | {interval.mean:.3f} | "
                         f"{interval.std:.3f} | [{interval.low:.3f}, {interval.high:.3f}] | "
                         f"{seeds} |")
    return "\n".join(lines)


def difference_table(scores: Scores,
                     pairs: Sequence[tuple[str, str]] = PAIRS) -> str:
    """Markdown: per suite and stage pair, the paired difference of pass@1 with both CIs."""
    lines = ["| suite | comparison | difference | 95% CI (tasks x seeds, bootstrap) | "
             "95% CI (seeds, t) | per seed |", "|---|---|---|---|---|---|"]
    for later, earlier in pairs:
        if later not in scores or earlier not in scores:
            continue
        for suite, after in scores[later].items():
            if suite not in scores[earlier]:
                continue
            before = scores[earlier][suite]
            boot = stats.paired_task_bootstrap(after, before)
            per_seed = (after - before).mean(axis=1)
            seeds = stats.t_interval(per_seed)
            lines.append(
                f"| {suite} | {later} - {earlier} | {boot.mean:+.3f} | "
                f"[{boot.low:+.3f}, {boot.high:+.3f}]{' *' if boot.excludes_zero() else ''} | "
                f"[{seeds.low:+.3f}, {seeds.high:+.3f}] | "
                + ", ".join(f"{v:+.3f}" for v in per_seed) + " |")
    return "\n".join(lines)


def gap_table(scores: Scores, train: str = TRAIN_SUITE,
              held_out: Sequence[str] = HELD_OUT_SUITES) -> str:
    """Markdown: per stage, the train / held-out gap (pass@1 on the composites it trained on
    minus on held-out ones) with its CIs; "" when no stage scored the train suite."""
    lines = ["| stage | gap | 95% CI (tasks x seeds, bootstrap) | 95% CI (seeds, t) | "
             "per seed |", "|---|---|---|---|---|"]
    for stage, per in scores.items():
        for suite in held_out:
            if train not in per or suite not in per:
                continue
            boot = stats.gap_bootstrap(per[train], per[suite])
            seeds = stats.t_interval(boot.per_seed)
            lines.append(f"| {stage}: {train} - {suite} | {boot.mean:+.3f} | "
                         f"[{boot.low:+.3f}, {boot.high:+.3f}] | "
                         f"[{seeds.low:+.3f}, {seeds.high:+.3f}] | "
                         + ", ".join(f"{v:+.3f}" for v in boot.per_seed) + " |")
    return "\n".join(lines) if len(lines) > 2 else ""


def per_task_passes(workdirs: Sequence[str]) -> dict[str, dict[str, dict[str, list]]]:
    """{stage: {suite: {"tasks": [task ids], "passes": [[0/1 per task] per seed]}}} for the
    stages and suites every workdir scored (what `load_scores` compares)."""
    out: dict[str, dict[str, dict[str, list]]] = {}
    for stage, pattern in ((n, s.results) for n, s in STAGES.items()):
        per_seed = [stage_results(w, pattern) for w in workdirs]
        if any(r is None for r in per_seed):
            continue
        for suite in per_seed[0]:
            passes = [_task_passes(r[suite]) for r in per_seed if suite in r]
            if len(passes) != len(per_seed) or not passes[0]:
                continue
            ids = sorted(passes[0])
            out.setdefault(stage, {})[suite] = {
                "tasks": ids, "passes": [[int(p.get(i, 0)) for i in ids] for p in passes]}
    return out


def report(workdirs: Sequence[str]) -> str:
    scores = load_scores(workdirs)
    if not scores:
        raise ValueError(f"no stage has a final evaluation in every one of {list(workdirs)}")
    gaps = gap_table(scores)
    return (f"Seeds: {len(workdirs)} ({', '.join(workdirs)})\n\n" + stage_table(scores)
            + "\n\nPaired differences (* = the bootstrap interval excludes 0):\n\n"
            + difference_table(scores) + "\n"
            + (f"\nThe train / held-out gap (over-fitting: composites trained on minus "
               f"held-out ones):\n\n{gaps}\n" if gaps else ""))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("workdirs", nargs="+", help="one workdir per seed")
    parser.add_argument("--out", default="", help="also write the tables to this file")
    parser.add_argument("--per-task", default="", help="also write every seed's greedy pass "
                        "per stage, suite and task to this JSON file (small: the record a later "
                        "session pairs against when the run directories are gone)")
    args = parser.parse_args(argv)
    text = report(args.workdirs)
    print(text)
    if args.out:
        write_text_atomic(args.out, text)
    if args.per_task:
        write_json_atomic(args.per_task, per_task_passes(args.workdirs))


if __name__ == "__main__":
    main()
