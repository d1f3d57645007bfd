"""The `pretrain` regime: the tiny base model, by next-token prediction on Python source.

The study fine-tunes pretrained code models. On a CPU there is none to download, so this regime
makes one (stages.pretrain_base): the tiny decoder trained on documented functions generated
from a grammar disjoint from the atoms and on some of the Python standard library's source. The
base corpus never holds the project's tasks, so "SFT from base" and "RL from base" start from a
model that knows Python but has not seen an evaluation function.

With `--config.pretrain.source=train` the base is cached in `<workdir>/base` (or
`config.pretrain.base_dir`) in Hugging Face format with its tokenizer, and later regimes of the
workdir reuse it while the configuration that made it is unchanged; `launch/ship_base.py` makes
it the project's shipped base. With the default source it scores the shipped base. Checkpoint
presets (llama, qwen2) are their own base: nothing to train.
"""

from __future__ import annotations

import os
from typing import Any

import jax

from codecorr_jax import config as config_lib
from codecorr_jax.eval import report as report_lib
from codecorr_jax.execution import Executor
from codecorr_jax.fileio import write_json_atomic, write_text_atomic
from codecorr_jax.models.decoder import Decoder
from codecorr_jax.regimes.stages import start
from codecorr_jax.regimes.workspace import BASE_SCORES


def run(config: Any, workdir: str, mesh: jax.sharding.Mesh) -> Decoder:
    """Pretrain (or load) the base, then score it: greedy pass@1 and, with
    `eval.num_samples`, sampled pass@k and the fraction of samples that compile."""
    with Executor(config_lib.executor_config(config)) as executor:
        begin = start(config, workdir, mesh, executor)
    ws, base, results = begin.ws, begin.base, begin.base_results
    if jax.process_index() == 0:
        fingerprint = base.checkpoint.fingerprint
        table = report_lib.pass_at_k_table(results)
        out = os.path.join(ws.base_eval_dir, "pass_at_k.md")
        write_text_atomic(out, f"# The base model ({fingerprint})\n\n{table}\n")
        if ws.base_source == "train":  # travels with the base when it is shipped
            write_json_atomic(os.path.join(ws.base_dir, BASE_SCORES),
                              {"eval": config.eval.to_dict(), "results": results})
        print(table)
        print(f"base       {base.model.config.num_params:,} parameters, fingerprint "
              f"{fingerprint}, in {ws.base_dir} (Hugging Face format, with its tokenizer)")
        if ws.base_source == "train":
            print(f"next       make it every regime's base: python launch/ship_base.py {workdir}; "
                  "or fine-tune it here: python launch/main.py --config=configs/sft.py "
                  f"--workdir={workdir} --config.pretrain.source=train")
        else:
            print("next       fine-tune it: python launch/main.py --config=configs/sft.py "
                  f"--workdir={workdir}")
    return base.model
