"""Compile time against depth, with the layers unrolled and scanned (`model.scan_layers`).

    python benchmarks/compile_time.py [--layers 4,24,48] [--rows 8] [--length 512]

For each depth, the SFT train step (`memory.lower_train_step`: AdamW, the checkpoint presets'
bfloat16 with full per-layer remat and logits in chunks of 256) is traced and compiled for
abstract arguments at Qwen2.5-Coder-0.5B's layer shapes, with nothing allocated; and so is one
decode step of the sampler's forward pass (one token per row against a KV cache of `length`
slots), which runs the layers unrolled either way. Prints a markdown table of seconds.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
from flax import nnx  # noqa: E402

from codecorr_jax import config as config_lib  # noqa: E402
from codecorr_jax.models.config import ModelConfig  # noqa: E402
from codecorr_jax.models.decoder import abstract_decoder, init_cache  # noqa: E402
from codecorr_jax.models.sharding import make_mesh  # noqa: E402
from codecorr_jax.study.report import machine  # noqa: E402
from codecorr_jax.train.memory import lower_train_step  # noqa: E402
from codecorr_jax.train.optim import OptimizerConfig  # noqa: E402

# Qwen2.5-Coder-0.5B's layer (benchmarks/preset_sizes.py), at the checkpoint presets' settings.
LAYER = ModelConfig(vocab_size=151936, hidden_size=896, intermediate_size=4864, num_layers=24,
                    num_heads=14, num_kv_heads=2, head_dim=64, architecture="qwen2",
                    qkv_bias=True, tie_word_embeddings=True, dtype="bfloat16",
                    param_dtype="bfloat16", remat="full", logits_chunk=256)
SFT = OptimizerConfig.from_section(config_lib.base_config("sft").sft)  # AdamW, its schedule


def _seconds(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def train_step_seconds(cfg: ModelConfig, mesh, rows: int, length: int) -> tuple[float, float]:
    """(trace + lower, compile) seconds of the SFT train step."""
    step, lower = _seconds(lambda: lower_train_step(cfg, mesh, SFT, rows=rows,
                                                    length=length).lowered)
    _, compile_ = _seconds(step.compile)
    return lower, compile_


def decode_step_seconds(cfg: ModelConfig, rows: int, slots: int) -> float:
    """Trace + lower + compile seconds of one decode step against a cache."""
    graphdef, state = nnx.split(abstract_decoder(cfg))
    cache = jax.eval_shape(lambda: init_cache(cfg, rows, slots))
    ids = jax.ShapeDtypeStruct((rows, 1), jnp.int32)

    def decode(state, ids, cache):
        return nnx.merge(graphdef, state)(ids, cache=cache).logits

    _, seconds = _seconds(lambda: jax.jit(decode).lower(state, ids, cache).compile())
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layers", default="4,24,48")
    parser.add_argument("--rows", type=int, default=8)
    parser.add_argument("--length", type=int, default=512)
    args = parser.parse_args()
    mesh = make_mesh(1, 1, 1, jax.devices()[:1])
    print(f"# compile time on {machine()} ({jax.default_backend()}); train step "
          f"{args.rows} x {args.length}, decode {args.rows} rows")
    print("| layers | layout | train: trace+lower s | train: compile s | decode step s |")
    print("|---|---|---|---|---|")
    for depth in (int(n) for n in args.layers.split(",")):
        for scan in (False, True):
            cfg = dataclasses.replace(LAYER, num_layers=depth, scan_layers=scan)
            lower, compile_ = train_step_seconds(cfg, mesh, args.rows, args.length)
            decode = decode_step_seconds(cfg, args.rows, args.length)
            print(f"| {depth} | {'scanned' if scan else 'unrolled'} | {lower:.1f} | "
                  f"{compile_:.1f} | {decode:.1f} |", flush=True)


if __name__ == "__main__":
    main()
