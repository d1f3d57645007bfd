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
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any, Callable, Mapping

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx

from codecorr_jax.sampling.sampler import SampleOutput
from codecorr_jax.train import ppo_core

Rollout = Mapping[str, jax.Array]
# Keys of the rollout arrays the update reads, all (B, ...) with rows in the same order.
SEQUENCE_KEYS = ("input_ids", "positions", "segment_ids")
UPDATE_KEYS = SEQUENCE_KEYS + ("response_mask", "old_logprobs", "old_values", "advantages",
                               "returns")


@dataclasses.dataclass(frozen=True)
class PPOHyperparams:
    """The update's settings; hashable, so they are static arguments of the compiled update."""

    clip_ratio: float = 0.2
    value_clip: float = 0.2
    entropy_coef: float = 0.0
    ppo_epochs: int = 2
    minibatch_size: int = 32
    max_log_ratio: float = 10.0  # the log-ratio is clamped before exp: one bad token cannot overflow
    use_critic: bool = True
    temperature: float = 1.0  # the sampling temperature: log-probs are those of the policy sampled


def sequence_inputs(sample: SampleOutput) -> dict[str, np.ndarray]:
    """Prompt + response as one sequence per row: token ids, rotary positions, segment ids.

    Left padding and the tokens after a row finished are padding (segment 0); positions count
    real tokens only, so they match the positions the sampler used.
    """
    valid = np.concatenate([sample.prompt_mask, sample.response_mask], axis=1)
    input_ids = np.concatenate([sample.prompt_tokens, sample.tokens], axis=1).astype(np.int32)
    positions = np.maximum(np.cumsum(valid, axis=1) - 1, 0).astype(np.int32)
    return {"input_ids": input_ids, "positions": positions,
            "segment_ids": valid.astype(np.int32),
            "response_mask": np.asarray(sample.response_mask, bool)}


def _response_slice(x: jax.Array, response_len: int) -> jax.Array:
    """Positions P - 1 ... P + R - 2 of a (B, P + R, ...) array: those that predict responses."""
    start = x.shape[1] - response_len - 1
    return jax.lax.slice_in_dim(x, start, start + response_len, axis=1)


def _response_logits(model: Any, batch: Rollout, temperature: float) -> jax.Array:
    """Logits of the policy that sampled the responses: the model's, divided by temperature."""
    response_len = batch["response_mask"].shape[1]
    out = model(batch["input_ids"], batch["positions"], batch["segment_ids"])
    return _response_slice(out.logits, response_len) / temperature


def _response_values(model: Any, batch: Rollout) -> jax.Array:
    out = model(batch["input_ids"], batch["positions"], batch["segment_ids"])
    return _response_slice(out.values, batch["response_mask"].shape[1])


def _token_logprobs(logits: jax.Array, tokens: jax.Array) -> jax.Array:
    logprobs = jax.nn.log_softmax(logits.astype(jnp.float32), axis=-1)
    return jnp.take_along_axis(logprobs, tokens[..., None], axis=-1)[..., 0]


def _response_tokens(batch: Rollout) -> jax.Array:
    return batch["input_ids"][:, -batch["response_mask"].shape[1]:]


@functools.partial(jax.jit, static_argnames=("graphdef", "temperature"))
def response_logprobs(graphdef: nnx.GraphDef, params: Any, rest: nnx.State, batch: Rollout,
                      temperature: float = 1.0) -> jax.Array:
    """(B, R) log-probabilities of the response tokens under the model at `temperature`
    (the sampling temperature, so the PPO ratio is that of the policy that sampled).

    Masked positions hold numbers too; every consumer multiplies by the response mask.
    """
    model = nnx.merge(graphdef, params, rest)
    return _token_logprobs(_response_logits(model, batch, temperature),
                           _response_tokens(batch))


@functools.partial(jax.jit, static_argnames=("graphdef",))
def response_values(graphdef: nnx.GraphDef, params: Any, rest: nnx.State,
                    batch: Rollout) -> jax.Array:
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


def make_ppo_update(policy_graphdef: nnx.GraphDef, policy_rest: nnx.State,
                    critic_graphdef: nnx.GraphDef | None, critic_rest: nnx.State | None,
                    policy_tx: optax.GradientTransformation,
                    critic_tx: optax.GradientTransformation | None,
                    hp: PPOHyperparams) -> Callable[..., Any]:
    """The jitted update `(policy, policy_opt, critic, critic_opt, rollout, key) -> (...)`.

    `hp.ppo_epochs` passes over the rollout, each a fresh permutation of its rows cut into
    minibatches of `hp.minibatch_size` rows; one optimizer step of each model per minibatch.
    Losses are token means within a minibatch. A minibatch whose losses or gradients are not
    finite changes nothing and is counted. Returns the new (policy, policy_opt, critic,
    critic_opt) and metric sums over every minibatch (see `ppo_core.finalize_metrics`), plus
    "skipped" and "minibatches". Without a critic (`hp.use_critic=False`) the critic arguments
    are passed through untouched (None is fine). Parameters and optimizer states are donated.
    """

    def policy_objective(params: Any, mb: Rollout) -> tuple[jax.Array, dict[str, jax.Array]]:
        model = nnx.merge(policy_graphdef, params, policy_rest)
        logits = _response_logits(model, mb, hp.temperature)
        mask = mb["response_mask"]
        logprobs = _token_logprobs(logits, _response_tokens(mb))
        terms = ppo_core.policy_loss_terms(logprobs, mb["old_logprobs"], mb["advantages"], mask,
                                           hp.clip_ratio, hp.max_log_ratio)
        entropy_sum = jnp.sum(ppo_core.entropy_from_logits(logits) * mask)
        tokens = jnp.maximum(terms["tokens"], 1.0)
        loss = (terms["policy_loss_sum"] - hp.entropy_coef * entropy_sum) / tokens
        return loss, {**terms, "entropy_sum": entropy_sum}

    def critic_objective(params: Any, mb: Rollout) -> tuple[jax.Array, dict[str, jax.Array]]:
        values = _response_values(nnx.merge(critic_graphdef, params, critic_rest), mb)
        terms = ppo_core.value_loss_terms(values, mb["old_values"], mb["returns"],
                                          mb["response_mask"], hp.value_clip)
        tokens = jnp.maximum(jnp.sum(mb["response_mask"].astype(jnp.float32)), 1.0)
        return terms["value_loss_sum"] / tokens, terms

    policy_grad = jax.value_and_grad(policy_objective, has_aux=True)
    critic_grad = jax.value_and_grad(critic_objective, has_aux=True)

    def minibatch_step(carry: tuple, mb: Rollout) -> tuple[tuple, dict[str, jax.Array]]:
        policy, policy_opt, critic, critic_opt = carry
        (loss, sums), grads = policy_grad(policy, mb)
        grad_norm = optax.tree.norm(grads)
        updates, new_policy_opt = policy_tx.update(grads, policy_opt, policy)
        new_policy = optax.apply_updates(policy, updates)
        finite = jnp.isfinite(loss) & jnp.isfinite(grad_norm)
        sums = {**sums, "policy_grad_norm_sum": grad_norm}
        new_critic, new_critic_opt = critic, critic_opt
        if hp.use_critic:
            (value_loss, value_sums), value_grads = critic_grad(critic, mb)
            value_grad_norm = optax.tree.norm(value_grads)
            value_updates, new_critic_opt = critic_tx.update(value_grads, critic_opt, critic)
            new_critic = optax.apply_updates(critic, value_updates)
            finite &= jnp.isfinite(value_loss) & jnp.isfinite(value_grad_norm)
            sums = {**sums, **value_sums, "value_grad_norm_sum": value_grad_norm}
        new = _keep_if(finite, (new_policy, new_policy_opt, new_critic, new_critic_opt), carry)
        # A dropped step contributes its counts, not its (possibly NaN) sums.
        sums = {k: jnp.where(finite, v, 0.0) for k, v in sums.items()}
        sums["skipped"] = 1.0 - finite.astype(jnp.float32)
        sums["minibatches"] = jnp.ones((), jnp.float32)
        return new, sums

    def update(policy: Any, policy_opt: Any, critic: Any, critic_opt: Any, rollout: Rollout,
               key: jax.Array) -> tuple[Any, Any, Any, Any, dict[str, jax.Array]]:
        rows = rollout["response_mask"].shape[0]
        if rows % hp.minibatch_size:
            raise ValueError(f"a rollout of {rows} rows does not split into minibatches of "
                             f"rl.minibatch_size={hp.minibatch_size}")
        count = rows // hp.minibatch_size
        data = {k: rollout[k] for k in UPDATE_KEYS}

        def epoch(carry: tuple, epoch_key: jax.Array) -> tuple[tuple, dict[str, jax.Array]]:
            order = jax.random.permutation(epoch_key, rows)
            shuffled = jax.tree.map(
                lambda x: x[order].reshape(count, hp.minibatch_size, *x.shape[1:]), data)
            return jax.lax.scan(minibatch_step, carry, shuffled)

        carry = (policy, policy_opt, critic, critic_opt)
        carry, sums = jax.lax.scan(epoch, carry, jax.random.split(key, hp.ppo_epochs))
        return (*carry, jax.tree.map(jnp.sum, sums))

    return jax.jit(update, donate_argnums=(0, 1, 2, 3))
