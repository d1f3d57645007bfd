"""Where a PPO iteration's time goes: generation, execution, scoring, the update; samples/s.

Reads the per-iteration timings a PPO run logs (`<run>/metrics.jsonl`, written by
codecorr_jax/train/ppo_trainer.py) and prints a markdown table of medians over iterations
(the first iteration, which compiles, is shown separately):

    python launch/main.py --config=configs/sft_then_rl.py --workdir=runs/study
    python benchmarks/ppo_iteration_split.py runs/study/sft_then_rl

- generation: the jitted sampler, prompts x samples_per_prompt rows a sampling round (more
  rounds when dynamic sampling replaces groups without signal);
- execution: the executor running the sampled programs on the host's CPUs;
- scoring: the forward passes a rollout still needs (recomputed log-probabilities, reference,
  critic; none with the tiny preset's settings) and the advantages;
- update: ppo_epochs x minibatches of policy (and critic) steps, one jitted call;
- samples/s: every sampled response (dropped groups included) per second of iteration.
"""

from __future__ import annotations

import argparse
import statistics

from codecorr_jax.train.metrics import read_metrics

KEYS = ("seconds_generation", "seconds_execution", "seconds_scoring", "seconds_update",
        "seconds_iteration", "samples", "samples_per_second", "sampling_rounds")


def read_iterations(run_dir: str) -> list[dict[str, float]]:
    """The last logged record of each iteration that has PPO timings."""
    iterations = read_metrics(run_dir, "rl/seconds_iteration")
    if not iterations:
        raise SystemExit(f"{run_dir}/metrics.jsonl holds no PPO iteration timings")
    return iterations


def table(iterations: list[dict[str, float]]) -> str:
    rows = ["| iterations | generation s | execution s | scoring s | update s | iteration s "
            "| samples | sampling rounds | samples/s |", "|---|---|---|---|---|---|---|---|---|"]

    def row(label: str, records: list[dict[str, float]]) -> str:
        med = {k: statistics.median(r[f"rl/{k}"] for r in records) for k in KEYS}
        return (f"| {label} | {med['seconds_generation']:.1f} | {med['seconds_execution']:.1f} "
                f"| {med['seconds_scoring']:.2f} | {med['seconds_update']:.1f} "
                f"| {med['seconds_iteration']:.1f} | {med['samples']:.0f} "
                f"| {med['sampling_rounds']:.0f} | {med['samples_per_second']:.2f} |")

    rows.append(row("first (compiles)", iterations[:1]))
    if len(iterations) > 1:
        rows.append(row(f"median of {len(iterations) - 1} later", iterations[1:]))
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("run_dir", help="a PPO run directory, e.g. <workdir>/sft_then_rl")
    args = parser.parse_args()
    iterations = read_iterations(args.run_dir)
    print(table(iterations))
    last = iterations[-1]
    print(f"\nrows per iteration: response length mean {last['rl/response_length']:.0f} tokens; "
          f"reward {last['rl/reward']:.3f}, pass rate {last['rl/pass_rate']:.3f} (last)")


if __name__ == "__main__":
    main()
