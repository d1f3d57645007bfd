"""The `pretrain` regime: the tiny base model, by next-token prediction on Python source.

The study fine-tunes pretrained code models. On a CPU there is none to download, so this regime
makes one: the tiny decoder trained on `config.pretrain.corpus_mb` of the Python standard
library's source. The base corpus never holds the project's tasks, so "SFT from base" and "RL
from base" start from a model that knows Python but has not seen an evaluation function.

The result is cached: `<workdir>/base` (or `config.pretrain.base_dir`) holds the model in
Hugging Face format with its tokenizer, and later regimes reuse it while the configuration that
made it is unchanged. Checkpoint presets (llama, qwen2) are their own base: nothing to train.
"""

from __future__ import annotations

import os
from typing import Any

import jax

from codecorr_jax import config as config_lib
from codecorr_jax.data import corpus, function_corpus
from codecorr_jax.data import tokenizer as tokenizer_lib
from codecorr_jax.data.pipeline import packed_batches, tokenize_documents
from codecorr_jax.data.mixture import order_seed
from codecorr_jax.eval import report as report_lib
from codecorr_jax.execution import Executor
from codecorr_jax.fileio import read_json, write_json_atomic, write_text_atomic
from codecorr_jax.models import sharding
from codecorr_jax.models.build import build_model
from codecorr_jax.models.config import runtime_fields
from codecorr_jax.models.decoder import Decoder
from codecorr_jax.models.hf_checkpoint import (load_hf_checkpoint, load_tokenizer,
                                               save_hf_checkpoint)
from codecorr_jax.regimes import run_dir as run_dir_lib
from codecorr_jax.regimes.datasets import build_datasets, dataset_dir
from codecorr_jax.regimes.evaluation import Evaluator, base_results
from codecorr_jax.train.lm_trainer import train_lm

BASE_MANIFEST = "codecorr_base.json"
BASE_SCORES = "base_scores.json"  # the pretrain regime's pass@k of the base


def jsonl_dir(config: Any, workdir: str) -> str:
    return os.path.join(dataset_dir(config, workdir), "jsonl")


def tokenizer_dir(config: Any, workdir: str) -> str:
    return config.data.tokenizer_dir or os.path.join(workdir, "tokenizer")


# The tiny base the project ships (`pretrain.source = "shipped"`): built once with
# `configs/pretrain.py` and copied here by `launch/ship_base.py` (BENCHMARKS.md, "A base model
# that can code"), so no regime pretrains unless asked.
SHIPPED_BASE_DIR = os.path.join(os.path.dirname(os.path.dirname(__file__)), "assets", "tiny_base")


def base_dir(config: Any, workdir: str) -> str:
    """Where the tiny base is read from (or, when pretrained here, written to)."""
    if config.pretrain.base_dir:
        return config.pretrain.base_dir
    if config.pretrain.source == "shipped":
        return SHIPPED_BASE_DIR
    return os.path.join(workdir, "base")


def shipped_base_manifest(directory: str = SHIPPED_BASE_DIR) -> dict[str, Any]:
    """The manifest of a shipped base; an error that says how to make one when there is none."""
    manifest = read_json(os.path.join(directory, BASE_MANIFEST))
    if manifest is None:
        raise FileNotFoundError(
            f"no base model in {directory} ({BASE_MANIFEST} missing). Pretrain one here with "
            "--config.pretrain.source=train, or build and ship it: python launch/main.py "
            "--config=configs/pretrain.py --workdir=runs/base && python launch/ship_base.py "
            "runs/base")
    return manifest


def prepare_tokenizer(config: Any, workdir: str) -> Any:
    """The tokenizer of the configured model: a checkpoint's own, or the tiny model's BPE
    (trained on the train tasks and some stdlib source, reused while that corpus is unchanged).
    Datasets must be built first."""
    if config.model.preset != "tiny":
        return load_tokenizer(config.model.checkpoint_dir)
    if config.pretrain.source == "shipped":  # the tokenizer is part of the base
        return load_tokenizer(base_dir(config, workdir))
    out = tokenizer_dir(config, workdir)
    texts = lambda: corpus.tokenizer_corpus(  # noqa: E731
        jsonl_dir(config, workdir), config.data.prompt_style,
        int(config.data.tokenizer_source_mb * 1e6), seed=config.data.seed)
    if jax.process_index() == 0:
        tokenizer_lib.build_or_load_tokenizer(out, texts, config.model.vocab_size)
    if jax.process_count() > 1:
        from jax.experimental import multihost_utils

        multihost_utils.sync_global_devices("tokenizer ready")
    return load_tokenizer(out)


def _model_fields(config: Any) -> dict[str, Any]:
    """The model config a tiny base is made for (the checkpoint path is no part of it)."""
    return {k: v for k, v in config.model.to_dict().items() if k != "checkpoint_dir"}


def _base_fields(config: Any, tokenizer_dir_: str) -> dict[str, Any]:
    """What the base model depends on: a change to any of these retrains it."""
    manifest = tokenizer_lib.read_manifest(tokenizer_dir_) or {}
    pretrain = {k: v for k, v in config.pretrain.to_dict().items()
                if k not in ("base_dir", "source")}
    return {"model": _model_fields(config), "pretrain": pretrain, "seed": config.seed,
            "tokenizer": manifest.get("corpus_sha256"),
            "function_corpus": function_corpus.VERSION}


def pretrain(config: Any, workdir: str, mesh: jax.sharding.Mesh, tokenizer: Any,
             fields: dict[str, Any]) -> tuple[Decoder, dict[str, Any]]:
    """Train the tiny base model from random initialisation (resuming a killed run); returns
    it with what its manifest records of the training (corpus counts, tokens, loss)."""
    section = config.pretrain
    run_dir = os.path.join(workdir, "pretrain")
    run_dir_lib.claim(run_dir, fields, replace_stale=True)
    texts, manifest = corpus.pretraining_corpus(
        jsonl_dir(config, workdir), source_bytes=int(section.corpus_mb * 1e6),
        generated_functions=int(section.generated_functions), seed=config.data.seed)
    examples = tokenize_documents(texts, tokenizer, section.seq_len)
    batches, stats = packed_batches(examples, seq_len=section.seq_len,
                                    batch_size=section.batch_size,
                                    seed=order_seed(config.data.seed, config.seed))
    if jax.process_index() == 0:
        docs = manifest["documents"]
        print(f"pretrain   {docs['generated']:,} generated functions and {docs['stdlib']} stdlib "
              f"files (none holding task text), {stats.tokens:,} tokens in "
              f"{stats.rows_per_epoch} rows of {section.seq_len} per epoch; "
              f"{section.num_steps} steps of {section.batch_size} rows")
    model = build_model(config.model, mesh, seed=config.seed)
    result = train_lm(model, batches, section, run_dir=run_dir, mesh=mesh,
                      checkpoint=config.checkpoint, logging=config.logging, seed=config.seed,
                      num_steps=int(section.num_steps), desc="pretrain")
    record = {"corpus": manifest, "tokens_per_epoch": stats.tokens,
              "tokens_trained": int(section.num_steps) * section.batch_size * section.seq_len,
              "steps": result.steps, "last_metrics": result.last_metrics}
    return result.model, record


def load_or_pretrain_base(config: Any, workdir: str,
                          mesh: jax.sharding.Mesh) -> tuple[Decoder, Any, str]:
    """(base model on `mesh`, its tokenizer, a fingerprint of the base) for any regime.

    Builds the datasets and the tokenizer first (both reused when present).
    """
    build_datasets(config, workdir)
    tokenizer = prepare_tokenizer(config, workdir)
    if config.model.preset != "tiny":
        model = build_model(config.model, mesh, seed=config.seed)
        return model, tokenizer, run_dir_lib.fingerprint(
            {"checkpoint": os.path.abspath(config.model.checkpoint_dir)})
    out = base_dir(config, workdir)
    if config.pretrain.source == "shipped":
        return _load_shipped(config, out, mesh, tokenizer)
    fields = _base_fields(config, tokenizer_dir(config, workdir))
    fingerprint = run_dir_lib.fingerprint(fields)
    manifest = read_json(os.path.join(out, BASE_MANIFEST))
    if manifest is not None and manifest.get("fingerprint") == fingerprint:
        model = load_hf_checkpoint(out, mesh, sharding.DEFAULT_RULES,
                                   **runtime_fields(config.model))
        return model, tokenizer, fingerprint
    if manifest is not None and jax.process_index() == 0:
        print(f"base       {out} was made by another configuration: pretraining a new one")
    model, record = pretrain(config, workdir, mesh, tokenizer, fields)
    save_hf_checkpoint(model, out, tokenizer=tokenizer)
    if jax.process_index() == 0:
        write_json_atomic(os.path.join(out, BASE_MANIFEST),
                          {"fingerprint": fingerprint, "fields": fields, "training": record},
                          default=str)
    return model, tokenizer, fingerprint


def _load_shipped(config: Any, directory: str, mesh: jax.sharding.Mesh,
                  tokenizer: Any) -> tuple[Decoder, Any, str]:
    manifest = shipped_base_manifest(directory)
    built = manifest["fields"]["model"]
    wanted = _model_fields(config)
    differs = sorted(k for k in wanted if k not in runtime_fields(config.model)
                     and built.get(k) != wanted[k])
    if differs:
        raise ValueError(
            f"config.model differs from the shipped base in {directory} in "
            + ", ".join(f"{k} ({wanted[k]!r}, the base has {built.get(k)!r})" for k in differs)
            + ": set --config.pretrain.source=train to pretrain a base of that shape")
    model = load_hf_checkpoint(directory, mesh, sharding.DEFAULT_RULES,
                               **runtime_fields(config.model))
    return model, tokenizer, manifest["fingerprint"]


def run(config: Any, workdir: str, mesh: jax.sharding.Mesh) -> Decoder:
    """Pretrain (or load) the base, then score it: greedy pass@1 and, with
    `eval.num_samples`, sampled pass@k and the fraction of samples that compile."""
    model, tokenizer, fingerprint = load_or_pretrain_base(config, workdir, mesh)
    with Executor(config_lib.executor_config(config)) as executor:
        evaluator = Evaluator(config, jsonl_dir(config, workdir), tokenizer, mesh, executor)
        results = base_results(config, workdir, model, evaluator, fingerprint)
    if jax.process_index() == 0:
        table = report_lib.pass_at_k_table(results)
        out = os.path.join(workdir, "base_eval", "pass_at_k.md")
        write_text_atomic(out, f"# The base model ({fingerprint})\n\n{table}\n")
        directory = base_dir(config, workdir)
        if config.pretrain.source == "train":  # travels with the base when it is shipped
            write_json_atomic(os.path.join(directory, BASE_SCORES),
                              {"eval": config.eval.to_dict(), "results": results})
        print(table)
        print(f"base       {model.config.num_params:,} parameters, fingerprint {fingerprint}, "
              f"in {directory} (Hugging Face format, with its tokenizer)")
        if config.pretrain.source == "train":
            print(f"next       make it every regime's base: python launch/ship_base.py {workdir}; "
                  "or fine-tune it here: python launch/main.py --config=configs/sft.py "
                  f"--workdir={workdir} --config.pretrain.source=train")
        else:
            print("next       fine-tune it: python launch/main.py --config=configs/sft.py "
                  f"--workdir={workdir}")
    return model
