"""Two runs, task by task: per suite the paired difference of greedy pass@1 with its bootstrap
interval, and the tasks that flipped.

    python -m codecorr_jax.eval.compare runs/x/sft runs/x/sft_then_rl [--show 10]

A run is a stage's directory (its final evaluation, `eval/latest.json`) or an evaluation file
(`eval/step_*.json`, a base's cached `base_eval/eval_*/eval/latest.json`). Suites are compared
on the tasks both scored; `gained` are the tasks B passes and A fails, `lost` the reverse.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
from typing import Mapping, Sequence

import numpy as np

from codecorr_jax.eval import stats
from codecorr_jax.fileio import read_json


@dataclasses.dataclass(frozen=True)
class SuiteComparison:
    """B against A on one suite's shared tasks."""

    suite: str
    tasks: int
    pass_a: float
    pass_b: float
    difference: stats.Interval  # B - A, task-resampling bootstrap
    gained: tuple[str, ...]  # task ids B passes and A fails
    lost: tuple[str, ...]


def results_of(run: str) -> Mapping:
    """The per-suite results of a run directory's final evaluation, or of an evaluation file."""
    path = run if run.endswith(".json") else os.path.join(run, "eval", "latest.json")
    payload = read_json(path)
    if payload is None:
        raise FileNotFoundError(f"no evaluation at {path}: give a stage's directory (holding "
                                "eval/latest.json) or an evaluation file")
    return payload["results"]


def greedy_passes(suite: Mapping) -> dict[str, int]:
    """Task id -> 1 when its greedy completion passed, 0 when not (tasks not scored greedy are
    left out)."""
    return {t["task_id"]: int(bool(t["passed_greedy"])) for t in suite.get("tasks", ())
            if t.get("passed_greedy") is not None}


def compare(a: Mapping, b: Mapping) -> list[SuiteComparison]:
    """Every suite both results scored, on the tasks both scored, in A's suite order."""
    out = []
    for suite in a:
        if suite not in b:
            continue
        pa, pb = greedy_passes(a[suite]), greedy_passes(b[suite])
        tasks = sorted(set(pa) & set(pb))
        if not tasks:
            continue
        before = np.array([[pa[t] for t in tasks]], np.float64)
        after = np.array([[pb[t] for t in tasks]], np.float64)
        out.append(SuiteComparison(
            suite, len(tasks), float(before.mean()), float(after.mean()),
            stats.paired_task_bootstrap(after, before),
            tuple(t for t in tasks if pb[t] > pa[t]), tuple(t for t in tasks if pb[t] < pa[t])))
    return out


def table(comparisons: Sequence[SuiteComparison], show: int = 5) -> str:
    """Markdown: per suite the two pass@1, B - A with its 95% CI, the flips (the first `show`
    task ids of each direction)."""
    lines = ["| suite | tasks | A pass@1 | B pass@1 | B - A [95% CI] | gained | lost |",
             "|---|---|---|---|---|---|---|"]
    for c in comparisons:
        lines.append(f"| {c.suite} | {c.tasks} | {c.pass_a:.3f} | {c.pass_b:.3f} | "
                     f"{c.difference} | {len(c.gained)} | {len(c.lost)} |")
    flips = [f"- {c.suite}: gained {', '.join(c.gained[:show]) or '-'}"
             f"{' ...' if len(c.gained) > show else ''}; lost {', '.join(c.lost[:show]) or '-'}"
             f"{' ...' if len(c.lost) > show else ''}"
             for c in comparisons if c.gained or c.lost]
    return "\n".join(lines + ([""] + flips if flips else []))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m codecorr_jax.eval.compare",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("run_a", help="the earlier run (a stage's directory or an eval file)")
    parser.add_argument("run_b", help="the later run")
    parser.add_argument("--show", type=int, default=5, help="flipped task ids listed per suite")
    args = parser.parse_args(argv)
    print(f"A: {args.run_a}\nB: {args.run_b}\n")
    print(table(compare(results_of(args.run_a), results_of(args.run_b)), args.show))


if __name__ == "__main__":
    main()
