"""The jitted parts of a PPO iteration: rollout statistics, advantages and the update.

A rollout row is a left-padded prompt (P tokens) followed by the sampled response (R tokens),
laid out as one sequence so one forward pass scores every response token: the logits at
position P - 1 + t predict response token t, and the critic's value there is the value of the
state before token t. Three pure functions of arrays run on the mesh:

- `response_logprobs` / `response_values`: per-token log-probabilities (policy, reference) and
  values (critic) of a rollout;
- `make_advantage_fn`: scores -> token rewards (KL penalty included) -> advantages, returns;
- `make_ppo_update`: several epochs of shuffled minibatch updates of the policy and critic as
  one `lax.scan` (PureJaxRL's shape), with a guard that drops a non-finite minibatch step.

The values between them are typed pytrees: `Sequences` (what the model reads), `Rollout` (what
the update trains on) and `PPOState` (what it carries).
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any, Callable, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx

from codecorr_jax.sampling.sampler import SampleOutput
from codecorr_jax.train import ppo_core
from codecorr_jax.train.lm_step import BoundStep



class Sequences(NamedTuple):
    """Rollout rows as the model reads them: a left-padded prompt then the response, (B, P + R)."""

    input_ids: jax.Array  # int32
    positions: jax.Array  # int32 rotary positions, counting real tokens only
    segment_ids: jax.Array  # int32: 1 on real tokens, 0 on padding
    response_mask: jax.Array  # (B, R) bool: the sampled response tokens


class Rollout(NamedTuple):
    """What the update trains on: the sequences and per-token statistics of the sampling policy."""

    seq: Sequences
    old_logprobs: jax.Array  # (B, R) under the policy that sampled, at its temperature
    old_values: jax.Array  # (B, R) the critic's values; zeros without a critic
    advantages: jax.Array  # (B, R)
    returns: jax.Array  # (B, R) the critic's targets; zeros without a critic
    ref_logprobs: jax.Array | None = None  # (B, R) the reference's: only for KL in the loss
    is_weights: jax.Array | None = None  # (B, R) truncated importance weights (rl.tis_cap)


class PPOState(NamedTuple):
    """Parameters and optimizer states the update carries; critic fields are None without one."""

    policy: Any
    policy_opt: Any
    critic: Any = None
    critic_opt: Any = None


@dataclasses.dataclass(frozen=True)
class PPOHyperparams:
    """The update's settings; hashable, so they are static arguments of the compiled update."""

    clip_ratio_low: float = 0.2
    clip_ratio_high: float = 0.2
    clip_ratio_dual: float = 0.0  # 0: no dual clip
    value_clip: float = 0.2
    entropy_coef: float = 0.0
    ppo_epochs: int = 2
    minibatch_size: int = 32
    micro_batch_size: int = 0  # rows a forward / backward pass; 0: the whole minibatch
    max_log_ratio: float = 10.0  # the log-ratio is clamped before exp: one bad token cannot overflow
    policy_loss: str = "ppo"  # how the ratio is formed (ppo_core.POLICY_LOSSES)
    loss_agg: str = "token_mean"  # how per-token losses make a minibatch's (ppo_core registry)
    norm_length: int = 0  # seq_mean_token_sum_norm's constant (the response limit); 0: R
    kl_in_loss: bool = False  # KL to the reference as a loss term (else a reward penalty)
    kl_estimator: str = "k3"  # of the loss term
    use_critic: bool = True
    temperature: float = 1.0  # the sampling temperature: log-probs are those of the policy sampled

    @property
    def clip(self) -> ppo_core.Clip:
        return ppo_core.Clip(self.clip_ratio_low, self.clip_ratio_high, self.clip_ratio_dual,
                             self.max_log_ratio)


def round_up(length: int, multiple: int, limit: int | None = None) -> int:
    """`length` rounded up to a multiple of `multiple` (at least one), capped at `limit`."""
    out = max(-(-length // multiple), 1) * multiple
    return out if limit is None else min(out, limit)


def sequence_inputs(sample: SampleOutput, prompt_len: int | None = None,
                    response_len: int | None = None) -> Sequences:
    """Prompt + response as one sequence per row: token ids, rotary positions, segment ids.

    Left padding and the tokens after a row finished are padding (segment 0); positions count
    real tokens only, so they match the positions the sampler used. `prompt_len` keeps the last
    prompt columns and `response_len` the first response columns (every real token must fit),
    so a rollout of short responses trains on short sequences.
    """
    prompt_tokens, prompt_mask = sample.prompt_tokens, sample.prompt_mask
    tokens, response_mask = sample.tokens, sample.response_mask
    if prompt_len is not None:
        if prompt_mask[:, :prompt_tokens.shape[1] - prompt_len].any():
            raise ValueError(f"prompt_len={prompt_len} cuts real prompt tokens")
        prompt_tokens, prompt_mask = prompt_tokens[:, -prompt_len:], prompt_mask[:, -prompt_len:]
    if response_len is not None:
        if response_mask[:, response_len:].any():
            raise ValueError(f"response_len={response_len} cuts real response tokens")
        tokens, response_mask = tokens[:, :response_len], response_mask[:, :response_len]
    valid = np.concatenate([prompt_mask, response_mask], axis=1)
    input_ids = np.concatenate([prompt_tokens, tokens], axis=1).astype(np.int32)
    positions = np.maximum(np.cumsum(valid, axis=1) - 1, 0).astype(np.int32)
    return Sequences(input_ids, positions, valid.astype(np.int32),
                     np.asarray(response_mask, bool))


def _response_slice(x: jax.Array, response_len: int) -> jax.Array:
    """Positions P - 1 ... P + R - 2 of a (B, P + R, ...) array: those that predict responses."""
    start = x.shape[1] - response_len - 1
    return jax.lax.slice_in_dim(x, start, start + response_len, axis=1)


def _response_logprobs(model: Any, seq: Sequences,
                       temperature: float) -> tuple[jax.Array, jax.Array]:
    """(log-probabilities, entropies) (B, R) of the response tokens under the policy that
    sampled them (the model at `temperature`); the vocabulary is projected only at the response
    positions (in chunks when `model.config.logits_chunk` says so)."""
    out = model(seq.input_ids, seq.positions, seq.segment_ids, compute_logits=False)
    hidden = _response_slice(out.hidden, seq.response_mask.shape[1])
    return model.token_logprobs(hidden, _response_tokens(seq), temperature)


def _response_values(model: Any, seq: Sequences) -> jax.Array:
    out = model(seq.input_ids, seq.positions, seq.segment_ids)
    return _response_slice(out.values, seq.response_mask.shape[1])


def _response_tokens(seq: Sequences) -> jax.Array:
    return seq.input_ids[:, -seq.response_mask.shape[1]:]


@functools.partial(jax.jit, static_argnames=("graphdef", "temperature"))
def response_logprobs(graphdef: nnx.GraphDef, params: Any, rest: nnx.State, batch: Sequences,
                      temperature: float = 1.0) -> jax.Array:
    """(B, R) log-probabilities of the response tokens under the model at `temperature`
    (the sampling temperature, so the PPO ratio is that of the policy that sampled).

    Masked positions hold numbers too; every consumer multiplies by the response mask.
    """
    return _response_logprobs(nnx.merge(graphdef, params, rest), batch, temperature)[0]


@functools.partial(jax.jit, static_argnames=("graphdef",))
def response_values(graphdef: nnx.GraphDef, params: Any, rest: nnx.State,
                    batch: Sequences) -> jax.Array:
    """(B, R) critic values of the states before each response token."""
    return _response_values(nnx.merge(graphdef, params, rest), batch)


def make_advantage_fn(estimator: str, kl_estimator: str, *, group_size: int, gamma: float,
                      lam: float) -> Callable[..., dict[str, jax.Array]]:
    """The jitted `(scores, logprobs, ref_logprobs, values, mask, kl_coef) -> dict`.

    Returns advantages and returns (B, R), token rewards, and the per-token KL to the
    reference (masked), from which the loop logs and the adaptive KL controller reads.
    """
    estimate = ppo_core.get_estimator(estimator)

    def advantages(scores: jax.Array, logprobs: jax.Array, ref_logprobs: jax.Array,
                   values: jax.Array, mask: jax.Array, kl_coef: jax.Array) -> dict[str, jax.Array]:
        rewards, kl = ppo_core.token_rewards(scores, logprobs, ref_logprobs, mask, kl_coef,
                                             kl_estimator)
        adv, returns = estimate(rewards, values, mask, group_size=group_size, gamma=gamma,
                                lam=lam)
        return {"advantages": adv, "returns": returns, "rewards": rewards, "kl": kl}

    return jax.jit(advantages)


def _keep_if(finite: jax.Array, new: Any, old: Any) -> Any:
    return jax.tree.map(lambda n, o: jnp.where(finite, n, o), new, old)


def _micro_batches(tree: Any, count: int) -> Any:
    """(rows, ...) leaves -> (count, rows / count, ...): consecutive micro-batches."""
    return jax.tree.map(lambda x: x.reshape(count, x.shape[0] // count, *x.shape[1:]), tree)


def make_ppo_update(policy_graphdef: nnx.GraphDef, policy_rest: nnx.State,
                    critic_graphdef: nnx.GraphDef | None, critic_rest: nnx.State | None,
                    policy_tx: optax.GradientTransformation,
                    critic_tx: optax.GradientTransformation | None,
                    hp: PPOHyperparams) -> BoundStep:
    """The jitted update `(state, rollout, key, kl_coef) -> (state, metric sums)`.

    `hp.ppo_epochs` passes over the rollout, each a fresh permutation of its rows cut into
    minibatches of `hp.minibatch_size` rows; one optimizer step of each model per minibatch.
    The policy loss is `hp.policy_loss`'s clipped surrogate (times the rollout's importance
    weights, if any), minus the entropy bonus, plus `kl_coef` x KL to the reference when
    `hp.kl_in_loss`; its tokens weigh by `hp.loss_agg`, computed over the whole minibatch, so
    cutting it into micro-batches of `hp.micro_batch_size` rows (gradients summed) changes
    nothing but memory. The value loss is a token mean. A minibatch whose losses or gradients
    are not finite changes nothing and is counted. The sums are over every minibatch (see
    `ppo_core.finalize_metrics`), plus "skipped" and "minibatches". Without a critic
    (`hp.use_critic=False`) the state's critic fields pass through untouched. The state is
    donated; the models' frozen parts (`*_rest`) are bound arguments, not constants.
    """
    micro = hp.micro_batch_size or hp.minibatch_size
    if hp.minibatch_size % micro:
        raise ValueError(f"rl.micro_batch_size={micro} must divide "
                         f"rl.minibatch_size={hp.minibatch_size}")
    micro_count = hp.minibatch_size // micro

    def policy_objective(params: Any, mb: Rollout, weights: jax.Array, kl_coef: jax.Array,
                         rest: nnx.State) -> tuple[jax.Array, dict[str, jax.Array]]:
        model = nnx.merge(policy_graphdef, params, rest)
        logprobs, entropy = _response_logprobs(model, mb.seq, hp.temperature)
        mask = mb.seq.response_mask
        terms = ppo_core.surrogate(logprobs, mb.old_logprobs, mb.advantages, mask, hp.clip,
                                   hp.policy_loss)
        per_token = terms.loss if mb.is_weights is None else terms.loss * mb.is_weights
        per_token_objective = per_token - hp.entropy_coef * entropy
        sums = {**ppo_core.policy_sums(terms, mask, per_token),
                "entropy_sum": ppo_core.masked_sum(entropy, mask)}
        if hp.kl_in_loss:
            kl = ppo_core.kl_penalty(logprobs, mb.ref_logprobs, hp.kl_estimator)
            per_token_objective = per_token_objective + kl_coef * kl
            sums["kl_loss_sum"] = ppo_core.masked_sum(kl, mask)
        return jnp.sum(weights * per_token_objective), sums

    def critic_objective(params: Any, mb: Rollout, weights: jax.Array,
                         rest: nnx.State) -> tuple[jax.Array, dict[str, jax.Array]]:
        values = _response_values(nnx.merge(critic_graphdef, params, rest), mb.seq)
        terms = ppo_core.value_loss_terms(values, mb.old_values, mb.returns,
                                          mb.seq.response_mask, hp.value_clip)
        per_token = ppo_core.clipped_value_loss(values, mb.old_values, mb.returns,
                                                hp.value_clip)
        return jnp.sum(weights * per_token), terms

    policy_grad = jax.value_and_grad(policy_objective, has_aux=True)
    critic_grad = jax.value_and_grad(critic_objective, has_aux=True)

    def accumulate(grad_fn: Callable, params: Any, mb: Rollout,
                   *extra: Any) -> tuple[jax.Array, dict[str, jax.Array], Any]:
        """(loss, sums, grads) of the minibatch, micro-batch by micro-batch (`weights`, the
        first of `extra`, are the minibatch's, so the sums are the minibatch's exactly)."""
        if micro_count == 1:
            (loss, sums), grads = grad_fn(params, mb, *extra)
            return loss, sums, grads
        weights, rest = extra[0], extra[1:]
        parts = (_micro_batches(mb, micro_count), _micro_batches(weights, micro_count))

        def one(total: Any, part: tuple[Rollout, jax.Array]) -> tuple[Any, None]:
            return jax.tree.map(jnp.add, total, grad_fn(params, *part, *rest)), None

        shapes = jax.eval_shape(grad_fn, params, *jax.tree.map(lambda x: x[0], parts), *rest)
        zeros = jax.tree.map(lambda x: jnp.zeros(x.shape, x.dtype), shapes)
        ((loss, sums), grads), _ = jax.lax.scan(one, zeros, parts)
        return loss, sums, grads

    def minibatch_step(carry: tuple[PPOState, jax.Array], mb: Rollout, rests: tuple[Any, Any]
                       ) -> tuple[tuple[PPOState, jax.Array], dict[str, jax.Array]]:
        state, kl_coef = carry
        mask = mb.seq.response_mask
        weights = ppo_core.aggregation_weights(hp.loss_agg, mask, hp.norm_length or None)
        loss, sums, grads = accumulate(policy_grad, state.policy, mb, weights, kl_coef,
                                       rests[0])
        grad_norm = optax.tree.norm(grads)
        updates, policy_opt = policy_tx.update(grads, state.policy_opt, state.policy)
        new = state._replace(policy=optax.apply_updates(state.policy, updates),
                             policy_opt=policy_opt)
        finite = jnp.isfinite(loss) & jnp.isfinite(grad_norm)
        sums = {**sums, "policy_grad_norm_sum": grad_norm}
        if hp.use_critic:
            value_weights = ppo_core.aggregation_weights("token_mean", mask)
            value_loss, value_sums, value_grads = accumulate(critic_grad, state.critic, mb,
                                                             value_weights, rests[1])
            value_grad_norm = optax.tree.norm(value_grads)
            value_updates, critic_opt = critic_tx.update(value_grads, state.critic_opt,
                                                         state.critic)
            new = new._replace(critic=optax.apply_updates(state.critic, value_updates),
                               critic_opt=critic_opt)
            finite &= jnp.isfinite(value_loss) & jnp.isfinite(value_grad_norm)
            sums = {**sums, **value_sums, "value_grad_norm_sum": value_grad_norm}
        new = _keep_if(finite, new, state)
        # A dropped step contributes its counts, not its (possibly NaN) sums.
        sums = {k: jnp.where(finite, v, 0.0) for k, v in sums.items()}
        sums["skipped"] = 1.0 - finite.astype(jnp.float32)
        # the source of a drop: the policy's loss, else its gradient, else the critic's
        policy_loss_bad = ~jnp.isfinite(loss)
        policy_grad_bad = ~policy_loss_bad & ~jnp.isfinite(grad_norm)
        sums["skipped_loss"] = policy_loss_bad.astype(jnp.float32)
        sums["skipped_grad"] = policy_grad_bad.astype(jnp.float32)
        sums["skipped_value"] = (~finite & ~policy_loss_bad & ~policy_grad_bad).astype(
            jnp.float32)
        sums["minibatches"] = jnp.ones((), jnp.float32)
        return (new, kl_coef), sums

    def update(state: PPOState, rollout: Rollout, key: jax.Array, kl_coef: jax.Array | float,
               rests: tuple[Any, Any]) -> tuple[PPOState, dict[str, jax.Array]]:
        rows = rollout.seq.response_mask.shape[0]
        if rows % hp.minibatch_size:
            raise ValueError(f"a rollout of {rows} rows does not split into minibatches of "
                             f"rl.minibatch_size={hp.minibatch_size}")
        if hp.kl_in_loss and rollout.ref_logprobs is None:
            raise ValueError("rl.kl_in_loss needs the rollout's ref_logprobs")
        count = rows // hp.minibatch_size
        kl_coef = jnp.asarray(kl_coef, jnp.float32)

        def epoch(state: PPOState, epoch_key: jax.Array) -> tuple[PPOState, dict]:
            order = jax.random.permutation(epoch_key, rows)
            shuffled = jax.tree.map(
                lambda x: x[order].reshape(count, hp.minibatch_size, *x.shape[1:]), rollout)
            (state, _), sums = jax.lax.scan(functools.partial(minibatch_step, rests=rests),
                                            (state, kl_coef), shuffled)
            return state, sums

        state, sums = jax.lax.scan(epoch, state, jax.random.split(key, hp.ppo_epochs))
        return state, jax.tree.map(jnp.sum, sums)

    return BoundStep(jax.jit(update, donate_argnums=(0,)), rests=(policy_rest, critic_rest))
