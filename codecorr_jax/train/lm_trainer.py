"""The language-model training loop shared by pretraining and SFT.

Host-side only: it feeds batches from a resumable grain iterator to the jitted step
(`lm_step.py`), logs, checkpoints and calls an evaluation hook. A run directory holds
`checkpoints/`, `metrics.jsonl` and `tensorboard/`; starting a run whose directory already holds
a checkpoint resumes it exactly (model, optimizer, data iterator, RNG), so a killed job is
simply started again with the same command.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any, Callable, Iterator

import jax
import numpy as np
from flax import nnx

from codecorr_jax import faults, hosts
from codecorr_jax.models import sharding
from codecorr_jax.models.decoder import Decoder, trainable
from codecorr_jax.train import lm_step, optim
from codecorr_jax.train.loop import CheckpointConfig, LoggingConfig, TrainingLoop
from codecorr_jax.train.metrics import mfu, peak_flops_per_device, train_flops_per_token

# Called with (model, step, rng key); returns scalars to log (e.g. eval/<suite>/pass@1).
EvalHook = Callable[[Decoder, int, jax.Array], dict[str, float]]


@dataclasses.dataclass
class TrainResult:
    model: Decoder
    steps: int  # optimizer steps taken over the whole run, resumed parts included
    skipped_steps: int  # steps dropped because their loss or gradient was not finite
    resumed_from: int | None  # the checkpoint step this process started from, if any
    last_metrics: dict[str, float]


def _micro_batch_sharding(mesh: jax.sharding.Mesh) -> jax.sharding.NamedSharding:
    """(accum, batch, length) inputs: the batch axis split like any batch, accum replicated."""
    spec = sharding.batch_sharding(mesh, 2).spec
    return jax.sharding.NamedSharding(mesh, jax.sharding.PartitionSpec(None, *spec))


def _fresh_window() -> dict[str, float]:
    """The sums behind the next logged step's loss and throughput (checkpointed with a step)."""
    return {"tokens": 0.0, "seconds": 0.0, "loss": 0.0, "steps": 0}


def train_lm(model: Decoder, batches: Any, section: Any, *, run_dir: str, mesh: jax.sharding.Mesh,
             checkpoint: CheckpointConfig, logging: LoggingConfig, seed: int,
             num_steps: int, desc: str,
             eval_hook: EvalHook | None = None, eval_every: int = 0) -> TrainResult:
    """Train `model` on `batches` (a grain IterDataset of packed batches) for `num_steps`.

    `model` is consumed: on a resume its trainable parameters are freed before the checkpoint
    is read (`TrainResult.model` is the trained model); use it no more after the call.

    `section` holds the optimizer fields (config.pretrain or config.sft). The data iterator's
    state is JSON (data/packing.py), stored as is in the checkpoint's metadata.
    """
    settings = optim.OptimizerConfig.from_section(section)
    tx = optim.make_optimizer(settings)
    schedule = optim.learning_rate_schedule(settings)
    graphdef, params, rest = nnx.split(model, trainable(model.config), ...)
    params = nnx.to_pure_dict(params)
    opt_state = optim.init_on_mesh(tx, params, mesh)
    iterator: Iterator[dict[str, np.ndarray]] = iter(batches)
    rng = hosts.replicated(jax.random.key_data(jax.random.key(seed)), mesh)
    skipped, start = 0, 0
    window = _fresh_window()
    loop = TrainingLoop(run_dir, total=num_steps, desc=desc, save_every=checkpoint.every_steps,
                        checkpoint=checkpoint, logging=logging)
    if loop.has_checkpoint():
        # Restore into shapes. The fresh optimizer state is let go and the built parameters'
        # buffers freed first, so the host never holds them beside the restored ones
        # (BENCHMARKS.md, restore memory); `model` is consumed: its trained self is returned.
        target = loop.shapes_of({"params": params, "opt_state": opt_state, "rng": rng})
        opt_state = None
        for array in jax.tree.leaves(params):
            array.delete()
        state, meta = loop.restore(target)
        params, opt_state, rng = state["params"], state["opt_state"], state["rng"]
        iterator.set_state(meta["data"])
        start, skipped = int(meta["step"]), int(meta["skipped_steps"])
        # the logging window so far: a checkpoint between two logged steps resumes it, so the
        # next logged loss is over the same steps as in a run never stopped
        window = meta.get("window", window)

    step_fn = lm_step.make_train_step(graphdef, rest, tx)
    in_sharding = _micro_batch_sharding(mesh)
    accum = int(section.grad_accum_steps)
    flops_per_token = None
    peak = peak_flops_per_device(jax.devices()[0], model.config.dtype)
    metrics: dict[str, float] = {}

    with loop.running(start) as logger:
        for step in range(start, num_steps):
            started = time.perf_counter()
            batch = next(iterator)
            seq_len = batch["input_ids"].shape[1]
            if flops_per_token is None:
                flops_per_token = train_flops_per_token(model.config, seq_len)
            micro = hosts.put_tree(lm_step.split_micro_batches(batch, accum), in_sharding)
            params, opt_state, out = step_fn(params, opt_state, micro)
            faults.kill_point("lm/step")
            # Fetching the metrics waits for the step: on a multi-device CPU, queuing several
            # steps with collectives deadlocks (BUILD_NOTES), and the numbers are needed anyway.
            out = hosts.fetch_tree(out)
            elapsed = time.perf_counter() - started
            skipped += int(out["skipped"])
            loop.note_update(step + 1, dropped=bool(out["skipped"]),
                             source="loss" if out["skipped_loss"] else "gradient")
            real_tokens = float(np.count_nonzero(batch["segment_ids"]))
            window["tokens"] += real_tokens
            window["seconds"] += elapsed
            window["loss"] += float(out["loss"]) if not out["skipped"] else 0.0
            window["steps"] += 0 if out["skipped"] else 1
            done = step + 1
            tokens_per_s = window["tokens"] / max(window["seconds"], 1e-9)
            logger.progress(done, loss=float(out["loss"]), tok_s=tokens_per_s)
            if done % logging.every_steps == 0 or done == num_steps:
                metrics = {
                    f"{desc}/loss": window["loss"] / max(window["steps"], 1),
                    f"{desc}/learning_rate": float(schedule(done - 1 - skipped)),
                    f"{desc}/grad_norm": float(out["grad_norm"]),
                    f"{desc}/tokens_per_s": tokens_per_s,
                    f"{desc}/loss_tokens": float(out["tokens"]),
                    f"{desc}/skipped_steps": skipped,
                }
                utilisation = mfu(tokens_per_s, flops_per_token, jax.device_count(), peak)
                if utilisation is not None:
                    metrics[f"{desc}/mfu"] = utilisation
                logger.log(done, metrics)
                window = _fresh_window()
            if eval_hook is not None and loop.eval_due(done, eval_every):
                rng, key = jax.random.split(jax.random.wrap_key_data(rng))
                rng = jax.random.key_data(rng)
                logger.log(done, eval_hook(nnx.merge(graphdef, params, rest), done, key))
            loop.save(done, {"params": params, "opt_state": opt_state, "rng": rng},
                      {"step": done, "skipped_steps": skipped, "data": iterator.get_state(),
                       "window": dict(window)})
    final = nnx.merge(graphdef, params, rest)
    return TrainResult(final, max(num_steps, start), skipped, loop.resumed_from, metrics)
