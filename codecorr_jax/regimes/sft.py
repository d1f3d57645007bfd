"""The `sft` regime: supervised fine-tuning of the base model on the configured data mixture.

From nothing it builds (or reuses) the datasets, the tokenizer and the base model, scores the
base on the evaluation suites once (cached beside it), fine-tunes with periodic evaluation, and
scores the result. `<workdir>/sft/` holds checkpoints (a killed run resumes), metrics.jsonl,
tensorboard/, eval/step_*.json and `final/`, the fine-tuned model in Hugging Face format (what
`sft_then_rl` starts PPO from).
"""

from __future__ import annotations

import os
from typing import Any

import jax

from codecorr_jax import config as config_lib
from codecorr_jax.eval.report import constants_section, stage_table
from codecorr_jax.execution import Executor
from codecorr_jax.fileio import write_text_atomic
from codecorr_jax.regimes.stages import SftOutcome, run_sft, start


def run(config: Any, workdir: str, mesh: jax.sharding.Mesh) -> SftOutcome:
    """Base -> SFT -> scores and a results table."""
    with Executor(config_lib.executor_config(config)) as executor:
        begin = start(config, workdir, mesh, executor)
        sft = run_sft(config, begin.ws, mesh, begin.base, begin.evaluator)
    if jax.process_index() == 0:
        stages = {"base": begin.base_results, "SFT": sft.results}
        table = stage_table(stages)
        by_constants = constants_section(stages)
        path = os.path.join(sft.run_dir, "results.md")
        write_text_atomic(path, "# SFT results\n\n" + table + "\n"
                          + (f"\n{by_constants}\n" if by_constants else ""))
        print(table)
        print("next       an ablation in another workdir, e.g. atoms only: python launch/main.py "
              "--config=configs/sft.py --config.data.mixture.composite_A=0 --workdir=DIR")
        print("wrote      eval/, metrics.jsonl, tensorboard/ (tensorboard --logdir "
              + sft.run_dir + "), final/ (Hugging Face format)")
        print(f"report     {path}")
    return sft
