"""Training throughput of the jitted LM step (SFT and pretraining), tokens per second.

Times `lm_step.make_train_step` (forward, backward, AdamW update) on random packed rows for the
tiny model and smaller widths, at several row lengths, and reports the best of `--repeats`
steps after a warm-up (compile excluded), with FLOPs per token (PaLM's 6N + attention) and, on
an accelerator, MFU.

    python benchmarks/train_throughput.py                     # the table in BENCHMARKS.md
    python benchmarks/train_throughput.py --widths 256 --lengths 512,1024 --rows 8
    python benchmarks/train_throughput.py --widths 128 --lengths 768 --rows 8 --query-blocks 0,128
    python benchmarks/train_throughput.py --widths 128 --lengths 768 --rows 8,4,2,1
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import jax
from flax import nnx

from codecorr_jax import config as config_lib
from codecorr_jax.models.config import model_config
from codecorr_jax.models.decoder import Decoder
from codecorr_jax.train import lm_step, optim
from codecorr_jax.train.metrics import mfu, peak_flops_per_device, train_flops_per_token


def measure(width: int, rows: int, length: int, repeats: int,
            query_block: int) -> tuple[int, float, float]:
    """(parameters, tokens/s, FLOPs per token) of the tiny model at hidden size `width`."""
    section = config_lib.tiny_model()
    section.attention_query_block = query_block
    section.hidden_size = width
    section.intermediate_size = 3 * width
    section.head_dim = width // section.num_heads
    cfg = model_config(section)
    graphdef, params, rest = nnx.split(Decoder(cfg, rngs=nnx.Rngs(0)), nnx.Param, ...)
    params = nnx.to_pure_dict(params)
    tx = optim.make_optimizer(optim.OptimizerConfig.from_section(config_lib.base_config("sft").sft))
    opt_state = tx.init(params)
    step = lm_step.make_train_step(graphdef, rest, tx)
    batch = lm_step.split_micro_batches(lm_step.random_batch(cfg.vocab_size, rows, length), 1)
    params, opt_state, out = jax.block_until_ready(step(params, opt_state, batch))  # compile
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        params, opt_state, out = jax.block_until_ready(step(params, opt_state, batch))
        times.append(time.perf_counter() - start)
    return cfg.num_params, rows * length / min(times), train_flops_per_token(cfg, length)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--widths", default="256,192,128", help="hidden sizes")
    parser.add_argument("--lengths", default="256,512,768,1024", help="tokens per row")
    parser.add_argument("--tokens", type=int, default=8192, help="tokens per step")
    parser.add_argument("--rows", default="0",
                        help="rows per step, comma-separated (overrides --tokens; 0 = use it)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--query-blocks",
                        default=str(config_lib.tiny_model().attention_query_block),
                        help="model.attention_query_block values, comma-separated (0 = dense)")
    args = parser.parse_args()
    device = jax.devices()[0]
    peak = peak_flops_per_device(device, "float32")
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, {device.device_kind}, "
          f"jax {jax.__version__}")
    print("| hidden | parameters | row length | rows | query block | tokens/s | GFLOP/s | MFU |")
    print("|---|---|---|---|---|---|---|---|")
    for width in map(int, args.widths.split(",")):
        for length in map(int, args.lengths.split(",")):
            for block in map(int, args.query_blocks.split(",")):
                for rows in map(int, args.rows.split(",")):
                    rows = rows or max(1, args.tokens // length)
                    params, tokens_per_s, flops = measure(width, rows, length, args.repeats,
                                                          block)
                    util = mfu(tokens_per_s, flops, 1, peak)
                    shown = "n/a" if util is None else f"{util:.1%}"
                    print(f"| {width} | {params:,} | {length} | {rows} | {block or 'dense'} | "
                          f"{tokens_per_s:,.0f} | {tokens_per_s * flops / 1e9:.1f} | {shown} |",
                          flush=True)


if __name__ == "__main__":
    main()
