"""Decode throughput: our jitted KV-cache sampler vs transformers' PyTorch `generate`.

Same weights (our model exported to Hugging Face format and loaded by transformers), same batch,
prompt length and number of new tokens, greedy decoding with a KV cache on both sides, no early
stop, in one process on the same CPU threads. Also checks both produce the same tokens.

    python benchmarks/sampler_vs_transformers.py                    # the built-in tiny model
    python benchmarks/sampler_vs_transformers.py --hidden 512 --layers 8 --heads 8 --kv-heads 4

On a GPU (JAX and PyTorch both on it), a Qwen2.5-0.5B-shaped model in bfloat16:

    python benchmarks/sampler_vs_transformers.py --torch-device cuda --dtype bfloat16 \
        --hidden 896 --layers 24 --heads 14 --kv-heads 2 --intermediate 4864 --vocab 151936 \
        --batch 64 --new-tokens 256 --peak-gbs 3350

Needs torch (`pip install torch==2.13.0`, the CPU build). Prints a markdown table row per side,
and with `--peak-gbs` (the device's memory bandwidth) the share of it our decode reaches: each
new token reads every weight once per step and the whole preallocated KV cache.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--prompt-len", type=int, default=64)
    parser.add_argument("--new-tokens", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--hidden", type=int, default=0, help="0: the tiny preset's sizes")
    parser.add_argument("--layers", type=int, default=0)
    parser.add_argument("--heads", type=int, default=0)
    parser.add_argument("--kv-heads", type=int, default=0)
    parser.add_argument("--intermediate", type=int, default=0, help="0: 3 x hidden")
    parser.add_argument("--vocab", type=int, default=0, help="0: the tiny preset's")
    parser.add_argument("--dtype", default="float32", choices=("float32", "bfloat16"))
    parser.add_argument("--torch-device", default="cpu", help="cpu | cuda")
    parser.add_argument("--peak-gbs", type=float, default=0.0,
                        help="device memory bandwidth in GB/s (0: no bandwidth figure)")
    args = parser.parse_args()

    import jax
    import numpy as np
    import torch
    import transformers
    from flax import nnx

    from codecorr_jax.config import tiny_model
    from codecorr_jax.models import Decoder
    from codecorr_jax.models.config import model_config
    from codecorr_jax.models.hf_checkpoint import save_hf_checkpoint
    from codecorr_jax.sampling import Sampler, SamplingConfig

    torch.set_num_threads(args.threads)
    cfg = model_config(tiny_model())
    if args.hidden:
        heads = args.heads or cfg.num_heads
        cfg = dataclasses.replace(cfg, hidden_size=args.hidden,
                                  intermediate_size=args.intermediate or 3 * args.hidden,
                                  num_layers=args.layers or cfg.num_layers, num_heads=heads,
                                  num_kv_heads=args.kv_heads or heads,
                                  head_dim=args.hidden // heads)
    cfg = dataclasses.replace(cfg, vocab_size=args.vocab or cfg.vocab_size, dtype=args.dtype,
                              param_dtype=args.dtype)
    model = Decoder(cfg, rngs=nnx.Rngs(0))
    rng = np.random.default_rng(0)
    prompts = rng.integers(1, cfg.vocab_size, (args.batch, args.prompt_len)).astype(np.int32)
    tokens = args.batch * args.new_tokens

    sampler = Sampler(model)
    config = SamplingConfig(max_new_tokens=args.new_tokens, temperature=0.0,
                            prompt_buckets=(args.prompt_len,))
    ours_out = sampler.generate(prompts.tolist(), config)  # compile
    ours = []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        ours_out = sampler.generate(prompts.tolist(), config)
        ours.append(time.perf_counter() - t0)

    with tempfile.TemporaryDirectory() as tmp:
        save_hf_checkpoint(model, os.path.join(tmp, "hf"))
        hf = transformers.AutoModelForCausalLM.from_pretrained(
            os.path.join(tmp, "hf"), dtype=getattr(torch, args.dtype)).eval()
    hf = hf.to(args.torch_device)
    hf.generation_config.eos_token_id = None
    hf.generation_config.pad_token_id = 0
    ids = torch.tensor(prompts, dtype=torch.long, device=args.torch_device)
    kwargs = dict(max_new_tokens=args.new_tokens, min_new_tokens=args.new_tokens,
                  do_sample=False, use_cache=True, attention_mask=torch.ones_like(ids))
    with torch.inference_mode():
        hf_out = hf.generate(ids, **kwargs)  # warm-up
        theirs = []
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            hf_out = hf.generate(ids, **kwargs)
            if args.torch_device != "cpu":
                torch.cuda.synchronize()
            theirs.append(time.perf_counter() - t0)
    hf_tokens = hf_out[:, args.prompt_len:].cpu().numpy()
    agree = float((hf_tokens == ours_out.tokens).mean())

    ours_s, theirs_s = statistics.median(ours), statistics.median(theirs)
    print(f"model: {cfg.num_params:,} params (hidden {cfg.hidden_size}, {cfg.num_layers} layers, "
          f"{cfg.num_heads}/{cfg.num_kv_heads} heads); batch {args.batch}, prompt "
          f"{args.prompt_len}, {args.new_tokens} new tokens, greedy, {args.threads} threads, "
          f"jax {jax.__version__} on {jax.devices()[0].platform}, torch {torch.__version__}")
    print("| sampler | seconds (median) | new tokens/s |")
    print("|---|---|---|")
    print(f"| codecorr_jax (jit, while_loop, KV cache) | {ours_s:.3f} | {tokens / ours_s:,.0f} |")
    print(f"| transformers generate (PyTorch, KV cache) | {theirs_s:.3f} | "
          f"{tokens / theirs_s:,.0f} |")
    print(f"speed-up: {theirs_s / ours_s:.2f}x; greedy tokens identical: {agree:.1%}")
    if args.peak_gbs:
        item = 2 if args.dtype == "bfloat16" else 4
        slots = args.prompt_len + args.new_tokens  # the preallocated cache, read every step
        cache = 2 * cfg.num_layers * args.batch * cfg.num_kv_heads * slots * cfg.head_dim * item
        per_step = cfg.num_params * item + cache
        # The whole run's time over its decode steps: prefill counted in, so a lower bound.
        achieved = per_step * args.new_tokens / ours_s / 1e9
        print(f"memory traffic per decode step: {per_step / 1e6:,.1f} MB (weights "
              f"{cfg.num_params * item / 1e6:,.1f} MB + KV cache {cache / 1e6:,.1f} MB); "
              f"reached >= {achieved:,.0f} GB/s = {achieved / args.peak_gbs:.1%} of "
              f"{args.peak_gbs:,.0f} GB/s")


if __name__ == "__main__":
    main()
