"""The RL objectives compared on the micro-world: one SFT per seed, then PPO with each objective.

A study grid beside the findings' (`study.grid = "objectives"`, configs/objectives.py): the first
objective's cell is an ordinary `sft_then_rl` run; every other objective's cell links that SFT
run and runs only its own PPO from it, so all objectives of a seed start from the very same
policy. The report puts each objective's held-out gain over that SFT (paired over seeds and
tasks) beside its cost (samples a minute, PPO minutes).
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any, Mapping, Sequence

import numpy as np

from codecorr_jax.eval import stats
from codecorr_jax.fileio import write_text_atomic
from codecorr_jax.study.cells import Cell
from codecorr_jax.study.findings import Scores
from codecorr_jax.study.runner import CellRun
from codecorr_jax.train.metrics import read_metrics


@dataclasses.dataclass(frozen=True)
class Objective:
    changes: Mapping[str, Any]  # config fields on top of the config's PPO
    about: str


# Changes on top of configs/rl.py's PPO (for the tiny model: GRPO, groups of 8, dynamic
# sampling, token-mean loss, binary reward), so each entry differs from it where its paper does.
OBJECTIVES: dict[str, Objective] = {
    "grpo": Objective({}, "GRPO: group-standardised advantages, token-mean loss, dynamic "
                          "sampling (the tiny preset's PPO)"),
    "ppo_gae": Objective({"rl.estimator": "gae", "rl.critic_learning_rate": 1e-4},
                         "PPO with a critic (GAE, lambda 0.95; the critic starts from the "
                         "policy with a zero value head)"),
    "drgrpo": Objective({"rl.estimator": "drgrpo", "rl.loss_agg": "seq_mean_token_sum_norm"},
                        "Dr. GRPO: group mean without std scaling, token sums over a constant"),
    "dapo": Objective({"rl.clip_ratio_high": 0.28, "rl.overlong_buffer": 64,
                       "rl.overlong_penalty": 0.5},
                      "DAPO: clip-higher (0.2 / 0.28), dynamic sampling, token-mean loss, soft "
                      "overlong shaping over the last 64 tokens"),
    "reinforce_pp": Objective({"rl.estimator": "reinforce_pp"},
                              "REINFORCE++: return-to-go whitened over the batch, no groups"),
}
HELD_OUT = ("composite_target", "composite_in_domain")


def grid(section: Any) -> list[Cell]:
    """A cell per `section.objectives`; the first runs SFT, the others reuse its SFT run."""
    names = [str(n) for n in section.objectives]
    first = names[0]
    return [Cell(name, 2, "sft_then_rl", dict(OBJECTIVES[name].changes),
                 reuses="" if name == first else first, links=() if name == first else ("sft",),
                 about=OBJECTIVES[name].about) for name in names]


@dataclasses.dataclass(frozen=True)
class Row:
    objective: str
    gains: dict[str, stats.Interval]  # suite -> SFT then RL minus SFT, paired (and per seed)
    versus_first: dict[str, stats.Interval]  # suite -> after PPO minus the first objective's;
    #                                          empty for the first objective itself
    samples_per_minute: float  # mean over seeds of each run's samples / its PPO minutes
    ppo_minutes: float  # mean over seeds


def _cost(workdirs: Sequence[str]) -> tuple[float, float]:
    rates, minutes = [], []
    for workdir in workdirs:
        history = read_metrics(os.path.join(workdir, "sft_then_rl"), "rl/reward")
        seconds = sum(h["rl/seconds_iteration"] for h in history)
        rates.append(sum(h["rl/samples"] for h in history) / max(seconds / 60, 1e-9))
        minutes.append(seconds / 60)
    return float(np.mean(rates)), float(np.mean(minutes))


def compare(scores: Mapping[str, Scores], runs: Sequence[CellRun],
            names: Sequence[str]) -> list[Row]:
    """Each objective's gains over the shared SFT, per seed and pooled, its difference from the
    first finished objective after PPO (the same SFT policy, seeds and tasks: paired), and its
    cost; objectives not finished for every seed are left out."""
    rows = []
    first = None
    for name in names:
        per = scores.get(name)
        if per is None or "SFT then RL" not in per:
            continue
        after = per["SFT then RL"]
        suites = [suite for suite in HELD_OUT if suite in after]
        gains = {suite: stats.paired_task_bootstrap(after[suite], per["SFT"][suite])
                 for suite in suites}
        versus_first = {} if first is None else {
            suite: stats.paired_task_bootstrap(after[suite], first[suite])
            for suite in suites if suite in first}
        first = first or after
        workdirs = [r.workdir for r in sorted(runs, key=lambda r: r.seed) if r.cell.name == name]
        rows.append(Row(name, gains, versus_first, *_cost(workdirs)))
    return rows


def write_report(study_dir: str, rows: Sequence[Row], *, seeds: Sequence[int], command: str,
                 machine: str) -> str:
    """`<study_dir>/report.md`: the comparison table; returns its path."""
    suites = [s for s in HELD_OUT if any(s in r.gains for r in rows)]
    lines = ["# RL objectives on the micro-world", "",
             f"Command: `{command}`  ", f"Machine: {machine}  ",
             f"Seeds: {', '.join(str(s) for s in seeds)}; each objective's PPO starts from the "
             "same SFT run of its seed.", "",
             "Gains are pass@1 after PPO minus after SFT on the held-out composites: mean over "
             "seeds and tasks, 95% interval from a paired task bootstrap.", "",
             "| objective | " + " | ".join(f"{s} gain [95% CI]" for s in suites)
             + " | samples / min | PPO min | what it is |",
             "|---|" + "---|" * (len(suites) + 3)]
    for row in rows:
        cells = [str(row.gains[s]) if s in row.gains else "" for s in suites]
        lines.append(f"| {row.objective} | " + " | ".join(cells)
                     + f" | {row.samples_per_minute:.0f} | {row.ppo_minutes:.1f} | "
                     f"{OBJECTIVES[row.objective].about} |")
    if rows:
        first = rows[0].objective
        lines += ["", f"Each seed's gain (its mean over tasks), and each objective minus {first} "
                  f"after PPO: both start from the same SFT policy, so this is the difference of "
                  "their gains, paired over seeds and tasks.", "",
                  "| objective | " + " | ".join(f"{s} gain per seed | {s} minus {first} [95% CI]"
                                                for s in suites) + " |",
                  "|---|" + "---|---|" * len(suites)]
        for row in rows:
            cells = []
            for s in suites:
                cells.append(", ".join(f"{g:+.3f}" for g in row.gains[s].per_seed)
                             if s in row.gains else "")
                cells.append(str(row.versus_first.get(s, "")))
            lines.append(f"| {row.objective} | " + " | ".join(cells) + " |")
    path = os.path.join(study_dir, "report.md")
    write_text_atomic(path, "\n".join(lines) + "\n")
    return path
