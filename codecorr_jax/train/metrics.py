"""Training metrics: JSON lines, TensorBoard scalars, a progress bar, and FLOPs / MFU.

One logger per run directory, written by one process only (process 0 by default), so a multi-host
job does not write N copies. `metrics.jsonl` is opened in append mode: a resumed run adds to the
lines of the run it continues (a reader keeps the last record of a step logged twice).
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
from collections.abc import Mapping
from typing import Any

import jax
import numpy as np
from tqdm import tqdm

from codecorr_jax.models.config import ModelConfig

JSONL_NAME = "metrics.jsonl"
TENSORBOARD_DIR = "tensorboard"
_RESERVED = ("step", "time")


def read_metrics(run_dir: str, key: str) -> list[dict[str, Any]]:
    """The records of `run_dir/metrics.jsonl` holding `key`, one per step in step order: the
    last record of a step wins (a killed run may have logged past its last checkpoint, and the
    resumed run logs that step again). [] when there is no such file."""
    path = os.path.join(run_dir, JSONL_NAME)
    if not os.path.isfile(path):
        return []
    by_step: dict[int, dict[str, Any]] = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            if key in record:
                by_step[int(record["step"])] = record
    return [by_step[k] for k in sorted(by_step)]


def _scalar(name: str, value: Any) -> int | float:
    """A Python int or float from a Python / numpy / jax scalar; names the bad metric."""
    arr = np.asarray(value)
    if arr.size != 1:
        raise ValueError(f"metric {name!r} must be a scalar, got shape {arr.shape}")
    item = arr.reshape(()).item()
    if isinstance(item, (bool, int)):
        return int(item)
    if isinstance(item, float):
        return item
    raise TypeError(f"metric {name!r} must be a real number, got {type(value).__name__}")


class MetricsLogger:
    """Logs scalars to `workdir/metrics.jsonl` and `workdir/tensorboard`, and drives a tqdm bar.

    `enabled` defaults to `jax.process_index() == 0`; a disabled logger creates no file and
    prints nothing, so every process can call it unconditionally.
    """

    def __init__(self, workdir: str, *, total_steps: int, tensorboard: bool = True,
                 jsonl: bool = True, progress_bar: bool = True, desc: str = "train",
                 initial_step: int = 0, enabled: bool | None = None) -> None:
        self.workdir = workdir
        self.enabled = jax.process_index() == 0 if enabled is None else bool(enabled)
        self._jsonl = None
        self._tb = None
        self._bar = None
        if not self.enabled:
            return
        os.makedirs(workdir, exist_ok=True)
        if jsonl:
            self._jsonl = open(os.path.join(workdir, JSONL_NAME), "a", encoding="utf-8")
        if tensorboard:
            from tensorboardX import SummaryWriter  # only the writing process needs it

            # A resumed run hides the events a killed run logged after its checkpoint.
            purge = initial_step + 1 if initial_step > 0 else None
            self._tb = SummaryWriter(logdir=os.path.join(workdir, TENSORBOARD_DIR),
                                     purge_step=purge, flush_secs=30)
        if progress_bar:
            self._bar = tqdm(total=total_steps, initial=initial_step, desc=desc,
                             dynamic_ncols=True, mininterval=0.5, file=sys.stderr)

    def log(self, step: int, metrics: Mapping[str, Any]) -> None:
        """Record `metrics` at `step`; keys are tags as given ("train/loss", "eval/x/pass@1").

        Non-finite values go to TensorBoard as they are and to JSON as null (JSON has no NaN).
        """
        if not self.enabled:
            return
        values = {}
        for name, value in metrics.items():
            if not isinstance(name, str) or name in _RESERVED:
                raise ValueError(f"metric name {name!r} is not allowed "
                                 f"(must be a str other than {_RESERVED})")
            values[name] = _scalar(name, value)
        if self._jsonl is not None:
            record: dict[str, Any] = {"step": int(step), "time": time.time()}
            record.update({k: v if math.isfinite(v) else None for k, v in values.items()})
            self._jsonl.write(json.dumps(record, allow_nan=False) + "\n")
            self._jsonl.flush()
        if self._tb is not None and values:
            # One Summary proto per call, tags verbatim: SummaryWriter.add_scalar would rewrite
            # characters such as "@" ("pass@1" -> "pass_1").
            from tensorboardX.proto.summary_pb2 import Summary

            summary = Summary(value=[Summary.Value(tag=k, simple_value=float(v))
                                     for k, v in values.items()])
            self._tb.file_writer.add_summary(summary, global_step=int(step))

    def progress(self, step: int, **postfix: float) -> None:
        """Move the bar to `step` (absolute) and show `postfix`, e.g. loss=.., tok_s=.."""
        if self._bar is None:
            return
        self._bar.set_postfix({k: f"{float(v):.4g}" for k, v in postfix.items()}, refresh=False)
        if step != self._bar.n:
            self._bar.update(step - self._bar.n)

    def write(self, message: str) -> None:
        """Print a line above the bar without breaking it (nothing on a disabled logger)."""
        if not self.enabled:
            return
        if self._bar is not None:
            tqdm.write(message)
        else:
            print(message, flush=True)

    def close(self) -> None:
        """Flush and close everything; safe to call twice."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        if self._tb is not None:
            self._tb.flush()
            self._tb.close()
            self._tb = None
        if self._jsonl is not None:
            self._jsonl.close()
            self._jsonl = None

    def __enter__(self) -> MetricsLogger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def matmul_params(cfg: ModelConfig) -> int:
    """Parameters that enter a matmul once per token: all layer weights and the output head.

    The input embedding is a gather, not a matmul, so it is left out; the output projection is
    counted even when tied to it (the matmul happens either way). Norm scales and biases are
    left out (no matmul). This is `cfg.num_params` minus exactly those.
    """
    h, d = cfg.hidden_size, cfg.head_dim
    attention = h * d * (2 * cfg.num_heads + 2 * cfg.num_kv_heads)  # q, o and k, v
    mlp = 3 * h * cfg.intermediate_size  # gate, up, down
    head = cfg.vocab_size * h + (h if cfg.value_head else 0)
    return cfg.num_layers * (attention + mlp) + head


def train_flops_per_token(model_cfg: ModelConfig, seq_len: int) -> float:
    """Model FLOPs of one training token (forward + backward), as in PaLM's appendix B.

    6 N + 12 L H Q T (Chowdhery et al. 2022, "PaLM", appendix B "Model FLOPs utilization"):
    N matmul parameters (`matmul_params`), each costing 2 FLOPs forward and 4 backward; the
    attention scores and the weighted sum cost 2 * 2 * H * Q * T forward per layer and token
    (L layers, H query heads of size Q, sequence length T), times 3 with the backward pass.
    Like PaLM we count the full T x T attention, not the causal half, and no rematerialisation.
    """
    if seq_len < 1:
        raise ValueError(f"seq_len={seq_len} must be >= 1")
    c = model_cfg
    attention = 12 * c.num_layers * c.num_heads * c.head_dim * seq_len
    return float(6 * matmul_params(c) + attention)


# Dense (no sparsity) peak matmul FLOP/s per JAX device, from the vendors' datasheets.
# NVIDIA: (bfloat16/float16 tensor core, TF32 tensor core); matched on substrings of
# device_kind ("NVIDIA H100 80GB HBM3", "NVIDIA A100-SXM4-40GB"), first match wins.
_NVIDIA = (
    (("gh200",), 989.5e12, 494.5e12),
    (("h200", "nvl"), 835.5e12, 417.5e12),
    (("h200",), 989.5e12, 494.5e12),
    (("h100", "pcie"), 756.5e12, 378.0e12),
    (("h100", "nvl"), 835.5e12, 417.5e12),
    (("h100",), 989.5e12, 494.5e12),  # SXM
    (("a100",), 312.0e12, 156.0e12),
)
# TPU: bfloat16 per chip (one JAX device), matched on the exact device_kind.
_TPU = {
    "tpu v4": 275e12,
    "tpu v5 lite": 197e12,  # v5e
    "tpu v5e": 197e12,
    "tpu v5": 459e12,  # v5p
    "tpu v5p": 459e12,
    "tpu v6 lite": 918e12,  # v6e, Trillium
    "tpu v6e": 918e12,
}


def peak_flops_per_device(device: jax.Device, dtype: str) -> float | None:
    """Peak dense matmul FLOP/s of `device` for `dtype` at JAX's default matmul precision.

    bfloat16 / float16: the bf16 tensor-core (MXU) peak. float32: TF32 on NVIDIA (JAX's default
    precision there), the bf16 peak on TPU (its default precision is one bf16 pass). None for
    CPUs, unknown device kinds and other dtypes, so that MFU is simply not reported.
    """
    kind = str(getattr(device, "device_kind", "")).strip().lower()
    if dtype not in ("bfloat16", "float16", "float32"):
        return None
    if kind in _TPU:
        return _TPU[kind]
    for needles, bf16, tf32 in _NVIDIA:
        if all(n in kind for n in needles):
            return tf32 if dtype == "float32" else bf16
    return None


def mfu(tokens_per_s: float, flops_per_token: float, num_devices: int,
        peak: float | None) -> float | None:
    """Model FLOPs utilisation: achieved model FLOP/s over the devices' summed peak (or None)."""
    if peak is None or peak <= 0:
        return None
    if num_devices < 1:
        raise ValueError(f"num_devices={num_devices} must be >= 1")
    return tokens_per_s * flops_per_token / (num_devices * peak)
