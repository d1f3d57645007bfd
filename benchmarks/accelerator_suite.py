"""The accelerator checks of real model sizes, as one script that fits a 10-minute device slot.

With random weights of real shapes (nothing to download), on every device of the machine as one
FSDP mesh:
1. the SFT train step (forward, backward, AdamW) in bfloat16: tokens/s and MFU;
2. the KV-cache sampler's greedy decode at several batch sizes: new tokens/s and the share of the
   device's memory bandwidth reached (each step reads every weight and the whole cache);
3. one PPO iteration (GRPO, 64 prompts x 8 samples, rewards from a stand-in scorer): its time
   split into generation, scoring and update.

    python benchmarks/accelerator_suite.py --preset gpu --out accel.json   # 0.5B and 1.5B shapes
    python benchmarks/accelerator_suite.py --preset cpu                    # toy shapes (CI)

Prints markdown tables (BENCHMARKS.md takes them as they are) and writes every figure to --out.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import tempfile
import time
from typing import Any

import jax
import numpy as np

from codecorr_jax import config as config_lib
from codecorr_jax.models import sharding
from codecorr_jax.models.config import ModelConfig
from codecorr_jax.models.decoder import create_sharded
from codecorr_jax.sampling import Sampler, SamplingConfig
from codecorr_jax.train import lm_step, optim
from codecorr_jax.train.metrics import mfu, peak_flops_per_device, train_flops_per_token
from codecorr_jax.train.loop import CheckpointConfig, LoggingConfig
from codecorr_jax.train.ppo_config import PPOConfig
from codecorr_jax.train.ppo_trainer import PromptItem, RewardBatch, train_ppo

# Qwen2.5-Coder shapes (config.json of the released checkpoints) and a toy one for CPUs.
SHAPES = {
    "toy": ModelConfig(vocab_size=512, hidden_size=64, intermediate_size=192, num_layers=2,
                       num_heads=4, num_kv_heads=2, head_dim=16, architecture="qwen2",
                       qkv_bias=True, tie_word_embeddings=True),
    "0.5b": ModelConfig(vocab_size=151936, hidden_size=896, intermediate_size=4864,
                        num_layers=24, num_heads=14, num_kv_heads=2, head_dim=64,
                        architecture="qwen2", qkv_bias=True, tie_word_embeddings=True,
                        max_position_embeddings=32768),
    "1.5b": ModelConfig(vocab_size=151936, hidden_size=1536, intermediate_size=8960,
                        num_layers=28, num_heads=12, num_kv_heads=2, head_dim=128,
                        architecture="qwen2", qkv_bias=True, tie_word_embeddings=True,
                        max_position_embeddings=32768),
}
# Per preset: model shapes and dtype, SFT rows x length, decode batches, PPO sizes.
PRESETS = {
    "gpu": dict(shapes=("0.5b", "1.5b"), dtype="bfloat16", remat="full", scan=True,
                sft=(8, 2048), decode=(1, 16, 64), prompt=256, new_tokens=256, ppo=(64, 8, 512)),
    "cpu": dict(shapes=("toy",), dtype="float32", remat="none", scan=True, sft=(8, 128),
                decode=(1, 8), prompt=16, new_tokens=16, ppo=(8, 4, 16)),
}
# HBM bandwidth in GB/s by device kind (first match wins); None: not reported (CPUs).
PEAK_GBS = ((("h200",), 4800.0), (("h100", "pcie"), 2000.0), (("h100",), 3350.0),
            (("a100", "80gb"), 2039.0), (("a100",), 1555.0), (("tpu v5 lite",), 819.0),
            (("tpu v5e",), 819.0), (("tpu v5p",), 2765.0), (("tpu v5",), 2765.0),
            (("tpu v4",), 1200.0), (("tpu v6",), 1640.0))


def peak_bandwidth(device: Any) -> float | None:
    kind = str(getattr(device, "device_kind", "")).lower()
    return next((gbs for needles, gbs in PEAK_GBS if all(n in kind for n in needles)), None)


def _model(shape: str, preset: dict, mesh: jax.sharding.Mesh, scan: bool | None = None) -> Any:
    cfg = dataclasses.replace(SHAPES[shape], dtype=preset["dtype"],
                              param_dtype=preset["dtype"], remat=preset["remat"],
                              scan_layers=preset["scan"] if scan is None else scan,
                              logits_chunk=256 if preset["dtype"] == "bfloat16" else 0)
    return create_sharded(cfg, mesh, seed=0)


def _timed(fn: Any, repeats: int) -> tuple[float, float]:
    """(first call with compilation, median of the next `repeats`) in seconds."""
    start = time.perf_counter()
    jax.block_until_ready(fn())
    first = time.perf_counter() - start
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        jax.block_until_ready(fn())
        times.append(time.perf_counter() - start)
    return first, statistics.median(times)


def sft_step(model: Any, mesh: jax.sharding.Mesh, rows: int, length: int,
             repeats: int) -> dict[str, Any]:
    from flax import nnx

    cfg = model.config
    graphdef, params, rest = nnx.split(model, nnx.Param, ...)
    params = nnx.to_pure_dict(params)
    tx = optim.make_optimizer(optim.OptimizerConfig.from_section(config_lib.base_config("sft").sft))
    state = {"params": params, "opt": optim.init_on_mesh(tx, params, mesh)}
    step = lm_step.make_train_step(graphdef, rest, tx)
    batch = lm_step.split_micro_batches(lm_step.random_batch(cfg.vocab_size, rows, length), 1)
    batch = jax.device_put(batch, jax.sharding.NamedSharding(
        mesh, sharding.logical_to_spec((None, "batch", None))))

    def run() -> Any:
        state["params"], state["opt"], metrics = step(state["params"], state["opt"], batch)
        return metrics["loss"]

    first, median = _timed(run, repeats)
    tokens_s = rows * length / median
    flops = train_flops_per_token(cfg, length)
    util = mfu(tokens_s, flops, jax.device_count(), peak_flops_per_device(jax.devices()[0],
                                                                         cfg.dtype))
    return {"rows": rows, "length": length, "compile_s": round(first - median, 2),
            "step_s": round(median, 4), "tokens_per_s": round(tokens_s, 1),
            "mfu": None if util is None else round(util, 4)}


def decode(model: Any, mesh: jax.sharding.Mesh, batch: int, prompt: int, new_tokens: int,
           repeats: int) -> dict[str, Any]:
    cfg = model.config
    prompts = np.random.default_rng(1).integers(1, cfg.vocab_size, (batch, prompt)).tolist()
    sampler = Sampler(model, mesh)
    sampling = SamplingConfig(max_new_tokens=new_tokens, temperature=0.0,
                              prompt_buckets=(prompt,))
    first, median = _timed(lambda: sampler.generate(prompts, sampling).tokens, repeats)
    item = jax.numpy.dtype(cfg.param_dtype).itemsize
    cache = 2 * cfg.num_layers * batch * cfg.num_kv_heads * (prompt + new_tokens) \
        * cfg.head_dim * item
    per_step = cfg.num_params * item + cache
    achieved = per_step * new_tokens / median / 1e9  # prefill counted in: a lower bound
    peak = peak_bandwidth(jax.devices()[0])
    return {"batch": batch, "layers": "scanned" if cfg.scan_layers else "unrolled",
            "new_tokens_per_s": round(batch * new_tokens / median, 1),
            "seconds": round(median, 4), "gb_per_s": round(achieved, 1),
            "hbm_share": None if peak is None else round(achieved / (peak * jax.device_count()),
                                                         4)}


class _LengthRewarder:
    """A stand-in scorer (no executor): reward = share of even tokens; passed above 0.5."""

    class _Done:
        def __init__(self, batch: RewardBatch):
            self.batch = batch

        def result(self) -> RewardBatch:
            return self.batch

    def submit(self, payloads: Any, responses: Any) -> Any:
        scores = np.array([np.mean(np.asarray(r) % 2 == 0) if len(r) else 0.0
                           for r in responses], np.float32)
        return self._Done(RewardBatch(scores, scores > 0.5))


def ppo_iteration(model: Any, mesh: jax.sharding.Mesh, prompts: int, samples: int,
                  new_tokens: int) -> dict[str, Any]:
    cfg = model.config
    settings = config_lib.sibling_config(__file__.replace("benchmarks", "configs"), "rl",
                                         "tiny")
    section = settings.rl
    section.update(dict(estimator="grpo", num_iterations=2, prompts_per_iteration=prompts,
                        samples_per_prompt=samples, minibatch_size=prompts * samples // 4,
                        max_new_tokens=new_tokens, temperature=1.0, filter_groups=False,
                        max_sampling_rounds=1, old_logprobs="recompute", learning_rate=1e-6))
    rng = np.random.default_rng(2)
    items = [PromptItem(tuple(int(t) for t in rng.integers(1, cfg.vocab_size, 64)), None)
             for _ in range(prompts)]
    with tempfile.TemporaryDirectory() as run_dir:
        result = train_ppo(model, None, None, items, _LengthRewarder(),
                           PPOConfig.from_section(section), run_dir=run_dir, mesh=mesh,
                           eos_token_id=None, pad_token_id=0,
                           checkpoint=CheckpointConfig(every_steps=10**9, max_to_keep=1,
                                                       async_save=False),
                           logging=LoggingConfig(progress_bar=False), seed=0)
    last = result.history[-1]  # the second iteration: compiled already
    keys = ("seconds_generation", "seconds_execution", "seconds_scoring", "seconds_update",
            "seconds_iteration", "samples_per_second")
    return {"prompts": prompts, "samples": samples, "new_tokens": new_tokens,
            **{k: round(float(last[f"rl/{k}"]), 3) for k in keys}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", choices=sorted(PRESETS), default="gpu")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", default="")
    args = parser.parse_args()
    preset = PRESETS[args.preset]
    mesh = sharding.make_mesh(1, -1, 1)
    print(f"devices: {jax.device_count()} x {jax.devices()[0].device_kind}; "
          f"mesh {dict(mesh.shape)}")
    results: dict[str, Any] = {"devices": jax.device_count(),
                               "device_kind": jax.devices()[0].device_kind,
                               "preset": args.preset, "models": {}}
    for shape in preset["shapes"]:
        rows, length = preset["sft"]
        # each part takes a fresh model: the train step donates (consumes) its parameters
        model = _model(shape, preset, mesh)
        out = {"parameters": model.config.num_params,
               "decode": [decode(model, mesh, b, preset["prompt"], preset["new_tokens"],
                                 args.repeats) for b in preset["decode"]]}
        # Decoding reads stacked layers' weights through slices: the other layout at the
        # largest batch says whether the compiler copies them (BUILD_NOTES, "One GPU").
        out["decode"].append(decode(_model(shape, preset, mesh, scan=not preset["scan"]), mesh,
                                    preset["decode"][-1], preset["prompt"],
                                    preset["new_tokens"], args.repeats))
        out["sft"] = sft_step(model, mesh, rows, length, args.repeats)
        prompts, samples, new_tokens = preset["ppo"]
        out["ppo"] = ppo_iteration(_model(shape, preset, mesh), mesh, prompts, samples,
                                   new_tokens)
        results["models"][shape] = out
        sft = out["sft"]
        print(f"\n### {shape} ({out['parameters'] / 1e6:,.2f}M parameters, {preset['dtype']})")
        print("| SFT step | rows x length | step s | tokens/s | MFU | compile s |\n"
              "|---|---|---|---|---|---|")
        print(f"| | {sft['rows']} x {sft['length']} | {sft['step_s']} | {sft['tokens_per_s']:,} "
              f"| {sft['mfu'] if sft['mfu'] is not None else 'n/a'} | {sft['compile_s']} |")
        print("| decode batch | layers | new tokens/s | GB/s | HBM share |\n|---|---|---|---|---|")
        for d in out["decode"]:
            print(f"| {d['batch']} | {d['layers']} | {d['new_tokens_per_s']:,} | {d['gb_per_s']} | "
                  f"{d['hbm_share'] if d['hbm_share'] is not None else 'n/a'} |")
        p = out["ppo"]
        print("| PPO iteration | generation s | scoring s | update s | total s | samples/s |"
              "\n|---|---|---|---|---|---|")
        print(f"| {p['prompts']} x {p['samples']}, {p['new_tokens']} tokens | "
              f"{p['seconds_generation']} | {p['seconds_scoring']} | {p['seconds_update']} | "
              f"{p['seconds_iteration']} | {p['samples_per_second']} |")
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
