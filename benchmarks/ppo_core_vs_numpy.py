"""The jitted PPO core (GAE + losses) against the same computation as a numpy time loop.

PyTorch RLHF libraries (TRL's PPO trainer, OpenRLHF) compute GAE with a Python
`for t in reversed(range(T))` loop over response positions, vectorized over the batch, and the
rest with tensor ops. This benchmark writes that computation in numpy the same way and times it
against `codecorr_jax.train.ppo_core` under one `jax.jit`:

    token_rewards (k1 KL) -> gae -> masked_whiten -> policy_loss_terms + value_loss_terms

on random inputs with ragged prefix masks (lengths uniform in [1, T]). Entropy is not included
(it needs (B, T, V) logits, a different cost). Both sides are checked to agree (advantages,
returns, loss sums) before timing; times are medians of `--repeats` calls, compile excluded.

    python benchmarks/ppo_core_vs_numpy.py                     # B=256, T=1024
    python benchmarks/ppo_core_vs_numpy.py --batch 64 --length 512 --repeats 50
"""

from __future__ import annotations

import argparse
import platform
import time
from typing import Any, Callable

import jax
import jax.numpy as jnp
import numpy as np

from codecorr_jax.train import ppo_core

GAMMA, LAM, KL_COEF, CLIP, VALUE_CLIP = 1.0, 0.95, 0.05, 0.2, 0.2


def make_inputs(batch: int, length: int, seed: int = 0) -> dict[str, np.ndarray]:
    """Random rollout arrays (float32) with prefix masks of lengths uniform in [1, length]."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(1, length + 1, batch)
    mask = np.arange(length)[None, :] < lengths[:, None]

    def normal(scale: float, shift: float = 0.0) -> np.ndarray:
        return (shift + scale * rng.normal(size=(batch, length))).astype(np.float32)

    old_logprobs = normal(0.5, -1.5)
    return dict(
        scores=rng.integers(0, 2, batch).astype(np.float32),
        logprobs=old_logprobs + normal(0.05), old_logprobs=old_logprobs,
        ref_logprobs=old_logprobs + normal(0.1), values=normal(0.3, 0.2),
        old_values=normal(0.3, 0.2), mask=mask)


def jax_core(x: dict[str, jax.Array]) -> dict[str, jax.Array]:
    """The computation with ppo_core; jitted whole by the caller."""
    rewards, _ = ppo_core.token_rewards(x["scores"], x["old_logprobs"], x["ref_logprobs"],
                                        x["mask"], KL_COEF, "k1")
    adv, returns = ppo_core.gae(rewards, x["old_values"], x["mask"], GAMMA, LAM)
    adv = ppo_core.masked_whiten(adv, x["mask"])
    terms = ppo_core.policy_loss_terms(x["logprobs"], x["old_logprobs"], adv, x["mask"], CLIP)
    terms.update(ppo_core.value_loss_terms(x["values"], x["old_values"], returns, x["mask"],
                                           VALUE_CLIP))
    return dict(terms, advantages=adv, returns=returns)


def numpy_core(x: dict[str, np.ndarray]) -> dict[str, Any]:
    """The same computation the way TRL / OpenRLHF write it (with numpy for torch)."""
    mask = x["mask"]
    maskf = mask.astype(np.float32)
    batch, length = mask.shape
    kl = (x["old_logprobs"] - x["ref_logprobs"]) * maskf
    rewards = -KL_COEF * kl
    last = mask.sum(axis=1) - 1                      # prefix masks: the last valid index
    has = last >= 0
    rewards[np.flatnonzero(has), last[has]] += x["scores"][has]
    values = x["old_values"] * maskf                 # padding values zeroed, as TRL does
    lastgaelam = np.zeros(batch, np.float32)
    reversed_advantages = []
    for t in reversed(range(length)):
        next_values = values[:, t + 1] if t < length - 1 else 0.0
        delta = rewards[:, t] + GAMMA * next_values - values[:, t]
        lastgaelam = delta + GAMMA * LAM * lastgaelam
        reversed_advantages.append(lastgaelam)
    advantages = np.stack(reversed_advantages[::-1], axis=1) * maskf
    returns = (advantages + values) * maskf
    count = max(maskf.sum(), 1.0)
    mean = (advantages * maskf).sum() / count
    var = (np.square(advantages - mean) * maskf).sum() / count
    advantages = (advantages - mean) / np.sqrt(var + 1e-8) * maskf

    log_ratio = np.clip(x["logprobs"] - x["old_logprobs"], -10.0, 10.0)
    ratio = np.exp(log_ratio)
    unclipped = -advantages * ratio
    clipped = -advantages * np.clip(ratio, 1 - CLIP, 1 + CLIP)
    v_clipped = x["old_values"] + np.clip(x["values"] - x["old_values"], -VALUE_CLIP, VALUE_CLIP)
    plain_sq = np.square(x["values"] - returns)
    clipped_sq = np.square(v_clipped - returns)
    residual = returns - x["values"]
    return dict(
        advantages=advantages, returns=returns,
        policy_loss_sum=(np.maximum(unclipped, clipped) * maskf).sum(),
        clipped_tokens=((clipped > unclipped) * maskf).sum(),
        approx_kl_sum=(((ratio - 1) - log_ratio) * maskf).sum(), tokens=maskf.sum(),
        value_loss_sum=(0.5 * np.maximum(plain_sq, clipped_sq) * maskf).sum(),
        value_clipped_tokens=((clipped_sq > plain_sq) * maskf).sum(),
        return_sum=(returns * maskf).sum(), return_sq_sum=(np.square(returns) * maskf).sum(),
        residual_sum=(residual * maskf).sum(),
        residual_sq_sum=(np.square(residual) * maskf).sum())


def check_agreement(ours: dict[str, Any], theirs: dict[str, Any]) -> None:
    """Raise if the two implementations disagree on any output."""
    for key, ref in theirs.items():
        got = np.asarray(ours[key])
        scale = max(1.0, float(np.max(np.abs(ref))))
        if not np.allclose(got, ref, rtol=1e-3, atol=1e-4 * scale):
            raise AssertionError(f"{key}: jax and numpy disagree (max abs diff "
                                 f"{np.max(np.abs(got - ref)):.3g})")


def median_ms(fn: Callable[[], Any], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1e3 * float(np.median(times))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=256, help="responses (rows)")
    parser.add_argument("--length", type=int, default=1024, help="response positions")
    parser.add_argument("--repeats", type=int, default=20, help="timed calls per side")
    args = parser.parse_args()

    host = make_inputs(args.batch, args.length)
    device = {k: jnp.asarray(v) for k, v in host.items()}
    fn = jax.jit(jax_core)
    ours = jax.block_until_ready(fn(device))          # compile + agreement check
    check_agreement(ours, numpy_core(host))

    jax_ms = median_ms(lambda: jax.block_until_ready(fn(device)), args.repeats)
    numpy_ms = median_ms(lambda: numpy_core(host), args.repeats)
    tokens = int(host["mask"].sum())
    print(f"jax {jax.__version__} on {jax.devices()[0].platform} "
          f"({jax.devices()[0].device_kind}), numpy {np.__version__}, "
          f"python {platform.python_version()}")
    print(f"batch {args.batch} x length {args.length} ({tokens} valid tokens), "
          f"median of {args.repeats}; outputs agree")
    print("| implementation | ms | speed-up |")
    print("|---|---|---|")
    print(f"| numpy, Python loop over T | {numpy_ms:.2f} | 1.0x |")
    print(f"| ppo_core under jax.jit | {jax_ms:.2f} | {numpy_ms / jax_ms:.1f}x |")


if __name__ == "__main__":
    main()
