"""The `study` regime: a grid of cells over seeds (codecorr_jax/study/), then its report.

    python launch/main.py --config=configs/study.py --workdir=runs/study       # the findings
    python launch/main.py --config=configs/objectives.py --workdir=runs/obj    # RL objectives

`study.grid` names the grid (study/grids.py: its cells and its report).

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
from codecorr_jax.fileio import write_text_atomic
from codecorr_jax.study import findings as findings_lib
from codecorr_jax.study import runner
from codecorr_jax.study.grids import GRIDS, Finished
from codecorr_jax.study.runner import CellRun


def _scores(runs: list[CellRun], seeds: list[int]) -> dict[str, findings_lib.Scores]:
    by_cell: dict[str, list[str]] = {}
    for run in sorted(runs, key=lambda r: r.seed):
        by_cell.setdefault(run.cell.name, []).append(run.workdir)
    return {cell: seed_runs.load_scores(workdirs) for cell, workdirs in by_cell.items()
            if len(workdirs) == len(seeds)}


def run(config: Any, workdir: str) -> dict[str, Any]:
    """Every cell of the grid for every seed, then `<workdir>/study/report.md`."""
    section = config.study
    grid = GRIDS[str(section.grid)]
    study_dir = os.path.join(workdir, "study")
    os.makedirs(study_dir, exist_ok=True)
    write_text_atomic(os.path.join(study_dir, "study_config.json"),
                      config.to_json(indent=1) + "\n")
    cells = grid.cells(section)
    seeds = [int(s) for s in section.seeds]
    total = len(cells) * len(seeds)
    print(f"study      {section.grid}: {len(cells)} cells x {len(seeds)} seeds = {total} runs, "
          f"{int(section.parallel)} at a time; each logs to "
          f"{os.path.join(study_dir, 'cells', '<cell>', 'seed<k>', 'console.log')}")
    started = time.perf_counter()
    count = 0

    def on_done(cell_run: CellRun) -> None:
        nonlocal count
        count += 1
        elapsed = (time.perf_counter() - started) / 60
        state = ("finished before" if cell_run.earlier else "done") if cell_run.returncode == 0 \
            else "FAILED"
        print(f"study      [{count}/{total}] {cell_run.cell.name} seed {cell_run.seed}: {state} "
              f"({(cell_run.seconds or 0) / 60:.1f} min; {elapsed:.1f} min so far)", flush=True)

    try:
        with runner.stop_cells_on_signals():
            runs = runner.run_all(study_dir, config, cells, seeds, int(section.parallel),
                                  on_done, cuda_devices=[str(d) for d in section.cuda_devices])
    except runner.StudyStopped as stopped:
        print(f"study      {stopped}", flush=True)
        raise SystemExit(143) from None
    command = " ".join(shlex.quote(a) for a in ["python", *sys.argv])
    path, lines = grid.report(Finished(study_dir, config, cells, runs, _scores(runs, seeds),
                                       seeds, command, time.perf_counter() - started))
    for line in lines:
        print(line)
    print(f"report     {path}")
    return {"report": path, "runs": runs}
