"""The `rl` and `sft_then_rl` regimes: PPO with rewards from running the generated programs.

- `rl` ("RL from scratch" in the study): PPO from the base model.
- `sft_then_rl`: SFT (reused when already done), then PPO from its checkpoint on the same
  prompts unless `config.rl.mixture` says otherwise.

Both score the starting point and the result on the evaluation suites and write a report
(markdown table and plots: eval/report.py) of pass@1 per suite and stage. PPO runs in
`<workdir>/rl` or `<workdir>/sft_then_rl` (checkpoints: a killed run resumes; metrics.jsonl,
tensorboard/, eval/, final/ in Hugging Face format).
"""

from __future__ import annotations

from typing import Any

import jax

from codecorr_jax import config as config_lib
from codecorr_jax.eval import report as report_lib
from codecorr_jax.execution import Executor
from codecorr_jax.regimes.evaluation import SuiteResults
from codecorr_jax.regimes.stages import PpoOutcome, run_ppo, run_sft, start


def _finish(config: Any, ppo: PpoOutcome, title: str, stages: dict[str, SuiteResults],
            next_step: str) -> str:
    """The report; the console gets the table, what to run next and, last, where it is."""
    notes = [f"estimator {config.rl.estimator}, reward `{config.executor.reward}`, "
             f"{config.rl.num_iterations} iterations of {config.rl.prompts_per_iteration} "
             f"prompts x {config.rl.samples_per_prompt} samples, kl_coef {config.rl.kl_coef} "
             f"({config.rl.kl_estimator})",
             "pass@1 is greedy decoding; the composite suites are held-out test functions"]
    if ppo.frontier:
        notes.append(f"frontier (`<run>/frontier/`): {ppo.frontier}")
    run_dir = ppo.run_dir
    path = report_lib.write_report(run_dir, title, stages, ppo.history, notes=notes)
    if jax.process_index() == 0:
        print(report_lib.stage_table(stages))
        print(f"next       {next_step}")
        print(f"wrote      eval/, metrics.jsonl, tensorboard/ (tensorboard --logdir {run_dir}), "
              "final/ (Hugging Face format), pass_at_1.png, rl_curves.png")
        print(f"report     {path}")
    return path


def run_rl(config: Any, workdir: str, mesh: jax.sharding.Mesh) -> str:
    """Regime `rl`: base -> PPO -> scores; returns the report's path."""
    with Executor(config_lib.executor_config(config)) as executor:
        begin = start(config, workdir, mesh, executor)
        begin.base.model = None  # PPO loads its policy, reference and critic from disk
        base = begin.base.checkpoint
        ppo = run_ppo(config, begin.ws, mesh, executor, begin.evaluator, begin.base.tokenizer,
                      start=base, base=base, run_name="rl")
    stages = {"base": begin.base_results, "RL": ppo.results}
    return _finish(config, ppo, "RL from the base model", stages,
                   "SFT first, then RL: python launch/main.py "
                   f"--config=configs/sft_then_rl.py --workdir={workdir}")


def run_sft_then_rl(config: Any, workdir: str, mesh: jax.sharding.Mesh) -> str:
    """Regime `sft_then_rl`: base -> SFT (reused when done) -> PPO -> scores; returns the
    report's path."""
    with Executor(config_lib.executor_config(config)) as executor:
        begin = start(config, workdir, mesh, executor)
        sft = run_sft(config, begin.ws, mesh, begin.base, begin.evaluator)
        begin.base.model = None  # PPO loads its policy, reference and critic from disk
        ppo = run_ppo(config, begin.ws, mesh, executor, begin.evaluator, begin.base.tokenizer,
                      start=sft.final, base=begin.base.checkpoint, run_name="sft_then_rl")
    stages = {"base": begin.base_results, "SFT": sft.results, "SFT then RL": ppo.results}
    return _finish(config, ppo, "SFT, then RL", stages,
                   "RL from the base for comparison: python launch/main.py "
                   f"--config=configs/rl.py --workdir={workdir}")
