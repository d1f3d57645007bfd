"""The study's report: `<study>/report.md` with a section and a plot per finding, the verdicts,
the failure taxonomy, sample completions, the machine, each run's wall time and the config."""

from __future__ import annotations

import json
import os
from typing import Mapping, Sequence

import numpy as np

from codecorr_jax.eval import compare as compare_lib
from codecorr_jax.eval import report as report_lib
from codecorr_jax.eval import seed_runs, stats
from codecorr_jax.eval.stages import REGIME_STAGES, STAGES
from codecorr_jax.fileio import read_json, write_text_atomic
from codecorr_jax.provenance import machine
from codecorr_jax.study import taxonomy
from codecorr_jax.study.cells import FROM_BASE, MAIN, OTHER_PROMPTS, Cell, atoms_first
from codecorr_jax.study.findings import Finding, Scores
from codecorr_jax.study.runner import DONE, CellRun
from codecorr_jax.tasks.registry import HELD_OUT_SUITES
from codecorr_jax.tasks.task import Task, program

# the train / held-out gap first, then every held-out suite, then the atoms
SUITES_SHOWN = ("composite_train", *HELD_OUT_SUITES, "atom")
SAMPLE_CHARS = 700


def provenance(runs: Sequence[CellRun], dataset_dir: str) -> str:
    """Which base and which datasets the runs used: the base's fingerprint as each run recorded
    it (an SFT's `base`, RL from the base's `init`) and the datasets' build version and config
    hash. A new base or build makes the study stale; this line says which one it is."""
    bases = set()
    for run in runs:
        stage, field = ("rl", "init") if run.cell.regime == "rl" else ("sft", "base")
        record = read_json(os.path.join(run.workdir, stage, "run.json")) or {}
        if record.get(field):
            bases.add(str(record[field]))
    manifest = read_json(os.path.join(dataset_dir, "jsonl", "manifest.json")) or {}
    return (f"Base: {', '.join(sorted(bases)) or 'unknown'} (fingerprint); datasets: build "
            f"version {manifest.get('version', '?')}, config hash "
            f"{manifest.get('config_hash', '?')}; code: {code_commits(runs)}")


def code_commits(runs: Sequence[CellRun]) -> str:
    """The commits the runs' code came from (their `cell.json`), with how many runs each:
    runs made over several sessions may differ. Runs from before commits were recorded are
    counted as "not recorded"."""
    counts: dict[str, int] = {}
    for run in runs:
        commit = (read_json(os.path.join(run.workdir, DONE)) or {}).get("code") or "not recorded"
        name = commit if commit in ("not recorded", "unknown") else commit[:12] + commit[40:]
        counts[name] = counts.get(name, 0) + 1
    return ", ".join(f"{name} ({n} run{'s' * (n != 1)})" for name, n in
                     sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def _wall_times(runs: Sequence[CellRun], cells: Sequence[Cell]) -> list[str]:
    """Minutes of each run (every attempt's), a column a seed, with each cell's mean and total
    and each seed's total: what a cell costs, and what the study does."""
    seeds = sorted({r.seed for r in runs})
    minutes = {(r.cell.name, r.seed): (r.seconds or 0.0) / 60 for r in runs}
    lines = ["| cell | regime | " + " | ".join(f"seed {s}" for s in seeds) +
             " | mean | all seeds |", "|---|---|" + "---|" * (len(seeds) + 2)]
    for cell in cells:
        mine = [minutes.get((cell.name, s)) for s in seeds]
        done = [m for m in mine if m is not None]
        if done:
            lines.append(f"| {cell.name} | {cell.regime} | " +
                         " | ".join("" if m is None else f"{m:.1f}" for m in mine) +
                         f" | {sum(done) / len(done):.1f} | {sum(done):.1f} |")
    totals = [sum(m for (_, seed), m in minutes.items() if seed == s) for s in seeds]
    lines.append("| **every cell** | | " + " | ".join(f"{t:.1f}" for t in totals) +
                 f" | {sum(totals) / max(len(totals), 1):.1f} | {sum(totals):.1f} "
                 f"({sum(totals) / 60:.2f} h) |")
    return lines


def _cell_table(scores: Mapping[str, Scores], cells: Sequence[Cell]) -> str:
    lines = ["| cell | stage | " + " | ".join(SUITES_SHOWN) + " |",
             "|---|---|" + "---|" * len(SUITES_SHOWN)]
    for cell in cells:
        stages = (("base",) if cell.regime == "rl" else ()) + REGIME_STAGES[cell.regime]
        for stage in stages:
            per = scores.get(cell.name, {}).get(stage)
            if per is None:
                continue
            row = []
            for suite in SUITES_SHOWN:
                if suite not in per:
                    row.append("")
                    continue
                interval = stats.t_interval(per[suite].mean(axis=1))
                row.append(f"{interval.mean:.3f} [{interval.low:.3f}, {interval.high:.3f}]"
                           if interval.n > 1 else f"{interval.mean:.3f}")
            lines.append(f"| {cell.name} | {stage} | " + " | ".join(row) + " |")
    return "\n".join(lines)


def _finding_section(finding: Finding, plot: str) -> list[str]:
    lines = [f"## Finding {finding.number}: **{finding.verdict}**", "", finding.statement, "",
             f"Rule: {finding.rule}.", "",
             "| claim | suite | later | earlier | difference | 95% CI (tasks x seeds) | "
             "verdict |", "|---|---|---|---|---|---|---|"]
    for c in finding.comparisons:
        d = c.difference
        lines.append(f"| {c.claim} | {c.suite} | {c.later} | {c.earlier} | {d.mean:+.3f} | "
                     f"[{d.low:+.3f}, {d.high:+.3f}] | {c.verdict} |")
    lines += [""] + [f"- {note}" for note in finding.notes]
    return lines + ["", f"![finding {finding.number}]({plot})", ""]


def plot_cells(scores: Mapping[str, Scores], pairs: Sequence[tuple[str, str]], path: str) -> str:
    """Bars of held-out pass@1 (mean over seeds, t 95% CI as error bars) per (cell, stage):
    in-domain and every target suite scored."""
    plt = report_lib.pyplot()
    shown = [(c, s) for c, s in pairs if s in scores.get(c, {})]
    suites = [s for s in HELD_OUT_SUITES if any(s in scores[c][st] for c, st in shown)]
    fig, ax = plt.subplots(figsize=(2.2 + 1.3 * len(shown), 3.6))
    width = 0.8 / len(suites)
    for i, suite in enumerate(suites):
        means, errs = [], []
        for cell, stage in shown:
            matrix = scores[cell][stage].get(suite)
            interval = stats.t_interval(matrix.mean(axis=1)) if matrix is not None else None
            means.append(interval.mean if interval else 0.0)
            errs.append(0.0 if interval is None or interval.n < 2
                        else interval.high - interval.mean)
        xs = [j + (i - (len(suites) - 1) / 2) * width for j in range(len(shown))]
        ax.bar(xs, means, width, yerr=errs, capsize=3, label=suite.replace("composite_", ""))
    ax.set_xticks(range(len(shown)), [f"{c}\n{s}" for c, s in shown], fontsize=7)
    ax.set_ylabel("held-out pass@1 (greedy)")
    ax.set_ylim(0, 1)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def plot_overfitting(metrics_files: Sequence[str], path: str) -> str | None:
    """SFT's periodic evaluations: train-task and held-out pass@1 against the step, per seed."""
    series = []
    for file in metrics_files:
        if not os.path.exists(file):
            continue
        with open(file, encoding="utf-8") as f:
            rows = [json.loads(line) for line in f if line.strip()]
        series.append([r for r in rows if "eval/composite_train/pass@1" in r])
    if not any(series):
        return None
    plt = report_lib.pyplot()
    fig, ax = plt.subplots(figsize=(5.2, 3.4))
    for seed, rows in enumerate(series):
        steps = [r["step"] for r in rows]
        for key, style in (("composite_train", "-"), ("composite_in_domain", "--"),
                           ("composite_target", ":")):
            ax.plot(steps, [r.get(f"eval/{key}/pass@1", np.nan) for r in rows], style,
                    marker="o", markersize=3, color=f"C{seed}",
                    label=f"seed {seed}: {key.replace('composite_', '')}")
    ax.set_xlabel("SFT step")
    ax.set_ylabel("pass@1 (greedy, periodic subset)")
    ax.legend(fontsize=6, ncol=2)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def _taxonomy(runs: Sequence[CellRun], tasks: Mapping[str, Task],
              atoms: Mapping[str, Sequence[str]]) -> str:
    """Why the held-out completions failed (study/taxonomy.py), per (cell, stage), all seeds."""
    lines = ["| cell | stage | completions | " + " | ".join(taxonomy.CLASSES) + " |",
             "|---|---|---|" + "---|" * len(taxonomy.CLASSES)]
    totals: dict[tuple[str, str], dict[str, int]] = {}
    for run in runs:
        for stage in (("base",) if run.cell.regime == "rl" else ()) + \
                REGIME_STAGES[run.cell.regime]:
            results = seed_runs.stage_results(run.workdir, STAGES[stage].results)
            if results is None:
                continue
            bucket = totals.setdefault((run.cell.name, stage), {})
            for suite in HELD_OUT_SUITES:
                for row in results.get(suite, {}).get("tasks", []):
                    task = tasks.get(row["task_id"])
                    if task is None or row["verdict"] is None:
                        continue
                    source = program(task, row["completion"] or "").source
                    kind = taxonomy.classify(row["verdict"], source, task.entry_point,
                                             atoms.get(row["task_id"], ()))
                    bucket[kind] = bucket.get(kind, 0) + 1
    for (cell, stage), b in totals.items():
        lines.append(f"| {cell} | {stage} | {sum(b.values())} | "
                     + " | ".join(str(b.get(k, 0)) for k in taxonomy.CLASSES) + " |")
    return "\n".join(lines)


def _flips(runs: Sequence[CellRun]) -> str:
    """Markdown: per PPO-after-SFT run and held-out suite, the tasks PPO gained and lost
    against the SFT it started from (eval/compare.py)."""
    lines = ["| cell | seed | suite | SFT pass@1 | SFT then RL pass@1 | gained | lost |",
             "|---|---|---|---|---|---|---|"]
    for run in sorted(runs, key=lambda r: (r.cell.name, r.seed)):
        if run.cell.regime != "sft_then_rl":
            continue
        try:
            before = compare_lib.results_of(os.path.join(run.workdir, "sft"))
            after = compare_lib.results_of(os.path.join(run.workdir, "sft_then_rl"))
        except FileNotFoundError:
            continue
        for c in compare_lib.compare(before, after):
            if c.suite in HELD_OUT_SUITES:
                lines.append(f"| {run.cell.name} | {run.seed} | {c.suite} | {c.pass_a:.3f} | "
                             f"{c.pass_b:.3f} | {len(c.gained)} | {len(c.lost)} |")
    return "\n".join(lines) if len(lines) > 2 else ""


def _samples(runs: Sequence[CellRun], per_stage: int = 3) -> list[str]:
    """The first target-domain completions of each (cell, stage), lowest seed."""
    lines, seen = [], set()
    for run in sorted(runs, key=lambda r: r.seed):
        for stage in REGIME_STAGES[run.cell.regime]:
            if (run.cell.name, stage) in seen:
                continue
            results = seed_runs.stage_results(run.workdir, STAGES[stage].results)
            tasks = (results or {}).get("composite_target", {}).get("tasks", [])[:per_stage]
            if not tasks:
                continue
            seen.add((run.cell.name, stage))
            lines.append(f"### {run.cell.name} / {stage} (seed {run.seed})")
            for t in tasks:
                lines += ["", f"`{t['task_id']}`: {t['verdict']}", "", "```python",
                          (t["completion"] or "")[:SAMPLE_CHARS].rstrip(), "```"]
            lines.append("")
    return lines


def write(study_dir: str, cells: Sequence[Cell], runs: Sequence[CellRun],
          scores: Mapping[str, Scores], findings: Sequence[Finding], *, seeds: Sequence[int],
          command: str, seconds: float, tasks: Mapping[str, Task],
          atoms: Mapping[str, Sequence[str]], dataset_dir: str) -> str:
    """report.md and its plots in `study_dir`; returns the report's path. `tasks` and `atoms`
    (by task id) are the held-out composites', for the failure taxonomy; `dataset_dir` the
    study's datasets (their build is named beside the base)."""
    plots = {
        1: plot_cells(scores, [(c.name, "SFT") for c in cells if c.finding == 1 or
                               c.name == MAIN], os.path.join(study_dir, "finding_1.png")),
        2: plot_cells(scores, [(MAIN, "SFT"), (MAIN, "SFT then RL"),
                               (OTHER_PROMPTS, "SFT then RL")]
                      + [(name, stage) for name in atoms_first(cells)
                         for stage in ("SFT", "SFT then RL")],
                      os.path.join(study_dir, "finding_2.png")),
        3: plot_cells(scores, [(FROM_BASE, "base"), (FROM_BASE, "RL"), (MAIN, "SFT"),
                               (MAIN, "SFT then RL")], os.path.join(study_dir, "finding_3.png")),
    }
    overfit = plot_overfitting(
        [os.path.join(r.workdir, "sft", "metrics.jsonl") for r in runs if r.cell.name == MAIN],
        os.path.join(study_dir, "sft_overfitting.png"))
    parts = ["# The study: SFT and RL on atomic and composite functions", "",
             f"Command: `{command}`  ", f"Machine: {machine()}  ",
             f"{provenance(runs, dataset_dir)}  ",
             f"Seeds: {', '.join(map(str, seeds))}; the runs took "
             f"{sum(r.seconds or 0 for r in runs) / 60:.1f} min in all (this invocation "
             f"{seconds / 60:.1f} min); the exact config: `study_config.json`", "",
             "| finding | verdict |", "|---|---|"]
    parts += [f"| {f.number}. {f.statement} | **{f.verdict}** |" for f in findings]
    parts += ["", "pass@1 is greedy decoding; intervals are 95%: over seeds (t) in the cell "
              "table, over tasks x seeds (paired bootstrap) for differences.", "",
              "## Every cell (mean over seeds [t 95% CI])", "", _cell_table(scores, cells), "",
              report_lib.suite_legend(SUITES_SHOWN), ""]
    for finding in findings:
        parts += _finding_section(finding, os.path.basename(plots[finding.number]))
        if finding.number == 3 and overfit:
            parts += ["SFT's over-fitting curve (periodic evaluation of the main cell):", "",
                      f"![SFT over-fitting]({os.path.basename(overfit)})", ""]
    flips = _flips(runs)
    if flips:
        parts += ["## What PPO changed, task by task", "",
                  "Per run, the held-out tasks PPO passes that its SFT failed (gained) and the "
                  "reverse (lost); `python -m codecorr_jax.eval.compare <workdir>/sft "
                  "<workdir>/sft_then_rl` lists them.", "", flips, ""]
    parts += ["## Failure taxonomy (held-out composites, all seeds)", "",
              "From the verdict and the completion's source (codecorr_jax/study/taxonomy.py): a "
              "*missing helper* is a call to a function the program never defines; a *wrong "
              "atom*, helpers other than the task's atoms.", "",
              _taxonomy(runs, tasks, atoms), "",
              "## Wall time of each run", "", *_wall_times(runs, cells)]
    parts += ["", "## Cells", ""] + [f"- `{c.name}` ({c.regime}): {c.about}" for c in cells]
    parts += ["", "## Sample completions (target domain)", ""] + _samples(runs)
    path = os.path.join(study_dir, "report.md")
    write_text_atomic(path, "\n".join(parts) + "\n")
    return path
