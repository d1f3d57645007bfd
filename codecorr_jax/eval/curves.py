"""Learning curves over seeds: pass@1 of every suite against training steps, on the same tasks at
every point. SFT's over-fitting curve (`--stage sft`) and RL's budget curve (`--stage
sft_then_rl` or `rl`) are both this.

    python -m codecorr_jax.eval.curves runs/s0 runs/s1 runs/s2 --stage sft_then_rl --out DIR

A stage's periodic evaluations (`<workdir>/<stage>/eval/step_*.json`) score an evenly spread
subset of each suite (`eval.periodic_max_tasks`), its final evaluation the whole suite, and the
curve's step 0 is the model the stage started from (`eval.stages`: the base for SFT and for RL from
the base, the SFT model for RL after it). Each suite is cut to the tasks scored at every point
of every seed, so a point differs from another only by the model. Per point: the mean over
seeds and its t 95% interval; per suite, the step where the mean peaks and the paired
differences (tasks x seeds, bootstrap) of the peak and of the last point against step 0.
`DIR` gets `curve.md`, `curve.png` and `curve.json` (every seed's pass per step and task: the
record a later session pairs against).
"""

from __future__ import annotations

import argparse
import dataclasses
import glob
import os
import re
from typing import Mapping, Sequence

import numpy as np

from codecorr_jax.eval import stats
from codecorr_jax.eval.report import pyplot
from codecorr_jax.eval.seed_runs import stage_results
from codecorr_jax.eval.stages import BY_RUN_DIR, STAGES
from codecorr_jax.tasks.registry import SUITE_MEANINGS
from codecorr_jax.fileio import read_json, write_json_atomic, write_text_atomic

STEP_FILE = re.compile(r"step_(\d+)\.json$")

Passes = dict[str, dict[str, float]]  # suite -> task id -> 1.0 (greedy pass) or 0.0


@dataclasses.dataclass(frozen=True)
class SuiteCurve:
    """One suite's curve: the tasks every point scores, and per step the (seeds, tasks)
    greedy passes in that task order."""

    tasks: tuple[str, ...]
    points: dict[int, np.ndarray]


Curve = dict[str, SuiteCurve]  # suite -> its curve


def _passes(results: Mapping) -> Passes:
    return {suite: {t["task_id"]: float(bool(t["passed_greedy"])) for t in r.get("tasks", ())
                    if t.get("passed_greedy") is not None}
            for suite, r in results.items() if isinstance(r, Mapping)}


def stage_points(workdir: str, stage: str) -> dict[int, Passes]:
    """Step -> suite -> task -> greedy pass, for the run `<workdir>/<stage>`: its step 0 (the
    model it started from) and every evaluation it wrote."""
    if stage not in BY_RUN_DIR:
        raise ValueError(f"stage {stage!r} has no curve; choose one of {sorted(BY_RUN_DIR)}")
    points: dict[int, Passes] = {}
    start = stage_results(workdir, STAGES[BY_RUN_DIR[stage].starts_from].results)
    if start is not None:
        points[0] = _passes(start)
    for path in sorted(glob.glob(os.path.join(workdir, stage, "eval", "step_*.json"))):
        payload = read_json(path)
        match = STEP_FILE.search(path)
        if payload is not None and match:
            points[int(match.group(1))] = _passes(payload["results"])
    return points


def load_curve(workdirs: Sequence[str], stage: str) -> Curve:
    """Per suite, the (seeds, tasks) passes at each step every seed evaluated, cut to the tasks
    scored at every such step by every seed (a suite with none is left out)."""
    runs = [stage_points(w, stage) for w in workdirs]
    steps = sorted(set.intersection(*(set(points) for points in runs))) if runs else []
    curve: Curve = {}
    suites = dict.fromkeys(s for points in runs for step in steps for s in points[step])
    for suite in suites:
        scored = [set(points[step].get(suite, ())) for points in runs for step in steps]
        tasks = sorted(set.intersection(*scored)) if scored else []
        if not tasks:
            continue
        curve[suite] = SuiteCurve(tuple(tasks), {
            step: np.array([[points[step][suite][t] for t in tasks] for points in runs])
            for step in steps})
    return curve


def peak_step(points: Mapping[int, np.ndarray]) -> int:
    """The step of the highest mean pass@1 (the earliest, on a tie)."""
    return max(points, key=lambda step: (float(points[step].mean()), -step))


def curve_table(curve: Curve) -> str:
    """Markdown: one row per step, one column per suite (mean over seeds [t 95% CI]); a
    suite's peak in bold."""
    suites = list(curve)
    steps = sorted({step for c in curve.values() for step in c.points})
    lines = ["| step | " + " | ".join(f"{s} ({len(curve[s].tasks)} tasks)" for s in suites)
             + " |", "|---|" + "---|" * len(suites)]
    peaks = {s: peak_step(curve[s].points) for s in suites}
    for step in steps:
        cells = []
        for suite in suites:
            if step not in curve[suite].points:
                cells.append("")
                continue
            interval = stats.t_interval(curve[suite].points[step].mean(axis=1))
            text = (f"{interval.mean:.3f} [{interval.low:.3f}, {interval.high:.3f}]"
                    if interval.n > 1 else f"{interval.mean:.3f}")
            cells.append(f"**{text}**" if step == peaks[suite] else text)
        lines.append(f"| {step} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def change_table(curve: Curve) -> str:
    """Markdown: per suite, the peak's and the last point's paired difference from step 0."""
    lines = ["| suite | peak at | peak - step 0 [95% CI] | last - step 0 [95% CI] | "
             "last - peak [95% CI] |", "|---|---|---|---|---|"]
    for suite, c in curve.items():
        points = c.points
        if 0 not in points:
            continue
        peak, last = peak_step(points), max(points)
        diff = [stats.paired_task_bootstrap(points[a], points[b])
                for a, b in ((peak, 0), (last, 0), (last, peak))]
        lines.append(f"| {suite} | {peak} | " + " | ".join(map(str, diff)) + " |")
    return "\n".join(lines)


def plot_curve(curve: Curve, path: str, xlabel: str) -> str:
    """pass@1 against the step, one line per suite (mean over seeds, the t 95% band)."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.0, 3.6))
    for i, (suite, c) in enumerate(curve.items()):
        points = c.points
        steps = sorted(points)
        intervals = [stats.t_interval(points[s].mean(axis=1)) for s in steps]
        means = [v.mean for v in intervals]
        ax.plot(steps, means, marker="o", markersize=3, color=f"C{i}",
                label=suite.replace("composite_", ""))
        if all(v.n > 1 for v in intervals):
            ax.fill_between(steps, [max(v.low, 0.0) for v in intervals],
                            [min(v.high, 1.0) for v in intervals], color=f"C{i}", alpha=0.15)
        peak = peak_step(points)
        ax.plot([peak], [float(points[peak].mean())], marker="*", markersize=9, color=f"C{i}")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("pass@1 (greedy, same tasks at every step)")
    ax.set_ylim(0, 1)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def write_curve(workdirs: Sequence[str], stage: str, out_dir: str) -> str:
    """curve.md, curve.png and curve.json in `out_dir`; returns curve.md's path."""
    curve = load_curve(workdirs, stage)
    if not curve:
        raise ValueError(f"no suite was scored at a common step by every one of "
                         f"{list(workdirs)} (stage {stage!r})")
    os.makedirs(out_dir, exist_ok=True)
    unit = "iteration" if stage != "sft" else "step"
    plot_curve(curve, os.path.join(out_dir, "curve.png"), f"{stage} {unit}")
    text = "\n".join([
        f"# {stage}: pass@1 against the {unit}", "",
        f"Seeds: {len(workdirs)} ({', '.join(workdirs)}); step 0 is the "
        f"{BY_RUN_DIR[stage].starts_from} model. Every point scores the same tasks; the mean over seeds "
        "[t 95% CI]; each suite's peak in bold.", "",
        curve_table(curve), "",
        "Paired differences (tasks x seeds, bootstrap 95% CI):", "", change_table(curve), "",
        "\n".join(f"- `{s}`: {SUITE_MEANINGS[s]}" for s in curve if s in SUITE_MEANINGS), "",
        "![curve](curve.png)", ""])
    path = os.path.join(out_dir, "curve.md")
    write_text_atomic(path, text)
    write_json_atomic(os.path.join(out_dir, "curve.json"), {
        "stage": stage, "workdirs": list(workdirs),
        "suites": {suite: {"tasks": list(c.tasks),
                           "passes": {str(step): passes.astype(int).tolist()
                                      for step, passes in c.points.items()}}
                   for suite, c in curve.items()}})
    return path


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("workdirs", nargs="+", help="one workdir per seed")
    parser.add_argument("--stage", required=True, choices=sorted(BY_RUN_DIR),
                        help="the run whose evaluations make the curve")
    parser.add_argument("--out", required=True, help="directory for curve.md/.png/.json")
    args = parser.parse_args(argv)
    path = write_curve(args.workdirs, args.stage, args.out)
    with open(path, encoding="utf-8") as f:
        print(f.read())


if __name__ == "__main__":
    main()
