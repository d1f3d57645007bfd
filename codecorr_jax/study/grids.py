"""The study's grids by name (`study.grid`): which cells run, and what report they make.

- `findings` (configs/study.py): the paper's three findings, with verdicts.
- `objectives` (configs/objectives.py): the RL objectives from one SFT run per seed.
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any, Callable

from codecorr_jax.eval import suites as suites_lib
from codecorr_jax.provenance import machine
from codecorr_jax.study import findings as findings_lib
from codecorr_jax.study import objectives as objectives_lib
from codecorr_jax.study import report as report_lib
from codecorr_jax.study.cells import (FROM_BASE, MAIN, OTHER_PROMPTS, Cell, atoms_first,
                                      same_prompt_cells)
from codecorr_jax.study.cells import grid as findings_grid
from codecorr_jax.study.findings import Scores
from codecorr_jax.study.runner import CellRun, ensure_datasets
from codecorr_jax.synth import build
from codecorr_jax.tasks.registry import TARGET_SUITES
from codecorr_jax.tasks.task import Task


@dataclasses.dataclass(frozen=True)
class Finished:
    """What a grid's report reads: the study's config and every finished run's scores."""

    study_dir: str
    config: Any
    cells: list[Cell]
    runs: list[CellRun]
    scores: dict[str, Scores]  # cell -> stage -> suite -> (seeds, tasks)
    seeds: list[int]
    command: str
    seconds: float


@dataclasses.dataclass(frozen=True)
class Grid:
    cells: Callable[[Any], list[Cell]]  # from config.study
    report: Callable[[Finished], tuple[str, list[str]]]  # -> (report path, console lines)


def _held_out_tasks(config: Any, dataset_dir: str
                    ) -> tuple[dict[str, Task], dict[str, list[str]]]:
    """The evaluated families' test composites by id, as evaluated, and their atoms."""
    jsonl_dir = os.path.join(dataset_dir, "jsonl")
    records = [r for family in config.eval.composite_families
               for r in build.read_jsonl(build.jsonl_path(jsonl_dir, family, "test"))]
    style = config.data.prompt_style
    return ({r["task_id"]: suites_lib.record_task(r, style) for r in records},
            {r["task_id"]: list(r["atoms"]) for r in records})


def _findings_report(done: Finished) -> tuple[str, list[str]]:
    section = done.config.study
    min_effect = float(section.min_effect)
    target = str(section.target_suite)
    evaluated = [s for s in TARGET_SUITES if s in done.config.eval.suites]
    results = [
        findings_lib.finding_1(done.scores, list(section.composite_counts), MAIN, min_effect,
                               float(section.handful_share), target),
        findings_lib.finding_2(done.scores, MAIN, OTHER_PROMPTS, min_effect, target,
                               str(section.finding_2_cell), atoms_first(done.cells), evaluated,
                               same_prompt_cells(done.cells)),
        findings_lib.finding_3(done.scores, MAIN, FROM_BASE, min_effect, target),
    ]
    dataset_dir = ensure_datasets(done.study_dir, done.config, done.cells[0])
    tasks, atoms = _held_out_tasks(done.config, dataset_dir)
    path = report_lib.write(done.study_dir, done.cells, done.runs, done.scores, results,
                            seeds=done.seeds, command=done.command, seconds=done.seconds,
                            tasks=tasks, atoms=atoms, dataset_dir=dataset_dir)
    return path, [f"finding {f.number}  {f.verdict}: {f.statement}" for f in results]


def _objectives_report(done: Finished) -> tuple[str, list[str]]:
    names = [str(n) for n in done.config.study.objectives]
    rows = objectives_lib.compare(done.scores, done.runs, names)
    path = objectives_lib.write_report(done.study_dir, rows, seeds=done.seeds,
                                       command=done.command, machine=machine())
    return path, [f"objective  {r.objective}: target {r.gains.get('composite_target', '')}, "
                  f"{r.samples_per_minute:.0f} samples/min" for r in rows]


GRIDS: dict[str, Grid] = {
    "findings": Grid(findings_grid, _findings_report),
    "objectives": Grid(objectives_lib.grid, _objectives_report),
}
