"""The `sft` regime: supervised fine-tuning of the base model on the configured data mixture.

From nothing it builds (or reuses) the datasets, the tokenizer and the base model, scores the
base on the evaluation suites once (cached beside it), fine-tunes with periodic evaluation, and
scores the result. `<workdir>/sft/` holds checkpoints (a killed run resumes), metrics.jsonl,
tensorboard/, eval/step_*.json and `final/`, the fine-tuned model in Hugging Face format (what
`sft_then_rl` starts PPO from).
"""

from __future__ import annotations

import dataclasses
import math
import os
from typing import Any

import jax

from codecorr_jax import config as config_lib
from codecorr_jax.data.mixture import order_seed
from codecorr_jax.data.pipeline import sft_dataset
from codecorr_jax.eval import suites as suites_lib
from codecorr_jax.eval.report import stage_table
from codecorr_jax.execution import Executor
from codecorr_jax.fileio import read_json
from codecorr_jax.models.build import build_model
from codecorr_jax.models.decoder import Decoder
from codecorr_jax.models.hf_checkpoint import save_hf_checkpoint
from codecorr_jax.regimes import run_dir as run_dir_lib
from codecorr_jax.regimes.datasets import dataset_dir
from codecorr_jax.regimes.evaluation import Evaluator, base_results
from codecorr_jax.regimes.pretrain import jsonl_dir, load_or_pretrain_base
from codecorr_jax.train.lm_trainer import train_lm


def num_steps(section: Any, rows_per_epoch: int) -> int:
    """`sft.num_steps`, or enough steps for `sft.epochs` passes over the mixture."""
    if section.epochs > 0:
        return max(1, math.ceil(section.epochs * rows_per_epoch / section.batch_size))
    return int(section.num_steps)


def fine_tune(config: Any, workdir: str, mesh: jax.sharding.Mesh, executor: Executor,
              run_name: str = "sft") -> dict[str, Any]:
    """Base -> SFT -> scores.

    Returns {"base": results, "sft": results, "model", "run_dir", "train", "tokenizer",
    "evaluator", "fingerprint" (of the SFT run's defining fields)}.
    """
    base, tokenizer, base_fingerprint = load_or_pretrain_base(config, workdir, mesh)
    evaluator = Evaluator(config, jsonl_dir(config, workdir), tokenizer, mesh, executor)
    before = base_results(config, workdir, base, evaluator, base_fingerprint)
    if jax.process_index() == 0:
        print(f"base       {suites_lib.summary_line(before)}")

    section = config.sft
    run_dir = os.path.join(workdir, run_name)
    fields = {"base": base_fingerprint if section.init == "base" else "scratch",
              "model": config.model.to_dict(), "data": config.data.to_dict(),
              "sft": section.to_dict(), "seed": config.seed}
    run_dir_lib.claim(run_dir, fields, replace_stale=False)
    model = base if section.init == "base" else build_model(config.model, mesh, seed=config.seed)
    tfds_dir = os.path.join(dataset_dir(config, workdir), "tfds")
    batches, stats = sft_dataset(tfds_dir, config.data, tokenizer,
                                 batch_size=section.batch_size, seed=config.data.seed,
                                 shuffle_seed=order_seed(config.data.seed, config.seed))
    steps = num_steps(section, stats.rows_per_epoch)
    if jax.process_index() == 0:
        mix = ", ".join(f"{k}={v}" for k, v in config.data.mixture.items() if v)
        if config.data.atom_step_repeats:
            mix += f", atoms as one-step composites x{config.data.atom_step_repeats}"
        print(f"sft        {stats.examples} tasks ({mix}), {stats.loss_tokens:,} trained tokens "
              f"in {stats.rows_per_epoch} rows of {config.data.max_length} per epoch "
              f"({stats.padding_fraction:.1%} padding); {stats.dropped_too_long} longer than "
              f"data.max_length dropped; {steps} steps of {section.batch_size} rows "
              f"(~{steps * section.batch_size / max(stats.rows_per_epoch, 1):.1f} epochs)")

    def periodic_eval(model: Decoder, step: int, key: jax.Array) -> dict[str, float]:
        del key  # greedy decoding: the scores do not depend on it
        results = evaluator.run(model, step, run_dir, periodic=True, seed=config.seed)
        if jax.process_index() == 0:
            print(f"eval       step {step}: {suites_lib.summary_line(results)}")
        return suites_lib.scalars(results)

    result = train_lm(model, batches, section, run_dir=run_dir, mesh=mesh,
                      checkpoint=config.checkpoint, logging=config.logging, seed=config.seed,
                      num_steps=steps, desc="sft", eval_hook=periodic_eval,
                      eval_every=int(config.eval.every_steps))
    final_dir = os.path.join(run_dir, "final")
    done = read_json(os.path.join(run_dir, "eval", f"step_{result.steps:08d}.json"))
    if done is not None and os.path.isdir(final_dir) and result.resumed_from == result.steps:
        after = done["results"]  # a finished run: its final scores and checkpoint stand
    else:
        after = evaluator.run(result.model, result.steps, run_dir, seed=config.seed)
        save_hf_checkpoint(result.model, final_dir, tokenizer=tokenizer)
    return {"base": before, "sft": after, "model": result.model, "run_dir": run_dir,
            "train": dataclasses.replace(result, model=None), "tokenizer": tokenizer,
            "evaluator": evaluator, "fingerprint": run_dir_lib.fingerprint(fields)}


def run(config: Any, workdir: str, mesh: jax.sharding.Mesh) -> dict[str, Any]:
    with Executor(config_lib.executor_config(config)) as executor:
        out = fine_tune(config, workdir, mesh, executor)
    if jax.process_index() == 0:
        table = stage_table({"base": out["base"], "SFT": out["sft"]})
        with open(os.path.join(out["run_dir"], "results.md"), "w", encoding="utf-8") as f:
            f.write("# SFT results\n\n" + table + "\n")
        print(table)
        print("next       an ablation in another workdir, e.g. atoms only: python launch/main.py "
              "--config=configs/sft.py --config.data.mixture.composite_A=0 --workdir=DIR")
        print("wrote      eval/, metrics.jsonl, tensorboard/ (tensorboard --logdir "
              + out["run_dir"] + "), final/ (Hugging Face format)")
        print(f"report     {os.path.join(out['run_dir'], 'results.md')}")
    return out
