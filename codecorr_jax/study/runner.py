"""Run the study's cells as separate processes (`launch/main.py`), reusing finished ones.

Each (cell, seed) is one process in its own workdir, with its exact config written beside it
(`cell_config.json`, read by `configs/cell.py`) and its console output in `console.log`; it
imports this checkout's code. A finished run leaves `cell.json` (command, seconds, exit status,
the commit of the code its last attempt ran); a study started again skips those and restarts
the others, whose regimes resume from their own checkpoints. The first run not finished goes
alone (it builds the shared datasets and scores the base); then up to `parallel` runs at a
time, each cell after the cells it reuses. Finished runs can also come from another session's
records (study/records.py).

A run's seconds are those of every attempt at it (`time_spent.json`, kept up to date while it
runs), so a study stopped and resumed over several sessions reports what each run cost. A
SIGTERM or SIGINT to the study reaches the cells running then (`stop_cells_on_signals`): they
stop with it instead of running on unowned, and no new cell starts.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import dataclasses
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from typing import Callable, Iterator, Sequence

import ml_collections

from codecorr_jax.fileio import read_json, write_json_atomic, write_text_atomic
from codecorr_jax.provenance import code_commit
from codecorr_jax.study.cells import Cell, cell_config

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CELL_CONFIG = os.path.join(ROOT, "configs", "cell.py")
DONE = "cell.json"
TIME_SPENT = "time_spent.json"  # {"seconds": every attempt's so far}, rewritten while one runs
TIME_SPENT_EVERY = 30.0  # seconds between its updates (a killed study loses at most this much)


class StudyStopped(Exception):
    """The study was stopped by a signal; its finished runs are kept."""


# The cell processes running now, and whether a signal asked the study to stop.
_running: set[subprocess.Popen] = set()
_running_lock = threading.Lock()
_stop = threading.Event()


@dataclasses.dataclass(frozen=True)
class CellRun:
    """One (cell, seed): where it runs and how it went."""

    cell: Cell
    seed: int
    workdir: str
    seconds: float | None = None  # of the run that finished it; None when not finished
    returncode: int | None = None
    earlier: bool = False  # finished before this invocation (or restored from records)


def shared_dir(study_dir: str) -> str:
    """What every run of the study shares: datasets, base scores (and a base trained here)."""
    return os.path.abspath(os.path.join(study_dir, "shared"))


def cell_workdir(study_dir: str, cell: Cell, seed: int) -> str:
    return os.path.join(study_dir, "cells", cell.name, f"seed{seed}")


def finished_record(workdir: str) -> dict | None:
    """The `cell.json` of the run in `workdir` if it finished (one a signal stopped also
    leaves one, with its exit status), or None."""
    record = read_json(os.path.join(workdir, DONE))
    return record if record is not None and record.get("returncode") == 0 else None


def finished(study_dir: str, cell: Cell, seed: int) -> CellRun | None:
    """The record of a finished run of (cell, seed), or None."""
    workdir = cell_workdir(study_dir, cell, seed)
    record = finished_record(workdir)
    return None if record is None else CellRun(cell, seed, workdir, record["seconds"], 0,
                                                  earlier=True)


def _link(target: str, link: str) -> None:
    """A relative symbolic link `link` -> `target` (replaced if it points elsewhere)."""
    relative = os.path.relpath(target, os.path.dirname(link))
    if os.path.islink(link) and os.readlink(link) == relative:
        return
    if os.path.lexists(link):
        if not os.path.islink(link):
            raise ValueError(f"{link} exists and is not a link to {target}; remove it")
        os.remove(link)
    os.symlink(relative, link)


def prepare(study_dir: str, study_config: ml_collections.ConfigDict, cell: Cell, seed: int,
            cells: Sequence[Cell]) -> list[str]:
    """Write the run's config and links; return its command."""
    workdir = cell_workdir(study_dir, cell, seed)
    os.makedirs(workdir, exist_ok=True)
    shared = shared_dir(study_dir)
    os.makedirs(os.path.join(shared, "base_eval"), exist_ok=True)
    _link(os.path.join(shared, "base_eval"), os.path.join(workdir, "base_eval"))
    if cell.reuses:
        source = next(c for c in cells if c.name == cell.reuses)
        for stage in cell.links:
            _link(os.path.join(cell_workdir(study_dir, source, seed), stage),
                  os.path.join(workdir, stage))
    config = cell_config(study_config, cell, seed, shared)
    config_path = os.path.join(workdir, "cell_config.json")
    write_text_atomic(config_path, config.to_json(indent=1) + "\n")
    return [sys.executable, os.path.join(ROOT, "launch", "main.py"),
            f"--config={CELL_CONFIG}:{os.path.abspath(config_path)}",
            f"--workdir={os.path.abspath(workdir)}"]


def cell_environment(cuda_devices: str | None = None) -> dict[str, str]:
    """A cell process's environment: this checkout's code first on its path (an editable
    install of another checkout would otherwise win, and a study started from a snapshot would
    run code changed since), and its CUDA_VISIBLE_DEVICES (None: the study's own devices)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([ROOT] + [p for p in env.get("PYTHONPATH", "")
                                                  .split(os.pathsep) if p])
    if cuda_devices is not None:
        env["CUDA_VISIBLE_DEVICES"] = cuda_devices
    return env


def run_one(study_dir: str, study_config: ml_collections.ConfigDict, cell: Cell, seed: int,
            cells: Sequence[Cell], cuda_devices: str | None = None) -> CellRun:
    """Run (cell, seed) to the end unless it finished before; its output goes to console.log.
    `cuda_devices`: the run's CUDA_VISIBLE_DEVICES (None: the study's own devices)."""
    done = finished(study_dir, cell, seed)
    if done is not None:
        return done
    if _stop.is_set():
        raise StudyStopped(f"not started: {cell.name} seed {seed}")
    command = prepare(study_dir, study_config, cell, seed, cells)
    workdir = cell_workdir(study_dir, cell, seed)
    env = cell_environment(cuda_devices)
    commit = code_commit(ROOT)  # what this attempt's process imports (cell_environment)
    spent_file = os.path.join(workdir, TIME_SPENT)
    before = float((read_json(spent_file) or {}).get("seconds", 0.0))
    started = time.perf_counter()
    with open(os.path.join(workdir, "console.log"), "w", encoding="utf-8") as log:
        with _running_lock:
            if _stop.is_set():
                raise StudyStopped(f"not started: {cell.name} seed {seed}")
            process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                       env=env)
            _running.add(process)
        try:
            while True:
                try:
                    code = process.wait(timeout=TIME_SPENT_EVERY)
                    break
                except subprocess.TimeoutExpired:
                    write_json_atomic(spent_file,
                                      {"seconds": before + time.perf_counter() - started})
        finally:
            with _running_lock:
                _running.discard(process)
    attempt = time.perf_counter() - started
    seconds = before + attempt
    write_json_atomic(spent_file, {"seconds": seconds})
    write_json_atomic(os.path.join(workdir, DONE),
                      {"command": command, "seconds": seconds, "attempt_seconds": attempt,
                       "returncode": code, "cuda_devices": cuda_devices, "code": commit})
    return CellRun(cell, seed, workdir, seconds, code)


def ensure_datasets(study_dir: str, study_config: ml_collections.ConfigDict,
                    cell: Cell) -> str:
    """The study's datasets directory, built by a `datasets` run when no run built it here
    (every run restored from records, study/records.py): the report reads their tasks."""
    config = cell_config(study_config, cell, 0, shared_dir(study_dir))
    dataset_dir = config.data.dataset_dir
    if os.path.exists(os.path.join(dataset_dir, "jsonl", "manifest.json")):
        return dataset_dir
    config.regime = "datasets"
    workdir = os.path.join(shared_dir(study_dir), "datasets_run")
    os.makedirs(workdir, exist_ok=True)
    config_path = os.path.join(workdir, "cell_config.json")
    write_text_atomic(config_path, config.to_json(indent=1) + "\n")
    with open(os.path.join(workdir, "console.log"), "w", encoding="utf-8") as log:
        code = subprocess.run([sys.executable, os.path.join(ROOT, "launch", "main.py"),
                               f"--config={CELL_CONFIG}:{os.path.abspath(config_path)}",
                               f"--workdir={os.path.abspath(workdir)}"], cwd=ROOT, stdout=log,
                              stderr=subprocess.STDOUT, env=cell_environment()).returncode
    if code != 0:
        raise RuntimeError(f"building the study's datasets failed; see {log.name}")
    return dataset_dir


@contextlib.contextmanager
def stop_cells_on_signals() -> Iterator[None]:
    """While inside: a SIGTERM or SIGINT to this process is passed to every running cell and
    no new cell starts; `run_all` then raises StudyStopped. (Without it, a killed study would
    leave its running cell going, and the study run again would start a second copy of it.)"""

    def forward(signum: int, frame: object) -> None:
        with _running_lock:
            _stop.set()
            for process in _running:
                if process.poll() is None:
                    process.send_signal(signum)

    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        _stop.clear()


def run_all(study_dir: str, study_config: ml_collections.ConfigDict, cells: Sequence[Cell],
            seeds: Sequence[int], parallel: int,
            on_done: Callable[[CellRun], None] = lambda run: None,
            cuda_devices: Sequence[str] = ()) -> list[CellRun]:
    """Every (cell, seed), the first alone, then waves: cells that reuse none, then the rest.

    With `cuda_devices` (one CUDA_VISIBLE_DEVICES value per parallel slot), each running cell
    holds one slot's devices and no other cell sees them. Raises when a run fails, naming its
    console log, after the wave it was in has finished.
    """
    if cuda_devices and len(cuda_devices) != parallel:
        raise ValueError(f"{len(cuda_devices)} device slots for {parallel} parallel runs")
    slots: queue.Queue = queue.Queue()
    for slot in (cuda_devices or [None] * max(1, parallel)):
        slots.put(slot)

    def in_a_slot(cell: Cell, seed: int) -> CellRun:
        slot = slots.get()
        try:
            return run_one(study_dir, study_config, cell, seed, cells, slot)
        finally:
            slots.put(slot)

    order = [(cell, seed) for cell in cells for seed in seeds]
    # the first run not finished of a cell that reuses none goes alone (runs restored from
    # records may have finished the very first): it builds the shared datasets and scores the
    # base for the others
    first = next(((c, s) for c, s in order
                  if not c.reuses and finished(study_dir, c, s) is None), order[0])
    rest = [run for run in order if run != first]
    waves = [[first], [(c, s) for c, s in rest if not c.reuses],
             [(c, s) for c, s in rest if c.reuses]]
    runs: list[CellRun] = []
    for wave in waves:
        with concurrent.futures.ThreadPoolExecutor(max(1, parallel)) as pool:
            futures = [pool.submit(in_a_slot, c, s) for c, s in wave]
            for future in concurrent.futures.as_completed(futures):
                if isinstance(future.exception(), StudyStopped):
                    continue  # a cell not started after a stop signal
                run = future.result()
                runs.append(run)
                if run.returncode == 0 or not _stop.is_set():  # not one the signal stopped
                    on_done(run)
        if _stop.is_set():
            done = sum(r.returncode == 0 for r in runs)
            raise StudyStopped(f"stopped by a signal with {done} of {len(order)} runs finished "
                               "(in this invocation or before); run the same command to go on")
        failed = [r for r in runs if r.returncode != 0]
        if failed:
            logs = ", ".join(os.path.join(r.workdir, "console.log") for r in failed)
            raise RuntimeError(f"{len(failed)} study run(s) failed; see {logs}. Fix the cause "
                               "and run the same command: finished runs are kept")
    return runs
