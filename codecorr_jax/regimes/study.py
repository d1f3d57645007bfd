"""The `study` regime: the grid of cells over seeds (codecorr_jax/study/), then the report.

    python launch/main.py --config=configs/study.py --workdir=runs/study

Runs on the host: every cell is its own `launch/main.py` process, which takes the devices
while it runs (so this process never initialises an accelerator). A killed study, run again,
skips finished runs and resumes the others.
"""

from __future__ import annotations

import os
import shlex
import sys
import time
from typing import Any

from codecorr_jax.eval import seed_runs
from codecorr_jax.eval import suites as suites_lib
from codecorr_jax.fileio import write_text_atomic
from codecorr_jax.study import findings as findings_lib
from codecorr_jax.study import report as report_lib
from codecorr_jax.study import runner
from codecorr_jax.study.cells import FROM_BASE, MAIN, OTHER_PROMPTS, cell_config, grid
from codecorr_jax.study.runner import CellRun
from codecorr_jax.synth import build


def _scores(runs: list[CellRun], seeds: list[int]) -> dict[str, findings_lib.Scores]:
    by_cell: dict[str, list[str]] = {}
    for run in sorted(runs, key=lambda r: r.seed):
        by_cell.setdefault(run.cell.name, []).append(run.workdir)
    return {cell: seed_runs.load_scores(workdirs) for cell, workdirs in by_cell.items()
            if len(workdirs) == len(seeds)}


def _held_out_tasks(config: Any, dataset_dir: str
                    ) -> tuple[dict[str, suites_lib.EvalTask], dict[str, list[str]]]:
    """The evaluated families' test composites by id, as evaluated, and their atoms."""
    jsonl_dir = os.path.join(dataset_dir, "jsonl")
    full_program = config.data.prompt_style == "instruction"
    records = [r for family in config.eval.composite_families
               for r in build.read_jsonl(build.jsonl_path(jsonl_dir, family, "test"))]
    return ({r["task_id"]: suites_lib.record_task(r, full_program) for r in records},
            {r["task_id"]: list(r["atoms"]) for r in records})


def run(config: Any, workdir: str) -> dict[str, Any]:
    """Every cell for every seed, then `<workdir>/study/report.md`."""
    section = config.study
    study_dir = os.path.join(workdir, "study")
    os.makedirs(study_dir, exist_ok=True)
    write_text_atomic(os.path.join(study_dir, "study_config.json"),
                      config.to_json(indent=1) + "\n")
    cells = grid(section)
    seeds = [int(s) for s in section.seeds]
    total = len(cells) * len(seeds)
    print(f"study      {len(cells)} cells x {len(seeds)} seeds = {total} runs, "
          f"{int(section.parallel)} at a time; each logs to "
          f"{os.path.join(study_dir, 'cells', '<cell>', 'seed<k>', 'console.log')}")
    started = time.perf_counter()
    count = 0

    def on_done(cell_run: CellRun) -> None:
        nonlocal count
        count += 1
        elapsed = (time.perf_counter() - started) / 60
        print(f"study      [{count}/{total}] {cell_run.cell.name} seed {cell_run.seed}: "
              f"{'done' if cell_run.returncode == 0 else 'FAILED'} "
              f"({(cell_run.seconds or 0) / 60:.1f} min; {elapsed:.1f} min so far)", flush=True)

    runs = runner.run_all(study_dir, config, cells, seeds, int(section.parallel), on_done)
    scores = _scores(runs, seeds)
    min_effect = float(section.min_effect)
    results = [
        findings_lib.finding_1(scores, list(section.composite_counts), MAIN, min_effect,
                               float(section.handful_share)),
        findings_lib.finding_2(scores, MAIN, OTHER_PROMPTS, min_effect),
        findings_lib.finding_3(scores, MAIN, FROM_BASE, min_effect),
    ]
    command = " ".join(shlex.quote(a) for a in ["python", *sys.argv])
    dataset_dir = cell_config(config, cells[0], seeds[0],
                              runner.shared_dir(study_dir)).data.dataset_dir
    tasks, atoms = _held_out_tasks(config, dataset_dir)
    path = report_lib.write(study_dir, cells, runs, scores, results, seeds=seeds,
                            command=command, seconds=time.perf_counter() - started,
                            tasks=tasks, atoms=atoms)
    for finding in results:
        print(f"finding {finding.number}  {finding.verdict}: {finding.statement}")
    print(f"report     {path}")
    return {"report": path, "findings": results, "runs": runs}
