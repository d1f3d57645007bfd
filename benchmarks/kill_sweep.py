"""Kill sweep: SIGKILL the main job at random moments, rerun it, and compare with a run never
killed, bit for bit.

A multi-day RL run dies at any moment: while sampling, while programs execute, in the middle of
an update, a checkpoint save, the frontier scoring or an evaluation. The promise is that the
same command then finishes with exactly the parameters and the logged metrics of an
uninterrupted run. This script measures it on `configs/sft_then_rl.py` at a small size:

1. a first run that builds the datasets (or reads `--dataset-dir`) and scores the base;
2. one uninterrupted run from a copy of those (the reference; its wall time T);
3. `--kills` trials: start the same command in a fresh workdir (datasets and base scores
   copied from the first run, so only training is at stake), SIGKILL it after a uniform random
   time in [0.05 T, 0.95 T], run the command again until it ends, then compare the SFT and PPO
   exports (`final/model.safetensors`, every tensor exactly) and every metric of
   `metrics.jsonl` but the timings (the last record of a step wins, as `read_metrics` reads).

    python benchmarks/kill_sweep.py --kills 50 --out docs/results/kill_sweep.json
    python benchmarks/kill_sweep.py --kills 3 --workdir /tmp/sweep      # a quick look
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time

from codecorr_jax.train import run_compare

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The main job, small: about a minute, with every stage (datasets and base scores reused from
# the reference, SFT with a periodic evaluation, the frontier scoring of PPO's 16 prompts, PPO
# with a periodic evaluation and checkpoints every iteration, the final scores).
SMALL = ["--config.sft.num_steps=20", "--config.sft.batch_size=8",
         "--config.eval.every_steps=10", "--config.checkpoint.every_steps=5",
         "--config.eval.max_tasks=4", "--config.eval.periodic_max_tasks=2",
         "--config.eval.max_new_tokens=64", "--config.rl.num_iterations=3",
         "--config.rl.eval_every=2", "--config.rl.checkpoint_every=1",
         "--config.rl.prompts_per_iteration=4", "--config.rl.samples_per_prompt=2",
         "--config.rl.minibatch_size=8", "--config.rl.max_new_tokens=64",
         "--config.rl.mixture.atom=0", "--config.rl.mixture.composite_A=16",
         "--config.rl.frontier_fraction=0.5", "--config.logging.progress_bar=False"]
STAGES = ("sft", "sft_then_rl")


def command(workdir: str, seed: int, dataset_dir: str = "") -> list[str]:
    shared = [f"--config.data.dataset_dir={dataset_dir}"] if dataset_dir else []
    return [sys.executable, os.path.join(ROOT, "launch", "main.py"),
            f"--config={os.path.join(ROOT, 'configs', 'sft_then_rl.py')}",
            f"--workdir={workdir}", f"--config.seed={seed}", *shared, *SMALL]


def run(workdir: str, seed: int, kill_after: float | None = None,
        dataset_dir: str = "") -> tuple[int, float]:
    """(exit status, seconds); with `kill_after`, SIGKILL the run after that many seconds."""
    os.makedirs(workdir, exist_ok=True)
    started = time.monotonic()
    with open(os.path.join(workdir, "sweep.log"), "a") as log:
        process = subprocess.Popen(command(workdir, seed, dataset_dir), cwd=ROOT, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        try:
            process.wait(timeout=kill_after)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    return process.returncode, time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0, help="the runs' config.seed")
    parser.add_argument("--workdir", default=os.path.join(ROOT, "runs", "kill_sweep"))
    parser.add_argument("--out", default="")
    parser.add_argument("--dataset-dir", default="",
                        help="datasets built before (the default: each run's workdir)")
    args = parser.parse_args()
    shared = args.dataset_dir

    def copy_prepared(workdir: str) -> None:
        """The datasets and base scores the first run made: only training is at stake."""
        os.makedirs(workdir, exist_ok=True)
        for name in ("base_eval",) + (() if shared else ("datasets",)):
            shutil.copytree(os.path.join(prepare, name), os.path.join(workdir, name))

    # A first run builds what every run shares; the reference run, uninterrupted, starts from
    # a copy of it as each trial does, so its wall time T is a trial's, and kills land in it.
    prepare = os.path.join(args.workdir, "prepare")
    if not os.path.exists(os.path.join(prepare, "sft_then_rl", "final")):
        code, _ = run(prepare, args.seed, dataset_dir=shared)
        if code != 0:
            sys.exit(f"the first run failed ({code}): see {prepare}/sweep.log")
    reference = os.path.join(args.workdir, "reference")
    if not os.path.exists(os.path.join(reference, "seconds.txt")):
        shutil.rmtree(reference, ignore_errors=True)
        copy_prepared(reference)
        code, seconds = run(reference, args.seed, dataset_dir=shared)
        if code != 0:
            sys.exit(f"the reference run failed ({code}): see {reference}/sweep.log")
        with open(os.path.join(reference, "seconds.txt"), "w") as f:
            f.write(f"{seconds:.1f}\n")
    total = float(open(os.path.join(reference, "seconds.txt")).read())
    print(f"reference: {total:.0f} s", flush=True)
    rng = random.Random(0)
    trials = []
    for trial in range(args.kills):
        workdir = os.path.join(args.workdir, f"kill_{trial:03d}")
        shutil.rmtree(workdir, ignore_errors=True)
        copy_prepared(workdir)
        at = rng.uniform(0.05, 0.95) * total
        killed_code, _ = run(workdir, args.seed, kill_after=at, dataset_dir=shared)
        with open(os.path.join(workdir, "sweep.log")) as log:
            said = log.read().strip().splitlines()
        code, _ = run(workdir, args.seed, dataset_dir=shared)
        problems = (run_compare.differences(reference, workdir, STAGES) if code == 0
                    else [f"rerun exited {code}"])
        trials.append({"trial": trial, "kill_after_s": round(at, 1),
                       "killed": killed_code == -signal.SIGKILL,
                       "last_said": said[-1][:120] if said else "",  # where the kill hit
                       "identical": not problems,
                       "problems": problems})
        print(json.dumps(trials[-1]), flush=True)
        if not problems:
            shutil.rmtree(workdir)
        if args.out:  # after every trial: a sweep stopped early keeps what it measured
            with open(args.out, "w") as f:
                json.dump({"reference_seconds": total, "small": SMALL, "trials": trials,
                           "identical": sum(t["identical"] for t in trials)}, f, indent=1)
    identical = sum(t["identical"] for t in trials)
    print(f"\n{identical} of {len(trials)} killed runs ended identical to the reference")


if __name__ == "__main__":
    main()
