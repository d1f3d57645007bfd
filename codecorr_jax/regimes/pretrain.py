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
from codecorr_jax.fileio import read_json, write_json_atomic, write_text_atomic
from codecorr_jax.models.decoder import Decoder
from codecorr_jax.regimes.stages import start
from codecorr_jax.regimes.workspace import BASE_MANIFEST, BASE_SCORES


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
        given = ideas_given(ws.base_dir)
        curves = report_lib.pass_at_k_curve_table({"base": results})
        if curves and report_lib.plot_pass_at_k({"base": results},
                                                os.path.join(ws.base_eval_dir, "pass_at_k.png")):
            curves = f"\npass@k, k = 1 .. {config.eval.num_samples}:\n\n{curves}\n\n" \
                     "![pass@k](pass_at_k.png)\n"
        write_text_atomic(out, f"# The base model ({fingerprint})\n\n{table}\n{curves}"
                          + (f"\n{given}\n" if given else ""))
        if ws.base_source == "train":  # travels with the base when it is shipped
            write_json_atomic(os.path.join(ws.base_dir, BASE_SCORES),
                              {"eval": config.eval.to_dict(), "results": results})
        print(table)
        if given:
            print(given)
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


def ideas_given(base_dir: str) -> str:
    """What the base's corpus taught of the atoms' ideas, from its manifest (issue 35): how
    many atoms, and the fewest and median functions and phrasings an atom had; "" for a base
    whose manifest does not count them (a checkpoint preset, an older corpus)."""
    path = os.path.join(base_dir, BASE_MANIFEST)
    if not os.path.exists(path):
        return ""
    ideas = read_json(path).get("training", {}).get("corpus", {}).get("atom_ideas")
    if not ideas:
        return ""
    per_atom = list(ideas["per_atom"].values())
    functions = sorted(a["functions"] for a in per_atom)
    phrasings = sorted(a["phrasings"] for a in per_atom)
    return (f"ideas      the corpus computes {ideas['atoms']} of the 100 atoms' ideas in its own "
            f"names, words and code: {functions[0]}-{functions[-1]} functions an atom (median "
            f"{functions[len(functions) // 2]}), {phrasings[0]}-{phrasings[-1]} phrasings "
            f"(median {phrasings[len(phrasings) // 2]})")
