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

from codecorr_jax.data import corpus
from codecorr_jax.data import tokenizer as tokenizer_lib
from codecorr_jax.data.pipeline import packed_batches, tokenize_documents
from codecorr_jax.data.mixture import order_seed
from codecorr_jax.fileio import read_json, write_json_atomic
from codecorr_jax.models import sharding
from codecorr_jax.models.build import build_model
from codecorr_jax.models.config import runtime_fields
from codecorr_jax.models.decoder import Decoder
from codecorr_jax.models.hf_checkpoint import (load_hf_checkpoint, load_tokenizer,
                                               save_hf_checkpoint)
from codecorr_jax.regimes import run_dir as run_dir_lib
from codecorr_jax.regimes.datasets import build_datasets, dataset_dir
from codecorr_jax.train.lm_trainer import train_lm

BASE_MANIFEST = "codecorr_base.json"


def jsonl_dir(config: Any, workdir: str) -> str:
    return os.path.join(dataset_dir(config, workdir), "jsonl")


def tokenizer_dir(config: Any, workdir: str) -> str:
    return config.data.tokenizer_dir or os.path.join(workdir, "tokenizer")


def base_dir(config: Any, workdir: str) -> str:
    return config.pretrain.base_dir or os.path.join(workdir, "base")


def prepare_tokenizer(config: Any, workdir: str) -> Any:
    """The tokenizer of the configured model: a checkpoint's own, or the tiny model's BPE
    (trained on the train tasks and some stdlib source, reused while that corpus is unchanged).
    Datasets must be built first."""
    if config.model.preset != "tiny":
        return load_tokenizer(config.model.checkpoint_dir)
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


def _base_fields(config: Any, tokenizer_dir_: str) -> dict[str, Any]:
    """What the base model depends on: a change to any of these retrains it."""
    manifest = tokenizer_lib.read_manifest(tokenizer_dir_) or {}
    pretrain = {k: v for k, v in config.pretrain.to_dict().items() if k != "base_dir"}
    model = {k: v for k, v in config.model.to_dict().items() if k != "checkpoint_dir"}
    return {"model": model, "pretrain": pretrain, "seed": config.seed,
            "tokenizer": manifest.get("corpus_sha256")}


def pretrain(config: Any, workdir: str, mesh: jax.sharding.Mesh, tokenizer: Any,
             fields: dict[str, Any]) -> Decoder:
    """Train the tiny base model from random initialisation (resuming a killed run)."""
    section = config.pretrain
    run_dir = os.path.join(workdir, "pretrain")
    run_dir_lib.claim(run_dir, fields, replace_stale=True)
    texts = corpus.python_source_texts(int(section.corpus_mb * 1e6), seed=config.data.seed)
    examples = tokenize_documents(texts, tokenizer, section.seq_len)
    batches, stats = packed_batches(examples, seq_len=section.seq_len,
                                    batch_size=section.batch_size,
                                    seed=order_seed(config.data.seed, config.seed))
    if jax.process_index() == 0:
        print(f"pretrain   {len(texts)} stdlib files, {stats.tokens:,} tokens in "
              f"{stats.rows_per_epoch} rows of {section.seq_len} per epoch; "
              f"{section.num_steps} steps of {section.batch_size} rows")
    model = build_model(config.model, mesh, seed=config.seed)
    result = train_lm(model, batches, section, run_dir=run_dir, mesh=mesh,
                      checkpoint=config.checkpoint, logging=config.logging, seed=config.seed,
                      num_steps=int(section.num_steps), desc="pretrain")
    return result.model


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
    fields = _base_fields(config, tokenizer_dir(config, workdir))
    fingerprint = run_dir_lib.fingerprint(fields)
    out = base_dir(config, workdir)
    manifest = read_json(os.path.join(out, BASE_MANIFEST))
    if manifest is not None and manifest.get("fingerprint") == fingerprint:
        model = load_hf_checkpoint(out, mesh, sharding.DEFAULT_RULES,
                                   **runtime_fields(config.model))
        return model, tokenizer, fingerprint
    if manifest is not None and jax.process_index() == 0:
        print(f"base       {out} was made by another configuration: pretraining a new one")
    model = pretrain(config, workdir, mesh, tokenizer, fields)
    save_hf_checkpoint(model, out, tokenizer=tokenizer)
    if jax.process_index() == 0:
        write_json_atomic(os.path.join(out, BASE_MANIFEST),
                          {"fingerprint": fingerprint, "fields": fields}, default=str)
    return model, tokenizer, fingerprint


def run(config: Any, workdir: str, mesh: jax.sharding.Mesh) -> Decoder:
    model, _, fingerprint = load_or_pretrain_base(config, workdir, mesh)
    if jax.process_index() == 0:
        print(f"base       {model.config.num_params:,} parameters, fingerprint {fingerprint}, "
              f"in {base_dir(config, workdir)} (Hugging Face format, with its tokenizer)")
        print("next       fine-tune it: python launch/main.py --config=configs/sft.py "
              f"--workdir={workdir}")
    return model
