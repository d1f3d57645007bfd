"""The jitted PPO core against independent references: GAE against a plain Python loop over each
row's valid positions, token rewards and KL estimators by formula, whitening by numpy, GRPO /
RLOO / Dr. GRPO / clipped losses (clip-higher, dual clip, GSPO's sequence ratio and its
gradient) / overlong shaping / importance weights / KL controllers by hand-computed numbers,
REINFORCE++ against a loop, entropy by a float64 numpy
log-sum-exp, and exact aggregation of summed metrics over micro-batches."""

from __future__ import annotations

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from codecorr_jax.models.decoder import entropy_from_logits
from codecorr_jax.train import ppo_core as pc


def _ragged_masks(rows: int, length: int, seed: int) -> np.ndarray:
    """Every kind of mask: full, prefix, holes, suffix-only, one token, all-False rows."""
    rng = np.random.default_rng(seed)
    mask = np.zeros((rows, length), bool)
    for r in range(rows):
        kind = r % 6
        if kind == 0:
            mask[r] = True
        elif kind == 1:
            mask[r, :rng.integers(1, length + 1)] = True
        elif kind == 2:
            mask[r] = rng.random(length) < 0.6   # holes anywhere
        elif kind == 3:
            mask[r, rng.integers(0, length):] = True  # starts late, runs to the end
        elif kind == 4:
            mask[r, rng.integers(0, length)] = True  # a single valid token
        # kind 5: all False
    return mask


def _gae_reference(rewards, values, mask, gamma, lam):
    """Loop over rows, then over that row's valid indices in reverse (masked ones are absent)."""
    adv = np.zeros(rewards.shape, np.float64)
    ret = np.zeros(rewards.shape, np.float64)
    for b in range(rewards.shape[0]):
        next_value, next_adv = 0.0, 0.0
        for t in reversed(np.flatnonzero(mask[b])):
            delta = rewards[b, t] + gamma * next_value - values[b, t]
            next_adv = delta + gamma * lam * next_adv
            next_value = values[b, t]
            adv[b, t] = next_adv
            ret[b, t] = next_adv + values[b, t]
    return adv, ret


def _inputs(rows=12, length=9, seed=0):
    rng = np.random.default_rng(seed)
    rewards = rng.normal(size=(rows, length)).astype(np.float32)
    values = rng.normal(size=(rows, length)).astype(np.float32)
    mask = _ragged_masks(rows, length, seed)
    return rewards, values, mask


# ------------------------------------------------------------------------------------------ GAE


@pytest.mark.parametrize("gamma,lam", [(0.99, 0.95), (1.0, 1.0), (0.9, 0.0), (1.0, 0.5)])
def test_gae_matches_python_loop_on_ragged_masks(gamma, lam):
    rewards, values, mask = _inputs(seed=int(gamma * 100 + lam * 10))
    fn = jax.jit(functools.partial(pc.gae, gamma=gamma, lam=lam))
    adv, ret = fn(rewards, values, mask)
    ref_adv, ref_ret = _gae_reference(rewards, values, mask, gamma, lam)
    np.testing.assert_allclose(adv, ref_adv, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(ret, ref_ret, rtol=1e-5, atol=1e-5)
    assert not np.any(np.asarray(adv)[~mask]) and not np.any(np.asarray(ret)[~mask])


def test_gae_special_cases_by_formula():
    rewards, values, mask = _inputs(rows=18, seed=3)
    # gamma = lam = 1: advantage = reward-to-go over the row's valid tokens minus the value.
    adv, ret = jax.jit(pc.gae)(rewards, values, mask, 1.0, 1.0)  # gamma, lam traced
    for b in range(rewards.shape[0]):
        idx = np.flatnonzero(mask[b])
        to_go = np.cumsum(rewards[b, idx][::-1])[::-1]
        np.testing.assert_allclose(np.asarray(adv)[b, idx], to_go - values[b, idx], atol=1e-5)
        np.testing.assert_allclose(np.asarray(ret)[b, idx], to_go, atol=1e-5)
    # lam = 0: one-step TD error, the next value being the next *valid* token's (0 at the end).
    adv, _ = pc.gae(rewards, values, mask, 0.5, 0.0)
    for b in range(rewards.shape[0]):
        idx = np.flatnonzero(mask[b])
        next_v = np.append(values[b, idx][1:], 0.0)
        np.testing.assert_allclose(np.asarray(adv)[b, idx],
                                   rewards[b, idx] + 0.5 * next_v - values[b, idx], atol=1e-6)


def test_gae_hole_joins_neighbours_and_single_token():
    # Row 0: valid at 0 and 3 only; row 1: one valid token at 2.
    rewards = np.array([[1.0, 9.0, 9.0, 2.0], [0.0, 0.0, 3.0, 0.0]], np.float32)
    values = np.array([[0.5, 7.0, 7.0, 0.25], [0.0, 0.0, 1.0, 0.0]], np.float32)
    mask = np.array([[1, 0, 0, 1], [0, 0, 1, 0]], bool)
    adv, ret = pc.gae(rewards, values, mask, 0.9, 0.8)
    a3 = 2.0 - 0.25                                   # last valid: next value 0
    a0 = 1.0 + 0.9 * 0.25 - 0.5 + 0.9 * 0.8 * a3      # skips the hole's 9s and 7s
    np.testing.assert_allclose(adv, [[a0, 0, 0, a3], [0, 0, 2.0, 0]], rtol=1e-6)
    np.testing.assert_allclose(ret, [[a0 + 0.5, 0, 0, 2.0], [0, 0, 3.0, 0]], rtol=1e-6)


# -------------------------------------------------------------------------------- token rewards


def test_kl_estimators_by_formula():
    rng = np.random.default_rng(1)
    lp, ref = rng.normal(size=(2, 3, 5)).astype(np.float32) - 2.0
    np.testing.assert_allclose(pc.kl_penalty(lp, ref, "k1"), lp - ref, rtol=1e-6)
    np.testing.assert_allclose(pc.kl_penalty(lp, ref, "k3"),
                               np.exp(ref - lp) - (ref - lp) - 1.0, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(pc.kl_penalty(lp, ref, "k2"), 0.5 * (ref - lp) ** 2, rtol=1e-5)
    assert np.all(np.asarray(pc.kl_penalty(lp, ref, "k3")) >= 0)
    with pytest.raises(ValueError, match=r"'k4'.*\['k1', 'k2', 'k3'\]"):
        pc.kl_penalty(lp, ref, "k4")
    # A diverged token: the log-ratio is clamped to +-20 before any estimator sees it.
    far = pc.kl_penalty(np.float32([[0.0]]), np.float32([[-1e4]]), "k2")
    assert float(far[0, 0]) == pytest.approx(0.5 * 20.0 ** 2)


@pytest.mark.parametrize("estimator", ["k1", "k3"])
def test_token_rewards_score_on_last_valid_token(estimator):
    rng = np.random.default_rng(2)
    rows, length = 12, 7
    mask = _ragged_masks(rows, length, 2)
    lp, ref = rng.normal(size=(2, rows, length)).astype(np.float32)
    scores = rng.uniform(-1, 1, rows).astype(np.float32)
    coef = 0.3
    fn = jax.jit(pc.token_rewards, static_argnames="kl_estimator")
    rewards, kl = fn(scores, lp, ref, mask, jnp.float32(coef), kl_estimator=estimator)
    kl_ref = lp - ref if estimator == "k1" else np.exp(ref - lp) - (ref - lp) - 1.0
    np.testing.assert_allclose(kl, kl_ref * mask, rtol=1e-5, atol=1e-6)
    expected = -coef * kl_ref * mask
    for b in range(rows):
        idx = np.flatnonzero(mask[b])
        if idx.size:
            expected[b, idx[-1]] += scores[b]
    np.testing.assert_allclose(rewards, expected, rtol=1e-5, atol=1e-6)
    assert not np.any(np.asarray(rewards)[~mask])
    empty = ~mask.any(axis=1)
    assert empty.any() and not np.any(np.asarray(rewards)[empty])
    np.testing.assert_array_equal(
        pc.last_valid_index(mask),
        [np.flatnonzero(m)[-1] if m.any() else 0 for m in mask])


# ----------------------------------------------------------------------------------- whitening


def test_masked_mean_and_whiten_against_numpy():
    rng = np.random.default_rng(4)
    x = (3.0 + 5.0 * rng.normal(size=(12, 10))).astype(np.float32)
    mask = _ragged_masks(12, 10, 4)
    valid = x[mask].astype(np.float64)
    np.testing.assert_allclose(pc.masked_mean(x, mask), valid.mean(), rtol=1e-5)
    rows = pc.masked_mean(x, mask, axis=-1)
    np.testing.assert_allclose(
        rows, [x[b][mask[b]].mean() if mask[b].any() else 0.0 for b in range(12)], rtol=1e-5)

    out = np.asarray(jax.jit(pc.masked_whiten)(x, mask))
    assert abs(out[mask].mean()) < 1e-5 and abs(out[mask].std(ddof=1) - 1.0) < 1e-4
    assert not np.any(out[~mask])
    kept = np.asarray(pc.masked_whiten(x, mask, shift_mean=False))
    np.testing.assert_allclose(kept[mask],
                               (valid - valid.mean()) / valid.std(ddof=1) + valid.mean(),
                               rtol=1e-4)
    assert not np.any(kept[~mask])


# ---------------------------------------------------------------------- advantage estimators


def test_gae_estimator_whitens_advantages_keeps_returns():
    rewards, values, mask = _inputs(rows=12, seed=5)
    assert pc.NEEDS_CRITIC == frozenset({"gae"})
    fn = jax.jit(functools.partial(pc.get_estimator("gae"), group_size=4, gamma=0.95, lam=0.9))
    adv, ret = fn(rewards, values, mask)
    ref_adv, ref_ret = _gae_reference(rewards, values, mask, 0.95, 0.9)
    valid = ref_adv[mask]
    np.testing.assert_allclose(np.asarray(adv)[mask], (valid - valid.mean()) / valid.std(ddof=1),
                               rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(ret, ref_ret, rtol=1e-5, atol=1e-5)
    assert not np.any(np.asarray(adv)[~mask])


def _group_batch():
    """Two groups of 4; group 0 scores [1, 0, 0, 1] (one KL-penalized row), group 1 all equal."""
    mask = np.array([[1, 1, 1, 0], [1, 0, 0, 0], [0, 1, 0, 1], [1, 1, 1, 1],
                     [1, 1, 0, 0], [1, 0, 1, 0], [1, 1, 1, 1], [0, 0, 1, 0]], bool)
    rewards = np.zeros(mask.shape, np.float32)
    scores = [1, 0, 0, 1, 2, 2, 2, 2]
    for b in range(8):
        rewards[b, np.flatnonzero(mask[b])[-1]] = scores[b]
    rewards[3, 0] = -0.5   # a KL penalty: R_3 = 0.5
    rewards[0, 3] = 100.0  # masked: must not count
    return rewards, mask


def test_grpo_hand_computed():
    rewards, mask = _group_batch()
    fn = jax.jit(functools.partial(pc.ESTIMATORS["grpo"], group_size=4, gamma=1.0, lam=1.0))
    adv, ret = fn(rewards, np.zeros_like(rewards), mask)
    # Group 0: R = [1, 0, 0, 0.5], mean 0.375, sample std sqrt(0.6875 / 3).
    std = math.sqrt(((0.625 ** 2) + 2 * (0.375 ** 2) + 0.125 ** 2) / 3)
    expected = [(r - 0.375) / (std + 1e-6) for r in (1, 0, 0, 0.5)] + [0.0] * 4
    np.testing.assert_allclose(adv, np.array(expected, np.float32)[:, None] * mask, rtol=1e-5,
                               atol=1e-6)
    assert not np.any(np.asarray(ret))
    # The plain [1, 0, 0, 1] group: sample std sqrt(1 / 3): +-0.5 / (0.57735 + 1e-6).
    r2 = np.zeros((4, 2), np.float32)
    r2[:, 1] = [1, 0, 0, 1]
    adv2, _ = pc.ESTIMATORS["grpo"](r2, r2, np.ones_like(r2, bool), group_size=4, gamma=1.0,
                                    lam=1.0)
    half = 0.5 / (math.sqrt(1 / 3) + 1e-6)
    np.testing.assert_allclose(np.asarray(adv2)[:, 0], [half, -half, -half, half], rtol=1e-6)


def test_rloo_hand_computed():
    rewards, mask = _group_batch()
    adv, ret = pc.get_estimator("rloo")(rewards, np.zeros_like(rewards), mask, group_size=4,
                                        gamma=1.0, lam=1.0)
    # Group 0: R = [1, 0, 0, 0.5]; others' means [1/6, 1/2, 1/2, 1/3]. Group 1: all 2 -> 0.
    expected = np.array([1 - 1 / 6, -0.5, -0.5, 0.5 - 1 / 3, 0, 0, 0, 0], np.float32)
    np.testing.assert_allclose(adv, expected[:, None] * mask, rtol=1e-5, atol=1e-6)
    assert not np.any(np.asarray(ret))
    r2 = np.zeros((4, 1), np.float32)
    r2[:, 0] = [1, 0, 0, 1]
    adv2, _ = pc.ESTIMATORS["rloo"](r2, r2, np.ones_like(r2, bool), group_size=4, gamma=1.0,
                                    lam=1.0)
    np.testing.assert_allclose(np.asarray(adv2)[:, 0], [2 / 3, -2 / 3, -2 / 3, 2 / 3], rtol=1e-6)


def test_drgrpo_hand_computed():
    rewards, mask = _group_batch()
    adv, ret = pc.get_estimator("drgrpo")(rewards, np.zeros_like(rewards), mask, group_size=4,
                                          gamma=1.0, lam=1.0)
    # Group 0: R = [1, 0, 0, 0.5] minus its mean 0.375, not scaled; group 1 all equal -> 0.
    expected = np.array([0.625, -0.375, -0.375, 0.125, 0, 0, 0, 0], np.float32)
    np.testing.assert_allclose(adv, expected[:, None] * mask, rtol=1e-6, atol=1e-7)
    assert not np.any(np.asarray(ret))


def _whiten(values, mask):
    valid = values[mask]
    return np.where(mask, (values - valid.mean()) / np.sqrt(valid.var(ddof=1) + 1e-8), 0.0)


def test_reinforce_pp_against_a_loop_over_valid_tokens():
    """Each valid token's discounted sum of the rewards at and after it (masked positions
    skipped), then whitened over every valid token of the batch."""
    rewards, _, mask = _inputs(rows=12, seed=8)
    gamma = 0.9
    to_go = np.zeros_like(rewards)
    for b in range(rewards.shape[0]):
        running = 0.0
        for t in reversed(np.flatnonzero(mask[b])):
            running = rewards[b, t] + gamma * running
            to_go[b, t] = running
    adv, ret = pc.get_estimator("reinforce_pp")(rewards, np.zeros_like(rewards), mask,
                                                group_size=3, gamma=gamma, lam=0.5)
    np.testing.assert_allclose(adv, _whiten(to_go, mask), rtol=1e-4, atol=1e-5)
    assert not np.any(np.asarray(ret))


def test_reinforce_pp_baseline_is_group_centred_then_batch_whitened():
    rewards, mask = _group_batch()
    adv, _ = pc.get_estimator("reinforce_pp_baseline")(rewards, np.zeros_like(rewards), mask,
                                                       group_size=4, gamma=1.0, lam=1.0)
    centred = np.array([0.625, -0.375, -0.375, 0.125, 0, 0, 0, 0], np.float32)[:, None] * mask
    np.testing.assert_allclose(adv, _whiten(centred, mask), rtol=1e-5, atol=1e-6)
    assert pc.GROUP_ESTIMATORS == {"grpo", "rloo", "drgrpo", "reinforce_pp_baseline"}


def test_estimator_errors():
    rewards, mask = _group_batch()
    zeros = np.zeros_like(rewards)
    with pytest.raises(ValueError, match=r"8 rows.*group_size=3"):
        pc.ESTIMATORS["grpo"](rewards, zeros, mask, group_size=3, gamma=1.0, lam=1.0)
    with pytest.raises(ValueError, match=r"rloo.*>= 2.*1"):
        pc.ESTIMATORS["rloo"](rewards, zeros, mask, group_size=1, gamma=1.0, lam=1.0)
    with pytest.raises(ValueError, match=r"grpo.*>= 2.*1"):
        pc.ESTIMATORS["grpo"](rewards, zeros, mask, group_size=1, gamma=1.0, lam=1.0)
    with pytest.raises(ValueError, match=r"'ppo'.*\['drgrpo', 'gae', 'grpo', 'reinforce_pp'"):
        pc.get_estimator("ppo")


# ------------------------------------------------------------------------------------- losses


def test_policy_loss_hand_computed():
    eps = 0.2
    ratios = np.array([1.5, 0.5, 1.5, 0.5, 1.1, 3.0])
    adv = np.array([[1.0, 1.0, -1.0, -1.0, 2.0, 50.0]], np.float32)
    old = np.full((1, 6), -2.0, np.float32)
    new = (old + np.log(ratios)).astype(np.float32)
    mask = np.array([[1, 1, 1, 1, 1, 0]], bool)   # the last token is masked out
    terms = jax.jit(pc.policy_loss_terms)(new, old, adv, mask, eps)
    # Per token max(-A r, -A clip(r)):
    #   A=+1, r=1.5: max(-1.5, -1.2) = -1.2  (clip active)
    #   A=+1, r=0.5: max(-0.5, -0.8) = -0.5
    #   A=-1, r=1.5: max(+1.5, +1.2) = +1.5
    #   A=-1, r=0.5: max(+0.5, +0.8) = +0.8  (clip active)
    #   A=+2, r=1.1: -2.2 both branches (inside the range: not counted)
    assert float(terms["policy_loss_sum"]) == pytest.approx(-1.6, abs=1e-5)
    assert float(terms["clipped_tokens"]) == 2.0
    assert float(terms["tokens"]) == 5.0
    # k3: (r - 1) - log r = 0.0945349 (r=1.5), 0.1931472 (r=0.5), 0.0046898 (r=1.1).
    assert float(terms["approx_kl_sum"]) == pytest.approx(
        2 * 0.0945349 + 2 * 0.1931472 + 0.0046898, abs=1e-5)


def test_policy_loss_log_ratio_clamp_keeps_values_finite():
    new = np.zeros((1, 2), np.float32)
    old = np.array([[-1000.0, 1000.0]], np.float32)
    adv = np.array([[-1.0, 1.0]], np.float32)
    terms = pc.policy_loss_terms(new, old, adv, np.ones((1, 2), bool), 0.2, max_log_ratio=10.0)
    assert all(np.isfinite(float(v)) for v in terms.values())
    big, small = math.exp(10.0), math.exp(-10.0)
    # token 0: ratio e^10, A=-1 -> e^10; token 1: ratio e^-10, A=+1 -> max(-e^-10, -0.8).
    assert float(terms["policy_loss_sum"]) == pytest.approx(big - small, rel=1e-5)
    assert float(terms["approx_kl_sum"]) == pytest.approx((big - 1 - 10) + (small - 1 + 10),
                                                          rel=1e-5)


def test_clip_higher_and_dual_clip_hand_computed():
    """Bounds [1 - 0.2, 1 + 0.28]; dual clip 3 caps a negative advantage's loss at -3 A."""
    ratios = np.array([1.25, 1.35, 0.7, 5.0, 5.0])
    adv = np.array([[1.0, 1.0, -1.0, -1.0, 1.0]], np.float32)
    old = np.full((1, 5), -1.0, np.float32)
    new = (old + np.log(ratios)).astype(np.float32)
    clip = pc.Clip(0.2, 0.28, 3.0)
    terms = pc.surrogate(new, old, adv, np.ones((1, 5), bool), clip)
    # r=1.25, A=+1: inside [0.8, 1.28] -> -1.25; r=1.35: -1.28 (high clip); r=0.7, A=-1:
    # max(0.7, 0.8) = 0.8 (low clip); r=5, A=-1: max(5, 1.28) = 5, dual-capped to 3;
    # r=5, A=+1: max(-5, -1.28) = -1.28 (high clip; dual clip only for A < 0).
    np.testing.assert_allclose(terms.loss[0], [-1.25, -1.28, 0.8, 3.0, -1.28], rtol=1e-6)
    np.testing.assert_array_equal(terms.clipped_high[0], [0, 1, 0, 0, 1])
    np.testing.assert_array_equal(terms.clipped_low[0], [0, 0, 1, 0, 0])
    np.testing.assert_array_equal(terms.dual_clipped[0], [0, 0, 0, 1, 0])
    sums = pc.policy_loss_terms(new, old, adv, np.ones((1, 5), bool), 0.2,
                                clip_ratio_high=0.28, clip_ratio_dual=3.0)
    assert float(sums["policy_loss_sum"]) == pytest.approx(-1.25 - 1.28 + 0.8 + 3.0 - 1.28,
                                                           abs=1e-5)
    assert (float(sums["clipped_low_tokens"]), float(sums["clipped_high_tokens"]),
            float(sums["dual_clipped_tokens"])) == (1.0, 2.0, 1.0)


def test_gspo_uses_the_length_normalised_sequence_ratio_and_its_gradient():
    """GSPO's value: every token of a response carries s = exp(mean log-ratio over its valid
    tokens); its gradient under per-response aggregation is that of the sequence objective
    -A min(s, clip(s)) written directly."""
    rng = np.random.default_rng(9)
    mask = np.array([[1, 1, 1, 0], [1, 0, 1, 1]], bool)
    old = rng.normal(size=(2, 4)).astype(np.float32) - 2
    new = old + 0.05 * rng.normal(size=(2, 4)).astype(np.float32)
    new[0, 3] = 50.0  # masked: must not reach the ratio
    adv = np.array([[1.5] * 4, [-0.5] * 4], np.float32)
    clip = pc.Clip(0.02, 0.03)
    terms = pc.surrogate(new, old, adv, mask, clip, "gspo")
    log_s = [(new[b] - old[b])[mask[b]].mean() for b in range(2)]
    s = np.exp(log_s)
    want = [max(-a * r, -a * min(max(r, 0.98), 1.03)) for a, r in zip(adv[:, 0], s)]
    for b in range(2):
        np.testing.assert_allclose(np.asarray(terms.loss)[b][mask[b]], want[b], rtol=1e-5)

    weights = pc.aggregation_weights("seq_mean_token_mean", mask)

    def token_form(lp):
        return jnp.sum(weights * pc.surrogate(lp, old, adv, mask, clip, "gspo").loss)

    def sequence_form(lp):
        m = jnp.asarray(mask, jnp.float32)
        ratio = jnp.exp(jnp.sum(m * (lp - old), 1) / m.sum(1))
        a = adv[:, 0]
        per_seq = jnp.maximum(-a * ratio, -a * jnp.clip(ratio, 0.98, 1.03))
        return jnp.mean(per_seq)

    np.testing.assert_allclose(jax.grad(token_form)(jnp.asarray(new)) * mask,
                               jax.grad(sequence_form)(jnp.asarray(new)) * mask,
                               rtol=1e-5, atol=1e-7)
    with pytest.raises(ValueError, match=r"unknown policy loss 'cispo'; allowed: \['gspo'"):
        pc.surrogate(new, old, adv, mask, clip, "cispo")


def test_overlong_penalty_hand_computed():
    lengths = np.array([10, 12, 14, 16, 16])
    truncated = np.array([False, False, False, False, True])
    got = pc.overlong_penalty(lengths, truncated, max_length=16, buffer=4, penalty=0.5)
    # free up to 12 tokens, then -0.5 x (length - 12) / 4; a cut response -0.5
    np.testing.assert_allclose(got, [0.0, 0.0, -0.25, -0.5, -0.5], rtol=1e-6)


def test_truncated_importance_weights_and_mismatch_hand_computed():
    sampler = np.log(np.array([[0.5, 0.2, 0.4]], np.float32))
    trainer = np.log(np.array([[0.4, 0.5, 0.4]], np.float32))
    weights, mismatch = pc.truncated_importance_weights(trainer, sampler, 2.0)
    np.testing.assert_allclose(weights, [[0.8, 2.0, 1.0]], rtol=1e-6)  # 2.5 capped at 2
    d = np.log([0.8, 2.5, 1.0])
    np.testing.assert_allclose(mismatch, [np.exp(d) - d - 1], rtol=1e-5, atol=1e-7)


def _value_example():
    values = np.array([[1.0, 0.5, 0.9, 5.0]], np.float32)
    old = np.array([[0.0, 0.0, 1.0, 0.0]], np.float32)
    returns = np.array([[0.5, 1.0, 0.0, 0.0]], np.float32)
    mask = np.array([[1, 1, 1, 0]], bool)
    return values, old, returns, mask


def test_value_loss_hand_computed():
    terms = jax.jit(pc.value_loss_terms)(*_value_example(), 0.2)
    # token 0: V=1.0 -> clipped 0.2; (1-.5)^2=.25 vs (.2-.5)^2=.09 -> 0.5*.25 = .125
    # token 1: V=0.5 -> clipped 0.2; (.5-1)^2=.25 vs (.2-1)^2=.64 -> 0.5*.64 = .32 (clip active)
    # token 2: V=0.9 within 0.2 of 1.0; .81 both -> .405; token 3 masked.
    assert float(terms["value_loss_sum"]) == pytest.approx(0.85, abs=1e-6)
    assert float(terms["value_clipped_tokens"]) == 1.0
    assert float(terms["return_sum"]) == pytest.approx(1.5)
    assert float(terms["return_sq_sum"]) == pytest.approx(1.25)
    assert float(terms["residual_sum"]) == pytest.approx(-0.9, abs=1e-6)
    assert float(terms["residual_sq_sum"]) == pytest.approx(1.31, abs=1e-6)


def _random_loss_batch(seed=6, rows=12, length=10):
    rng = np.random.default_rng(seed)
    mask = _ragged_masks(rows, length, seed)
    f = lambda *shape: rng.normal(size=shape).astype(np.float32)  # noqa: E731
    return dict(logprobs=f(rows, length) * 0.3 - 2, old_logprobs=f(rows, length) * 0.3 - 2,
                advantages=f(rows, length), values=f(rows, length),
                old_values=f(rows, length), returns=2 * f(rows, length) + 1, mask=mask)


def _all_terms(d):
    terms = pc.policy_loss_terms(d["logprobs"], d["old_logprobs"], d["advantages"], d["mask"],
                                 0.2)
    terms.update(pc.value_loss_terms(d["values"], d["old_values"], d["returns"], d["mask"], 0.5))
    return {k: np.asarray(v) for k, v in terms.items()}


def test_finalize_metrics_exact_over_micro_batches_and_explained_variance():
    d = _random_loss_batch()
    whole = _all_terms(d)
    halves = [_all_terms({k: v[s] for k, v in d.items()}) for s in (slice(0, 5), slice(5, None))]
    summed = {k: halves[0][k] + halves[1][k] for k in whole}
    full, parts = pc.finalize_metrics(whole), pc.finalize_metrics(summed)
    assert set(full) == {"policy_loss", "clip_fraction", "clip_fraction_low",
                         "clip_fraction_high", "dual_clip_fraction", "approx_kl", "value_loss",
                         "value_clip_fraction", "explained_variance"}
    for k in full:
        assert parts[k] == pytest.approx(full[k], rel=1e-5, abs=1e-6), k
    mask = d["mask"]
    ret, res = d["returns"][mask], (d["returns"] - d["values"])[mask]
    assert full["explained_variance"] == pytest.approx(1 - np.var(res) / np.var(ret), rel=1e-5)
    assert full["clip_fraction"] == pytest.approx(whole["clipped_tokens"] / mask.sum())
    # Entropy from its sum; jax values (here under jit) give jax scalars.
    with_entropy = dict(whole, entropy_sum=np.float32(7.0))
    jitted = jax.jit(pc.finalize_metrics)({k: jnp.asarray(v) for k, v in with_entropy.items()})
    assert float(jitted["entropy"]) == pytest.approx(7.0 / mask.sum(), rel=1e-6)
    assert float(jitted["explained_variance"]) == pytest.approx(full["explained_variance"],
                                                                rel=1e-4)
    # Constant returns: no variance to explain -> 0.
    const = dict(d, returns=np.full_like(d["returns"], 3.0))
    assert pc.finalize_metrics(_all_terms(const))["explained_variance"] == 0.0
    with pytest.raises(ValueError, match="tokens"):
        pc.finalize_metrics({"policy_loss_sum": 1.0})


def test_entropy_from_logits_extreme_values():
    logits = np.array([[[1e4, -1e4, 0.0, 1e4], [0.0, 0.0, 0.0, 0.0]],
                       [[-np.inf, 2.0, 3.0, -np.inf], [-1e30, 5.0, -3e4, 88.0]]], np.float32)
    out = np.asarray(entropy_from_logits(logits))
    x = logits.astype(np.float64)
    top = x.max(axis=-1, keepdims=True)
    logp = x - (top + np.log(np.exp(x - top).sum(axis=-1, keepdims=True)))
    p = np.exp(logp)
    ref = -np.where(p > 0, p * np.where(p > 0, logp, 0.0), 0.0).sum(axis=-1)
    assert np.all(np.isfinite(out)) and out.dtype == np.float32
    np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-6)
    assert out[0, 0] == pytest.approx(math.log(2), rel=1e-6)
    assert out[0, 1] == pytest.approx(math.log(4), rel=1e-6)


# ----------------------------------------------------------------------------- KL controllers


def test_kl_controllers_hand_numbers():
    for observed in (0.0, 6.0, 100.0):
        assert pc.update_kl_coef("fixed", 0.1, observed, 256, target_kl=6.0,
                                 horizon=10000) == 0.1
    step = functools.partial(pc.update_kl_coef, "adaptive", 0.1, n_steps=256, target_kl=6.0,
                             horizon=10000)
    assert step(observed_kl=6.6) == pytest.approx(0.1 * (1 + 0.1 * 0.0256))     # raise
    assert step(observed_kl=5.4) == pytest.approx(0.1 * (1 - 0.1 * 0.0256))     # lower
    assert step(observed_kl=6.0) == pytest.approx(0.1)
    assert step(observed_kl=600.0) == pytest.approx(0.1 * (1 + 0.2 * 0.0256))   # clamped +0.2
    assert step(observed_kl=0.0) == pytest.approx(0.1 * (1 - 0.2 * 0.0256))     # clamped -0.2
    with pytest.raises(ValueError, match=r"'pid'.*\['adaptive', 'fixed'\]"):
        pc.update_kl_coef("pid", 0.1, 1.0, 1, target_kl=1.0, horizon=1)
    with pytest.raises(ValueError, match="target_kl"):
        pc.update_kl_coef("adaptive", 0.1, 1.0, 1, target_kl=0.0, horizon=1)


def test_adaptive_kl_converges_to_target():
    # A policy whose KL is inversely proportional to the coefficient: KL = c / coef.
    c, target, coef = 0.06, 6.0, 0.02   # starts at KL 3; the fixed point is coef 0.01
    gaps = []
    for _ in range(60):
        observed = c / coef
        gaps.append(abs(observed - target))
        coef = pc.update_kl_coef("adaptive", coef, observed, 512, target_kl=target,
                                 horizon=1024)
    assert gaps[0] == pytest.approx(3.0)
    assert all(b <= a + 1e-12 for a, b in zip(gaps, gaps[1:]))
    assert gaps[-1] < 1e-3 * target and coef == pytest.approx(0.01, rel=1e-3)


def test_loss_aggregation_weights_hand_computed():
    mask = np.array([[1, 1, 1, 0], [1, 0, 0, 0], [0, 0, 0, 0]], bool)
    token = np.asarray(pc.aggregation_weights("token_mean", mask))
    np.testing.assert_allclose(token, mask / 4.0)
    seq = np.asarray(pc.aggregation_weights("seq_mean_token_mean", mask))
    # two responses with tokens, each weighs 1/2: row 0's three tokens 1/6 each, row 1's 1/2
    np.testing.assert_allclose(seq, [[1 / 6, 1 / 6, 1 / 6, 0], [0.5, 0, 0, 0], [0, 0, 0, 0]])
    norm = np.asarray(pc.aggregation_weights("seq_mean_token_sum_norm", mask, 8))
    # two responses with tokens, each token 1 / (8 x 2) whatever its response's length
    np.testing.assert_allclose(norm, mask / 16.0)
    empty = np.zeros((2, 3), bool)
    for name in pc.LOSS_AGGREGATIONS:
        assert np.all(np.asarray(pc.aggregation_weights(name, empty)) == 0)
    with pytest.raises(ValueError, match="unknown loss aggregation 'mean'"):
        pc.aggregation_weights("mean", mask)


def test_loss_aggregation_against_numpy_loops_on_ragged_masks():
    rng = np.random.default_rng(4)
    loss = rng.standard_normal((6, 9)).astype(np.float32)
    mask = rng.random((6, 9)) < 0.6
    mask[2] = False  # a response with no valid token
    valid = [row[m] for row, m in zip(loss, mask) if m.any()]
    want = {"token_mean": np.concatenate(valid).mean(),
            "seq_mean_token_mean": np.mean([v.mean() for v in valid]),
            "seq_mean_token_sum_norm": np.mean([v.sum() / 12 for v in valid])}
    assert set(want) == set(pc.LOSS_AGGREGATIONS)
    for name, expected in want.items():
        got = float(jnp.sum(pc.aggregation_weights(name, mask, 12) * loss))
        assert got == pytest.approx(float(expected), rel=1e-5), name
