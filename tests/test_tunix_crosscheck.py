"""Our RL objectives against Tunix's implementation (google-tunix 0.1.7) on random inputs.

Tunix pins older transformers / safetensors than ours, so README's test command installs it
without its dependencies (`pip install --no-deps google-tunix==0.1.7`) and this module loads
only its pure-JAX RL core (`tunix/rl/algo_core.py` and what that imports), without running the
package's `__init__` (which imports all of Tunix). Compared, for what both implement: the GRPO,
RLOO, Dr. GRPO and GAE estimators, the KL estimators, the loss aggregations, and the whole
policy loss (clip-higher, dual clip, GSPO's sequence ratio, KL in the loss, importance
weights) as a value and as a gradient, through a stand-in model whose logits are parameters.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import types

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from codecorr_jax.train import ppo_core as pc


def _load_tunix_rl():
    spec = importlib.util.find_spec("tunix")
    if spec is None:
        pytest.skip("google-tunix is not installed: pip install --no-deps google-tunix==0.1.7 "
                    "(README's test command does)")
    root = spec.submodule_search_locations[0]
    for name in ("tunix", "tunix.rl", "tunix.sft", "tunix.oss"):  # packages, not run
        if name not in sys.modules:
            module = types.ModuleType(name)
            module.__path__ = [os.path.join(root, *name.split(".")[1:])]
            sys.modules[name] = module
    return (importlib.import_module("tunix.rl.algo_core"),
            importlib.import_module("tunix.rl.common"))


algo_core, common = _load_tunix_rl()

GROUP, ROWS, LENGTH = 4, 8, 6


def _random(seed):
    rng = np.random.default_rng(seed)
    mask = rng.random((ROWS, LENGTH)) < 0.7
    mask[:, 0] = True  # every response has a token (Tunix's GAE divides by the count)
    mask[3] = [True, True, False, False, False, False]
    return rng, mask


def _score_rewards(scores, mask):
    """(B, T) token rewards holding each row's score on its last valid token."""
    rewards = np.zeros(mask.shape, np.float32)
    for b in range(mask.shape[0]):
        rewards[b, np.flatnonzero(mask[b])[-1]] = scores[b]
    return rewards


@pytest.mark.parametrize("ours,theirs", [("grpo", "compute_advantages"),
                                         ("rloo", "compute_rloo_advantages"),
                                         ("drgrpo", "compute_drgrpo_advantages")])
def test_group_estimators_equal_tunix(ours, theirs):
    rng, mask = _random(0)
    scores = rng.normal(size=ROWS).astype(np.float32)
    adv, _ = pc.get_estimator(ours)(_score_rewards(scores, mask), np.zeros_like(mask, np.float32),
                                    mask, group_size=GROUP, gamma=1.0, lam=1.0)
    want = np.asarray(getattr(algo_core, theirs)(scores, GROUP))
    np.testing.assert_allclose(np.asarray(adv), np.where(mask, want[:, None], 0.0), rtol=1e-5,
                               atol=1e-6)


def test_gae_equals_tunix_on_valid_tokens():
    rng, mask = _random(1)
    rewards = rng.normal(size=mask.shape).astype(np.float32)
    values = rng.normal(size=mask.shape).astype(np.float32)
    adv, ret = pc.get_estimator("gae")(rewards, values, mask, group_size=GROUP, gamma=0.97,
                                       lam=0.9)
    want_adv, want_ret = algo_core.compute_gae_advantages(rewards, values,
                                                          mask.astype(np.float32), 0.97, 0.9)
    np.testing.assert_allclose(np.asarray(adv)[mask], np.asarray(want_adv)[mask], rtol=1e-4,
                               atol=1e-5)
    np.testing.assert_allclose(np.asarray(ret)[mask], np.asarray(want_ret)[mask], rtol=1e-5,
                               atol=1e-5)


@pytest.mark.parametrize("ours,theirs", [("k1", "kl"), ("k2", "mse_kl"), ("k3", "low_var_kl")])
def test_kl_estimators_equal_tunix(ours, theirs):
    rng, _ = _random(2)
    logp, ref = (rng.normal(size=(2, ROWS, LENGTH)) - 2).astype(np.float32)
    np.testing.assert_allclose(np.asarray(pc.kl_penalty(logp, ref, ours)),
                               np.asarray(common.compute_kl_divergence(logp, ref, theirs)),
                               rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("ours,theirs", [("token_mean", "token-mean"),
                                         ("seq_mean_token_mean", "sequence-mean-token-mean"),
                                         ("seq_mean_token_sum_norm",
                                          "sequence-mean-token-scale")])
def test_loss_aggregations_equal_tunix(ours, theirs):
    rng, mask = _random(3)
    mask[5] = False  # a response without tokens: it counts in neither
    loss = rng.normal(size=mask.shape).astype(np.float32)
    got = float(jnp.sum(pc.aggregation_weights(ours, mask, LENGTH) * loss))
    want = float(common.aggregate_loss(loss, mask.astype(np.float32), theirs))
    assert got == pytest.approx(want, rel=1e-5, abs=1e-7)


class _Logits(nnx.Module):
    """A stand-in model for Tunix's loss: its logits are a parameter (prompt + completion)."""

    def __init__(self, logits):
        self.table = nnx.Param(jnp.asarray(logits))

    def __call__(self, tokens, positions=None, cache=None, attention_mask=None):
        return self.table[...], None


LOSSES = {  # name: (our PPOHyperparams-like settings, Tunix's algo config)
    "clip_higher_dual_token_mean": (
        dict(clip=pc.Clip(0.2, 0.28, 2.0), policy_loss="ppo", loss_agg="token_mean"),
        dict(epsilon=0.2, epsilon_high=0.28, epsilon_c=2.0, loss_algo="grpo",
             loss_agg_mode="token-mean")),
    "gspo_seq_mean": (
        dict(clip=pc.Clip(0.03, 0.04), policy_loss="gspo", loss_agg="seq_mean_token_mean"),
        dict(epsilon=0.03, epsilon_high=0.04, epsilon_c=None, loss_algo="gspo-token",
             loss_agg_mode="sequence-mean-token-mean")),
    "kl_k3_in_loss_is_weights_dr_grpo": (
        dict(clip=pc.Clip(0.2, 0.2), policy_loss="ppo", loss_agg="seq_mean_token_sum_norm",
             kl=("k3", 0.3), is_weights=True),
        dict(epsilon=0.2, epsilon_high=0.2, epsilon_c=None, loss_algo="grpo",
             loss_agg_mode="sequence-mean-token-scale", beta=0.3, kl_loss_mode="low_var_kl")),
}


@pytest.mark.parametrize("case", list(LOSSES))
def test_policy_loss_and_its_gradient_equal_tunix(case):
    ours, theirs = LOSSES[case]
    rng, mask = _random(4)
    vocab, prompt = 11, 3
    logits = rng.normal(size=(ROWS, prompt + LENGTH, vocab)).astype(np.float32)
    completion = rng.integers(1, vocab, size=(ROWS, LENGTH)).astype(np.int32)
    prompt_ids = rng.integers(1, vocab, size=(ROWS, prompt)).astype(np.int32)
    logp_now = np.take_along_axis(jax.nn.log_softmax(logits[:, prompt - 1:-1]),
                                  completion[..., None], -1)[..., 0]
    old = (logp_now + 0.7 * rng.normal(size=mask.shape)).astype(np.float32)  # far: clips bind
    ref = (logp_now + 0.2 * rng.normal(size=mask.shape)).astype(np.float32)
    advantages = rng.normal(size=ROWS).astype(np.float32)
    is_weights = (0.5 + rng.random(mask.shape)).astype(np.float32) \
        if ours.get("is_weights") else None

    example = types.SimpleNamespace(
        prompt_ids=prompt_ids, completion_ids=completion, completion_mask=mask.astype(np.int32),
        advantages=advantages, old_per_token_logps=old,
        ref_per_token_logps=ref if "kl" in ours else None, sampler_is_weights=is_weights)
    config = types.SimpleNamespace(beta=theirs.pop("beta", 0.0), temperature=1.0,
                                   kl_loss_mode=theirs.pop("kl_loss_mode", "kl"),
                                   kl_clamp_value=None, **theirs)

    def tunix_loss(model):
        return algo_core.grpo_loss_fn(model, example, config, pad_id=0, eos_id=-1)[0]

    def our_loss(table):
        logp = jnp.take_along_axis(jax.nn.log_softmax(table[:, prompt - 1:-1]),
                                   completion[..., None], -1)[..., 0]
        adv = jnp.broadcast_to(advantages[:, None], mask.shape)
        per_token = pc.surrogate(logp, old, adv, mask, ours["clip"], ours["policy_loss"]).loss
        if is_weights is not None:
            per_token = per_token * is_weights
        if "kl" in ours:
            estimator, coef = ours["kl"]
            per_token = per_token + coef * pc.kl_penalty(logp, ref, estimator)
        return jnp.sum(pc.aggregation_weights(ours["loss_agg"], mask, LENGTH) * per_token)

    # The comparison covers the clipped branches, not only the ratio's interior.
    terms = pc.surrogate(logp_now, old, np.broadcast_to(advantages[:, None], mask.shape), mask,
                         ours["clip"], ours["policy_loss"])
    assert float(np.sum(np.asarray(terms.clipped_low + terms.clipped_high)[mask])) >= 3
    if ours["clip"].dual:
        assert float(np.sum(np.asarray(terms.dual_clipped)[mask])) >= 1
    model = _Logits(logits)
    want, want_grads = nnx.value_and_grad(tunix_loss)(model)
    got, got_grad = jax.value_and_grad(our_loss)(jnp.asarray(logits))
    assert float(got) == pytest.approx(float(want), rel=1e-5, abs=1e-6)
    np.testing.assert_allclose(np.asarray(got_grad), np.asarray(want_grads.table[...]),
                               rtol=1e-4, atol=1e-6)
