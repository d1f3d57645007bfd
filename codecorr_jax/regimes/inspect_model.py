"""The `inspect` regime: load the configured model on the mesh, report it, time a train step.

The first thing to run on a new machine or with a new checkpoint: it estimates the SFT step's
memory per device before loading anything (train/memory.py), shows the mesh, where the
parameters live and how many bytes each device holds, checks a sharded forward and backward
pass runs and is finite, measures tokens/s, and optionally exports the model in Hugging Face
format (`--config.inspect.export_dir=DIR`).
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax
from absl import logging
from flax import nnx

from codecorr_jax import hosts
from codecorr_jax.models import sharding
from codecorr_jax.models.build import build_model
from codecorr_jax.models.config import ModelSource, model_config
from codecorr_jax.models.decoder import Decoder
from codecorr_jax.models.hf_checkpoint import load_tokenizer, save_hf_checkpoint
from codecorr_jax.regimes.workspace import Workspace
from codecorr_jax.train import optim
from codecorr_jax.train.lm_step import token_nll
from codecorr_jax.train.memory import estimate_train_step


def _next_token_loss(model: Decoder, ids: jax.Array) -> jax.Array:
    nll, count = token_nll(model(ids).logits[:, :-1], ids[:, 1:], jnp.ones(ids[:, 1:].shape))
    return nll / count


@nnx.jit
def _loss_and_grad_norm(model: Decoder, ids: jax.Array) -> tuple[jax.Array, jax.Array]:
    loss, grads = nnx.value_and_grad(_next_token_loss)(model, ids)
    return loss, optax.tree.norm(grads)


def parameter_bytes_per_device(model: Decoder) -> dict[str, int]:
    """Bytes of parameters each addressable device holds."""
    per_device: dict[str, int] = {}
    for _, var in nnx.to_flat_state(nnx.state(model, nnx.Param)):
        for shard in var.get_value().addressable_shards:
            key = str(shard.device)
            per_device[key] = per_device.get(key, 0) + shard.data.nbytes
    return per_device


def run(config: Any, workdir: str, mesh: jax.sharding.Mesh) -> dict[str, Any]:
    """Estimate the SFT step's memory, then build, report and time the model; returns (and
    writes) the summary."""
    sft = config.sft
    estimate = estimate_train_step(model_config(config.model), mesh,
                                   optim.OptimizerConfig.from_section(sft),
                                   rows=int(sft.batch_size), length=int(config.data.max_length),
                                   accum_steps=int(sft.grad_accum_steps))
    if jax.process_index() == 0:  # before any weight is loaded: a config that cannot fit stops
        print(f"memory     estimated {estimate.summary()} (config.sft: {sft.batch_size} rows "
              f"of {config.data.max_length} tokens in {sft.grad_accum_steps} micro-batches)")
    started = time.perf_counter()
    model = build_model(ModelSource.from_section(config.model), mesh, seed=config.seed)
    load_s = time.perf_counter() - started
    cfg = model.config
    per_device = parameter_bytes_per_device(model)
    batch, length = config.inspect.batch_size, config.inspect.seq_len
    ids = np.random.default_rng(config.seed).integers(0, cfg.vocab_size, (batch, length))
    ids = hosts.put(ids.astype(np.int32), sharding.batch_sharding(mesh, 2))

    compile_start = time.perf_counter()
    loss, grad_norm = jax.block_until_ready(_loss_and_grad_norm(model, ids))
    compile_s = time.perf_counter() - compile_start
    if not (np.isfinite(loss) and np.isfinite(grad_norm)):
        raise FloatingPointError(f"non-finite loss {loss} or gradient norm {grad_norm}")
    step_times = []
    for _ in range(config.inspect.steps):
        t0 = time.perf_counter()
        jax.block_until_ready(_loss_and_grad_norm(model, ids))  # one at a time: see BUILD_NOTES
        step_times.append(time.perf_counter() - t0)
    step_s = float(np.median(step_times))
    tokens = batch * length
    summary = {
        "model": {"architecture": cfg.architecture, "parameters": cfg.num_params,
                  "layers": cfg.num_layers, "hidden_size": cfg.hidden_size,
                  "heads": cfg.num_heads, "kv_heads": cfg.num_kv_heads,
                  "vocab_size": cfg.vocab_size, "dtype": cfg.dtype,
                  "param_dtype": cfg.param_dtype, "preset": config.model.preset},
        "mesh": dict(mesh.shape),
        "processes": jax.process_count(),
        "devices": jax.device_count(),
        "platform": jax.devices()[0].platform,
        "param_bytes_per_device": {"max": max(per_device.values()),
                                   "min": min(per_device.values())},
        "sft_step_memory_estimate": dataclasses.asdict(estimate),
        "load_seconds": round(load_s, 3),
        "first_step_seconds_incl_compile": round(compile_s, 3),
        "step_seconds_median": round(step_s, 4),
        "train_tokens_per_second": round(tokens / step_s, 1),
        # 6 N flops per token for forward + backward (attention excluded): the usual estimate
        "model_tflops_per_second": round(6 * cfg.num_params * tokens / step_s / 1e12, 4),
        "initial_loss": float(loss),
        "uniform_loss": float(np.log(cfg.vocab_size)),
    }
    if jax.process_index() == 0:
        os.makedirs(workdir, exist_ok=True)
        with open(os.path.join(workdir, "inspect.json"), "w") as f:
            json.dump(summary, f, indent=2)
    logging.info("inspect summary:\n%s", json.dumps(summary, indent=2))
    _print_summary(summary, workdir)
    if config.inspect.export_dir:
        ws = Workspace.from_config(config, workdir)  # a checkpoint's tokenizer travels with it
        tokenizer = load_tokenizer(ws.tokenizer_dir) if ws.base_source == "checkpoint" else None
        save_hf_checkpoint(model, config.inspect.export_dir, tokenizer=tokenizer)
        if jax.process_index() == 0:
            print(f"Exported the model in Hugging Face format to {config.inspect.export_dir}")
    return summary


def _print_summary(summary: dict[str, Any], workdir: str) -> None:
    if jax.process_index() != 0:
        return
    m = summary["model"]
    mib = summary["param_bytes_per_device"]["max"] / 2**20
    print(f"model      {m['preset']} ({m['architecture']}), {m['parameters']:,} parameters, "
          f"{m['layers']} layers, width {m['hidden_size']}, {m['heads']} heads / "
          f"{m['kv_heads']} kv heads, {m['param_dtype']} params, {m['dtype']} compute")
    print(f"devices    {summary['devices']} x {summary['platform']} in "
          f"{summary['processes']} process(es); mesh {summary['mesh']}")
    print(f"memory     {mib:.2f} MiB of parameters on the fullest device")
    print(f"step       loss {summary['initial_loss']:.3f} (uniform {summary['uniform_loss']:.3f})"
          f", {summary['step_seconds_median'] * 1e3:.1f} ms per forward+backward, "
          f"{summary['train_tokens_per_second']:,.0f} tokens/s "
          f"(first step with compile {summary['first_step_seconds_incl_compile']:.1f} s)")
    print(f"wrote      {os.path.join(workdir, 'inspect.json')}")
    print("next       train: python launch/main.py --config=configs/<regime>.py "
          "(see README); export: add --config.inspect.export_dir=DIR")
