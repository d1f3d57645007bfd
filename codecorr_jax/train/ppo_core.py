"""The jitted PPO core: token rewards, advantage estimators, clipped losses, KL control.

Pure functions of (B, T) arrays, B responses by T response positions, with a boolean `mask` of
the response tokens. The mask may be any pattern (ragged, with holes, all-False rows): masked
positions are absent, they get zero rewards and advantages, take no part in whitening or group
statistics, and the GAE recursion steps over them. Rows of one prompt's samples are consecutive
(row i is in group i // group_size), which the group estimators (GRPO, RLOO) rely on.

Everything is float32 and jit-able. Arguments that pick code paths are static: estimator names,
`group_size`, `shift_mean`, `axis`; the public array functions are already wrapped in `jax.jit`
with those static, and nest inside a caller's jit. Numeric hyper-parameters (gamma, lam, kl_coef,
clip ratios, eps) may be Python floats or traced scalars. Losses return *sums* over valid tokens
(never means) so micro-batches and devices combine exactly; `finalize_metrics` turns the summed
terms into means once at the end.

The objectives are registries, selected by name in `config.rl` (the config validates against
these dicts): ESTIMATORS (advantages), POLICY_LOSSES (how the ratio is formed),
LOSS_AGGREGATIONS (how a minibatch's tokens weigh), KL_ESTIMATORS and KL_CONTROLLERS. A new
objective is one entry here and one test.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Mapping, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

# ---------------------------------------------------------------------------- KL to the reference


# Schulman's estimators of KL(pi || ref) from one sample of pi, as functions of the log-ratio
# d = log ref - log pi, clamped to +-KL_LOG_RATIO_LIMIT first (one diverged token cannot make
# an infinite penalty or gradient).
KL_LOG_RATIO_LIMIT = 20.0


def _kl_k1(d: jax.Array) -> jax.Array:
    """-d = log pi - log ref: unbiased, may be negative, high variance."""
    return -d


def _kl_k2(d: jax.Array) -> jax.Array:
    """d^2 / 2: biased, never negative, low variance (its gradient is that of KL's)."""
    return 0.5 * jnp.square(d)


def _kl_k3(d: jax.Array) -> jax.Array:
    """exp(d) - d - 1: unbiased, never negative, lower variance (GRPO's KL loss)."""
    return jnp.expm1(d) - d


KL_ESTIMATORS: dict[str, Callable[[jax.Array], jax.Array]] = {
    "k1": _kl_k1,
    "k2": _kl_k2,
    "k3": _kl_k3,
}


def _f32(x: Any) -> jax.Array:
    return jnp.asarray(x, jnp.float32)


def _bool(mask: Any) -> jax.Array:
    return jnp.asarray(mask).astype(bool)


def _lookup(registry: Mapping[str, Any], name: str, what: str) -> Any:
    if name not in registry:
        raise ValueError(f"unknown {what} {name!r}; allowed: {sorted(registry)}")
    return registry[name]


@functools.partial(jax.jit, static_argnames=("estimator",))
def kl_penalty(logprobs: jax.Array, ref_logprobs: jax.Array, estimator: str) -> jax.Array:
    """Per-token estimate of KL(policy || ref) from the sampled tokens' log-probs (unmasked)."""
    fn = _lookup(KL_ESTIMATORS, estimator, "kl_estimator")
    d = jnp.clip(_f32(ref_logprobs) - _f32(logprobs), -KL_LOG_RATIO_LIMIT, KL_LOG_RATIO_LIMIT)
    return fn(d)


# -------------------------------------------------------------------------------- token rewards


@jax.jit
def last_valid_index(mask: jax.Array) -> jax.Array:
    """(B,) int32 index of each row's last valid position; 0 for a row without any."""
    mask = _bool(mask)
    positions = jnp.arange(mask.shape[-1], dtype=jnp.int32)
    return jnp.max(jnp.where(mask, positions, 0), axis=-1).astype(jnp.int32)


@functools.partial(jax.jit, static_argnames=("kl_estimator",))
def token_rewards(scores: jax.Array, logprobs: jax.Array, ref_logprobs: jax.Array,
                  mask: jax.Array, kl_coef: Any,
                  kl_estimator: str) -> tuple[jax.Array, jax.Array]:
    """Dense (B, T) rewards: the KL penalty on every valid token, the program's score on the last.

    Returns (rewards, kl), both zero at masked positions; a row with no valid token gets nothing
    (its score has no token to land on).
    """
    mask = _bool(mask)
    kl = jnp.where(mask, kl_penalty(logprobs, ref_logprobs, kl_estimator), 0.0)
    rewards = -_f32(kl_coef) * kl
    last = jax.nn.one_hot(last_valid_index(mask), mask.shape[-1], dtype=bool) & mask
    rewards = rewards + jnp.where(last, _f32(scores)[:, None], 0.0)
    return rewards, kl


# --------------------------------------------------------------------------- masked statistics


def masked_sum(x: jax.Array, mask: jax.Array, axis: int | tuple[int, ...] | None = None
               ) -> jax.Array:
    """Sum of `x` over valid positions along `axis` (masked values, even NaN, ignored)."""
    return jnp.sum(jnp.where(_bool(mask), _f32(x), 0.0), axis=axis)


@functools.partial(jax.jit, static_argnames=("axis",))
def masked_mean(x: jax.Array, mask: jax.Array, axis: int | tuple[int, ...] | None = None
                ) -> jax.Array:
    """Mean of `x` over valid positions along `axis`; 0 where there is none."""
    mask = _bool(mask)
    total = masked_sum(x, mask, axis)
    count = jnp.sum(mask, axis=axis, dtype=jnp.float32)
    return total / jnp.maximum(count, 1.0)


@functools.partial(jax.jit, static_argnames=("shift_mean",))
def masked_whiten(x: jax.Array, mask: jax.Array, shift_mean: bool = True,
                  eps: float = 1e-8) -> jax.Array:
    """Normalize to unit variance over valid tokens only; masked positions -> 0.

    The variance is the sample one (divided by n - 1, as in verl, TRL and Tunix). With
    `shift_mean` the mean is also removed; without it the mean is kept (only scaled), which
    keeps the sign of an all-positive advantage batch.
    """
    mask = _bool(mask)
    x = _f32(x)
    mean = masked_mean(x, mask)
    count = jnp.sum(mask, dtype=jnp.float32)
    var = masked_sum(jnp.square(x - mean), mask) / jnp.maximum(count - 1.0, 1.0)
    out = (x - mean) * jax.lax.rsqrt(var + _f32(eps))
    if not shift_mean:
        out = out + mean
    return jnp.where(mask, out, 0.0)


# ----------------------------------------------------------------------------------------- GAE


@jax.jit
def gae(rewards: jax.Array, values: jax.Array, mask: jax.Array, gamma: float,
        lam: float) -> tuple[jax.Array, jax.Array]:
    """Generalized advantage estimation by one reverse `lax.scan` over time, vectorized over rows.

    Masked positions are absent: they get advantage 0 and pass the carry (next value, next
    advantage) on unchanged, so a hole in the mask joins its neighbours as if adjacent. The
    value after a row's last valid token is 0 (the episode ends there). Returns (advantages,
    returns) with returns = advantages + values on valid tokens, 0 elsewhere.
    """
    mask = _bool(mask)
    rewards, values = _f32(rewards), _f32(values)
    gamma, lam = _f32(gamma), _f32(lam)

    def step(carry, xs):
        next_value, next_adv = carry
        r, v, m = xs
        adv = r + gamma * next_value - v + gamma * lam * next_adv
        new_value = jnp.where(m, v, next_value)
        new_adv = jnp.where(m, adv, next_adv)
        return (new_value, new_adv), jnp.where(m, adv, 0.0)

    zeros = jnp.zeros(rewards.shape[0], jnp.float32)
    _, adv_t = jax.lax.scan(step, (zeros, zeros), (rewards.T, values.T, mask.T), reverse=True)
    advantages = adv_t.T
    returns = jnp.where(mask, advantages + values, 0.0)
    return advantages, returns


# -------------------------------------------------------------------------- advantage estimators


def _grouped_returns(rewards: jax.Array, mask: jax.Array, group_size: int,
                     min_size: int, name: str) -> jax.Array:
    """(B / group_size, group_size) sequence returns: rewards summed over valid tokens."""
    rows = rewards.shape[0]
    if not isinstance(group_size, (int, np.integer)) or group_size < min_size:
        raise ValueError(f"{name}: group_size must be an int >= {min_size}, got {group_size!r}")
    if rows % group_size:
        raise ValueError(f"{name}: batch of {rows} rows is not divisible by "
                         f"group_size={group_size}")
    seq = masked_sum(rewards, mask, axis=-1)
    return seq.reshape(rows // group_size, group_size)


def _per_token(grouped_advantages: jax.Array, mask: jax.Array) -> tuple[jax.Array, jax.Array]:
    """A (groups, group_size) sequence advantage on each valid token of its row; zero returns
    (group estimators train no critic)."""
    per_row = grouped_advantages.reshape(-1)
    advantages = jnp.where(mask, per_row[:, None], 0.0)
    return advantages, jnp.zeros_like(advantages)


@functools.partial(jax.jit, static_argnames=("group_size",))
def _gae_estimator(rewards: jax.Array, values: jax.Array, mask: jax.Array, *, group_size: int,
                   gamma: float, lam: float) -> tuple[jax.Array, jax.Array]:
    """GAE with batch-whitened advantages; returns stay unwhitened (the critic's targets).

    `group_size` is accepted for a uniform call and ignored (GAE does not look at groups).
    """
    del group_size
    mask = _bool(mask)
    advantages, returns = gae(rewards, values, mask, gamma, lam)
    return masked_whiten(advantages, mask), returns


@functools.partial(jax.jit, static_argnames=("group_size",))
def _grpo_estimator(rewards: jax.Array, values: jax.Array, mask: jax.Array, *, group_size: int,
                    gamma: float, lam: float) -> tuple[jax.Array, jax.Array]:
    """GRPO: each sample's return standardized within its group (sample std, ddof 1, + 1e-6,
    as DeepSeekMath's implementations in TRL, verl and Tunix)."""
    del values, gamma, lam
    mask = _bool(mask)
    grouped = _grouped_returns(_f32(rewards), mask, group_size, 2, "grpo")
    mean = jnp.mean(grouped, axis=-1, keepdims=True)
    std = jnp.std(grouped, axis=-1, keepdims=True, ddof=1)
    return _per_token((grouped - mean) / (std + 1e-6), mask)


@functools.partial(jax.jit, static_argnames=("group_size",))
def _rloo_estimator(rewards: jax.Array, values: jax.Array, mask: jax.Array, *, group_size: int,
                    gamma: float, lam: float) -> tuple[jax.Array, jax.Array]:
    """RLOO: each sample's return minus the mean return of the other samples of its group."""
    del values, gamma, lam
    mask = _bool(mask)
    grouped = _grouped_returns(_f32(rewards), mask, group_size, 2, "rloo")
    others = (jnp.sum(grouped, axis=-1, keepdims=True) - grouped) / (group_size - 1)
    return _per_token(grouped - others, mask)


@functools.partial(jax.jit, static_argnames=("group_size",))
def _drgrpo_estimator(rewards: jax.Array, values: jax.Array, mask: jax.Array, *,
                      group_size: int, gamma: float, lam: float) -> tuple[jax.Array, jax.Array]:
    """Dr. GRPO (Liu et al. 2025): the return minus its group's mean, not divided by the std
    (which up-weights prompts that are nearly always or never solved)."""
    del values, gamma, lam
    mask = _bool(mask)
    grouped = _grouped_returns(_f32(rewards), mask, group_size, 1, "drgrpo")
    return _per_token(grouped - jnp.mean(grouped, axis=-1, keepdims=True), mask)


@functools.partial(jax.jit, static_argnames=("group_size",))
def _reinforce_pp_estimator(rewards: jax.Array, values: jax.Array, mask: jax.Array, *,
                            group_size: int, gamma: float,
                            lam: float) -> tuple[jax.Array, jax.Array]:
    """REINFORCE++ (Hu 2025): each token's discounted return-to-go of the token rewards (the
    KL penalty included), whitened over every valid token of the batch; no groups, no critic."""
    del values, group_size, lam
    mask = _bool(mask)
    rewards = _f32(rewards)
    to_go, _ = gae(rewards, jnp.zeros_like(rewards), mask, gamma, 1.0)  # lambda 1, V = 0
    return masked_whiten(to_go, mask), jnp.zeros_like(rewards)


@functools.partial(jax.jit, static_argnames=("group_size",))
def _reinforce_pp_baseline_estimator(rewards: jax.Array, values: jax.Array, mask: jax.Array,
                                     *, group_size: int, gamma: float,
                                     lam: float) -> tuple[jax.Array, jax.Array]:
    """REINFORCE++-baseline: each sample's return minus its group's mean, then whitened over
    every valid token of the batch (group-relative, with a batch-wide scale)."""
    del values, gamma, lam
    mask = _bool(mask)
    grouped = _grouped_returns(_f32(rewards), mask, group_size, 1, "reinforce_pp_baseline")
    centred, returns = _per_token(grouped - jnp.mean(grouped, axis=-1, keepdims=True), mask)
    return masked_whiten(centred, mask), returns


ESTIMATORS: dict[str, Callable[..., tuple[jax.Array, jax.Array]]] = {
    "gae": _gae_estimator,
    "grpo": _grpo_estimator,
    "rloo": _rloo_estimator,
    "drgrpo": _drgrpo_estimator,
    "reinforce_pp": _reinforce_pp_estimator,
    "reinforce_pp_baseline": _reinforce_pp_baseline_estimator,
}
NEEDS_CRITIC: frozenset[str] = frozenset({"gae"})
# Estimators that compare the samples of one prompt: they need rl.samples_per_prompt >= 2.
GROUP_ESTIMATORS: frozenset[str] = frozenset({"grpo", "rloo", "drgrpo", "reinforce_pp_baseline"})


def get_estimator(name: str) -> Callable[..., tuple[jax.Array, jax.Array]]:
    """The advantage estimator `fn(rewards, values, mask, *, group_size, gamma, lam)`."""
    return _lookup(ESTIMATORS, name, "advantage estimator")


# -------------------------------------------------------------------------------------- losses


class Clip(NamedTuple):
    """The trust region of the policy ratio r: [1 - low, 1 + high] (DAPO's clip-higher when
    high > low); with dual > 1 the loss of a negative advantage is also capped at -A * dual
    (Ye et al.'s dual clip), so a token whose ratio ran far off cannot dominate."""

    low: Any = 0.2
    high: Any = 0.2
    dual: Any = 0.0  # 0: off
    max_log_ratio: Any = 10.0  # the log-ratio is clamped before exp: no overflow


def _token_log_ratio(logprobs: jax.Array, old_logprobs: jax.Array,
                     mask: jax.Array) -> jax.Array:
    """PPO: each token's own log pi / pi_old."""
    del mask
    return logprobs - old_logprobs


def _sequence_log_ratio(logprobs: jax.Array, old_logprobs: jax.Array,
                        mask: jax.Array) -> jax.Array:
    """GSPO (Zheng et al. 2025): the response's length-normalised log-ratio (the mean over its
    valid tokens) on each of its tokens, in the token form sg(s) + log pi - sg(log pi): its
    value is the sequence's, its gradient reaches each token (GSPO's gradient under
    seq_mean_token_mean aggregation)."""
    per_token = jnp.where(mask, logprobs - old_logprobs, 0.0)
    count = jnp.maximum(jnp.sum(mask, axis=-1, keepdims=True, dtype=jnp.float32), 1.0)
    sequence = jnp.sum(per_token, axis=-1, keepdims=True) / count
    return jax.lax.stop_gradient(sequence) + logprobs - jax.lax.stop_gradient(logprobs)


# How the policy ratio is formed: `fn(logprobs, old_logprobs, mask) -> (B, T) log-ratio`.
POLICY_LOSSES: dict[str, Callable[[jax.Array, jax.Array, jax.Array], jax.Array]] = {
    "ppo": _token_log_ratio,
    "gspo": _sequence_log_ratio,
}


class PolicyLoss(NamedTuple):
    """Per-token (B, T) terms of the clipped surrogate, unmasked."""

    loss: jax.Array
    clipped_low: jax.Array  # 1.0 where the lower clip bound is what the loss takes
    clipped_high: jax.Array  # 1.0 where the upper one is
    dual_clipped: jax.Array  # 1.0 where the dual clip caps a negative advantage's loss
    approx_kl: jax.Array  # k3 of the token's old vs new policy: how far the update moved


@functools.partial(jax.jit, static_argnames=("policy_loss",))
def surrogate(logprobs: jax.Array, old_logprobs: jax.Array, advantages: jax.Array,
              mask: jax.Array, clip: Clip, policy_loss: str = "ppo") -> PolicyLoss:
    """The clipped surrogate max(-A r, -A clip(r, 1 - low, 1 + high)) per token, with the
    ratio r of `policy_loss` (POLICY_LOSSES) and the optional dual clip."""
    form = _lookup(POLICY_LOSSES, policy_loss, "policy loss")
    mask = _bool(mask)
    logprobs, old_logprobs, adv = _f32(logprobs), _f32(old_logprobs), _f32(advantages)
    limit = _f32(clip.max_log_ratio)
    log_ratio = jnp.clip(form(logprobs, old_logprobs, mask), -limit, limit)
    ratio = jnp.exp(log_ratio)
    low, high = 1.0 - _f32(clip.low), 1.0 + _f32(clip.high)
    unclipped = -adv * ratio
    clipped = -adv * jnp.clip(ratio, low, high)
    loss = jnp.maximum(unclipped, clipped)
    takes_clip = clipped > unclipped
    dual = _f32(clip.dual)
    capped = (dual > 1.0) & (adv < 0) & (loss > -adv * dual)
    loss = jnp.where(capped, -adv * dual, loss)
    token_log_ratio = jnp.clip(logprobs - old_logprobs, -limit, limit)
    return PolicyLoss(loss, (takes_clip & (ratio < low)).astype(jnp.float32),
                      (takes_clip & (ratio > high)).astype(jnp.float32),
                      capped.astype(jnp.float32),
                      jnp.expm1(token_log_ratio) - token_log_ratio)


@functools.partial(jax.jit, static_argnames=("policy_loss",))
def policy_loss_terms(logprobs: jax.Array, old_logprobs: jax.Array, advantages: jax.Array,
                      mask: jax.Array, clip_ratio: Any, max_log_ratio: Any = 10.0, *,
                      clip_ratio_high: Any = None, clip_ratio_dual: Any = 0.0,
                      policy_loss: str = "ppo") -> dict[str, jax.Array]:
    """The clipped surrogate (`surrogate`) summed over valid tokens; `clip_ratio` is the lower
    bound's, and the upper one's too unless `clip_ratio_high` is given.

    Sums: policy_loss_sum, clipped_tokens (either bound), clipped_low_tokens,
    clipped_high_tokens, dual_clipped_tokens, approx_kl_sum, tokens.
    """
    clip = Clip(clip_ratio, clip_ratio if clip_ratio_high is None else clip_ratio_high,
                clip_ratio_dual, max_log_ratio)
    return policy_sums(surrogate(logprobs, old_logprobs, advantages, mask, clip, policy_loss),
                       mask)


def policy_sums(terms: PolicyLoss, mask: jax.Array,
                loss: jax.Array | None = None) -> dict[str, jax.Array]:
    """The surrogate's terms summed over valid tokens (`loss`: the per-token loss actually
    trained, e.g. importance-weighted; default `terms.loss`)."""
    mask = _bool(mask)
    total = functools.partial(masked_sum, mask=mask)
    return {"policy_loss_sum": total(terms.loss if loss is None else loss),
            "clipped_tokens": total(terms.clipped_low + terms.clipped_high),
            "clipped_low_tokens": total(terms.clipped_low),
            "clipped_high_tokens": total(terms.clipped_high),
            "dual_clipped_tokens": total(terms.dual_clipped),
            "approx_kl_sum": total(terms.approx_kl),
            "tokens": jnp.sum(mask, dtype=jnp.float32)}


# ----------------------------------------------------------------------------- loss aggregation


def _token_mean_weights(mask: jax.Array, norm_length: int) -> jax.Array:
    """Every valid token of the minibatch weighs the same (a long response weighs more;
    DAPO's token-level loss)."""
    del norm_length
    m = _bool(mask).astype(jnp.float32)
    return m / jnp.maximum(jnp.sum(m), 1.0)


def _seq_mean_token_mean_weights(mask: jax.Array, norm_length: int) -> jax.Array:
    """Every response with a valid token weighs the same; its tokens share that weight
    (GRPO's original aggregation: a long response's tokens each weigh less)."""
    del norm_length
    m = _bool(mask).astype(jnp.float32)
    per_row = jnp.sum(m, axis=-1, keepdims=True)
    rows = jnp.sum(per_row > 0, dtype=jnp.float32)
    return m / jnp.maximum(per_row, 1.0) / jnp.maximum(rows, 1.0)


def _seq_mean_token_sum_norm_weights(mask: jax.Array, norm_length: int) -> jax.Array:
    """Dr. GRPO's: each response's token sum divided by one constant (the longest response
    allowed, `norm_length`), then the mean over responses: no length bias either way."""
    m = _bool(mask).astype(jnp.float32)
    rows = jnp.sum(jnp.sum(m, axis=-1) > 0, dtype=jnp.float32)
    return m / float(norm_length) / jnp.maximum(rows, 1.0)


LOSS_AGGREGATIONS: dict[str, Callable[[jax.Array, int], jax.Array]] = {
    "token_mean": _token_mean_weights,
    "seq_mean_token_mean": _seq_mean_token_mean_weights,
    "seq_mean_token_sum_norm": _seq_mean_token_sum_norm_weights,
}


@functools.partial(jax.jit, static_argnames=("name", "norm_length"))
def aggregation_weights(name: str, mask: jax.Array, norm_length: int | None = None) -> jax.Array:
    """(B, T) weights of the per-token losses under aggregation `name`: zero on masked
    positions. Computed over a whole minibatch, they make a micro-batch's weighted sum its
    exact share of the minibatch's loss. `norm_length`: the constant of
    seq_mean_token_sum_norm (default T)."""
    fn = _lookup(LOSS_AGGREGATIONS, name, "loss aggregation")
    return fn(mask, int(norm_length or mask.shape[-1]))


# ------------------------------------------------------------------ response shaping, mismatch


@functools.partial(jax.jit, static_argnames=("max_length", "buffer"))
def overlong_penalty(lengths: jax.Array, truncated: jax.Array, *, max_length: int,
                     buffer: int, penalty: Any = 1.0) -> jax.Array:
    """DAPO's soft overlong punishment, (B,) to add to the scores: 0 up to max_length - buffer
    tokens, then falling linearly to -penalty at max_length; -penalty for a truncated response
    (one that never ended)."""
    lengths = _f32(lengths)
    start = float(max_length - buffer)
    ramp = -jnp.clip(lengths - start, 0.0, float(buffer)) / float(max(buffer, 1)) * _f32(penalty)
    return jnp.where(_bool(truncated), -_f32(penalty), ramp)


@jax.jit
def truncated_importance_weights(logprobs: jax.Array, sampler_logprobs: jax.Array,
                                 cap: Any) -> tuple[jax.Array, jax.Array]:
    """Sampler / trainer mismatch (Yao et al. 2025): the tokens were drawn from the sampler's
    distribution, the update assumes the trainer's. Returns (B, T) weights
    min(pi_trainer / pi_sampler, cap) for each token's loss, and the per-token k3 estimate of
    KL(sampler || trainer) as the mismatch metric (both unmasked)."""
    d = jnp.clip(_f32(logprobs) - _f32(sampler_logprobs), -KL_LOG_RATIO_LIMIT,
                 KL_LOG_RATIO_LIMIT)
    return jnp.minimum(jnp.exp(d), _f32(cap)), jnp.expm1(d) - d


def _value_errors(values: jax.Array, old_values: jax.Array, returns: jax.Array,
                  value_clip: Any) -> tuple[jax.Array, jax.Array]:
    """Squared errors of the values and of the values clipped to +-value_clip of the old."""
    clip = _f32(value_clip)
    v_clipped = old_values + jnp.clip(values - old_values, -clip, clip)
    return jnp.square(values - returns), jnp.square(v_clipped - returns)


@jax.jit
def clipped_value_loss(values: jax.Array, old_values: jax.Array, returns: jax.Array,
                       value_clip: Any) -> jax.Array:
    """Per token 0.5 * max((V - R)^2, (V_clip - R)^2), unmasked."""
    plain_sq, clipped_sq = _value_errors(_f32(values), _f32(old_values), _f32(returns),
                                         value_clip)
    return 0.5 * jnp.maximum(plain_sq, clipped_sq)


@jax.jit
def value_loss_terms(values: jax.Array, old_values: jax.Array, returns: jax.Array,
                     mask: jax.Array, value_clip: float) -> dict[str, jax.Array]:
    """Clipped value loss 0.5 * max((V - R)^2, (V_clip - R)^2), summed over valid tokens.

    Also the sums explained variance needs (returns and residuals R - V, and their squares),
    so it can be finalized exactly after micro-batches are added up. The token count is the
    policy terms' "tokens" (same mask).
    """
    mask = _bool(mask)
    values, old_values, returns = _f32(values), _f32(old_values), _f32(returns)
    plain_sq, clipped_sq = _value_errors(values, old_values, returns, value_clip)
    residual = returns - values
    total = functools.partial(masked_sum, mask=mask)
    return {"value_loss_sum": total(0.5 * jnp.maximum(plain_sq, clipped_sq)),
            "value_clipped_tokens": total((clipped_sq > plain_sq).astype(jnp.float32)),
            "return_sum": total(returns),
            "return_sq_sum": total(jnp.square(returns)),
            "residual_sum": total(residual),
            "residual_sq_sum": total(jnp.square(residual))}


_MEANS = {"policy_loss": "policy_loss_sum", "clip_fraction": "clipped_tokens",
          "clip_fraction_low": "clipped_low_tokens", "clip_fraction_high": "clipped_high_tokens",
          "dual_clip_fraction": "dual_clipped_tokens", "kl_loss": "kl_loss_sum",
          "approx_kl": "approx_kl_sum", "entropy": "entropy_sum",
          "value_loss": "value_loss_sum", "value_clip_fraction": "value_clipped_tokens"}
_EV_KEYS = ("return_sum", "return_sq_sum", "residual_sum", "residual_sq_sum")


def finalize_metrics(sums: Mapping[str, Any]) -> dict[str, float | jax.Array]:
    """Per-token means from summed terms (numpy / Python values -> floats, jax values -> arrays).

    Needs "tokens"; each mean appears when its sum is present. Explained variance is
    1 - Var(R - V) / Var(R) over valid tokens, from first and second moments; it is 0 when
    Var(R) is 0 (below 1e-6 of the mean square, float32's resolution of these sums).
    """
    if "tokens" not in sums:
        raise ValueError(f"finalize_metrics needs the 'tokens' count; got keys {sorted(sums)}")
    use_jax = any(isinstance(v, jax.Array) for v in sums.values())
    xp: Any = jnp if use_jax else np
    conv = (lambda v: jnp.asarray(v, jnp.float32)) if use_jax else (lambda v: np.float64(v))
    n = xp.maximum(conv(sums["tokens"]), 1.0)
    out: dict[str, Any] = {}
    for name, key in _MEANS.items():
        if key in sums:
            out[name] = conv(sums[key]) / n
    if all(k in sums for k in _EV_KEYS):
        ret_mean = conv(sums["return_sum"]) / n
        ret_sq = conv(sums["return_sq_sum"]) / n
        var_ret = ret_sq - ret_mean ** 2
        res_mean = conv(sums["residual_sum"]) / n
        var_res = conv(sums["residual_sq_sum"]) / n - res_mean ** 2
        has_var = var_ret > 1e-6 * ret_sq
        out["explained_variance"] = xp.where(
            has_var, 1.0 - var_res / xp.where(has_var, var_ret, 1.0), 0.0)
    if not use_jax:
        out = {k: float(v) for k, v in out.items()}
    return out


# ------------------------------------------------------------------------------ KL controllers


def _fixed_kl(kl_coef: float, observed_kl: float, n_steps: int, *, target_kl: float,
              horizon: int) -> float:
    """A constant coefficient."""
    del observed_kl, n_steps, target_kl, horizon
    return float(kl_coef)


def _adaptive_kl(kl_coef: float, observed_kl: float, n_steps: int, *, target_kl: float,
                 horizon: int) -> float:
    """Ziegler et al. (2019): move the coefficient proportionally toward the target KL.

    The proportional error is clipped to +-0.2 so one noisy KL reading moves the coefficient by
    at most 20% x n_steps / horizon.
    """
    if not target_kl > 0:
        raise ValueError(f"adaptive KL controller: target_kl must be > 0, got {target_kl!r}")
    if not horizon > 0:
        raise ValueError(f"adaptive KL controller: horizon must be > 0, got {horizon!r}")
    error = float(np.clip(float(observed_kl) / target_kl - 1.0, -0.2, 0.2))
    return float(kl_coef) * (1.0 + error * n_steps / horizon)


KL_CONTROLLERS: dict[str, Callable[..., float]] = {
    "fixed": _fixed_kl,
    "adaptive": _adaptive_kl,
}


def update_kl_coef(name: str, kl_coef: float, observed_kl: float, n_steps: int, *,
                   target_kl: float, horizon: int) -> float:
    """The next KL coefficient from controller `name` after `n_steps` samples at `observed_kl`."""
    fn = _lookup(KL_CONTROLLERS, name, "kl controller")
    return fn(kl_coef, observed_kl, n_steps, target_kl=target_kl, horizon=horizon)
