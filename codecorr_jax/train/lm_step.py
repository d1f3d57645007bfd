"""The jitted language-model train step, shared by pretraining and SFT.

One pure function of (params, optimizer state, batch): masked next-token loss, gradients
accumulated over micro-batches by `lax.scan`, an optax update, and a guard that drops a step
whose loss or gradient is not finite (the parameters and optimizer state stay as they were and
the step is counted as skipped). Parameters are plain dicts (`nnx.to_pure_dict`), so optimizer
state and checkpoints are ordinary pytrees.
"""

from __future__ import annotations

from typing import Any, Mapping

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx

Batch = Mapping[str, jax.Array]


def token_nll(logits: jax.Array, targets: jax.Array,
              loss_mask: jax.Array) -> tuple[jax.Array, jax.Array]:
    """Sum of -log p(target) over masked positions, and the number of those positions.

    Computed as logsumexp - logit[target] so no second (batch, length, vocab) array is made.
    Sums (not means) let micro-batches and devices combine exactly.
    """
    logits = logits.astype(jnp.float32)
    mask = loss_mask.astype(jnp.float32)
    target_logit = jnp.take_along_axis(logits, targets[..., None], axis=-1)[..., 0]
    nll = jax.nn.logsumexp(logits, axis=-1) - target_logit
    return jnp.sum(nll * mask), jnp.sum(mask)


def random_batch(vocab_size: int, rows: int, length: int, seed: int = 0) -> dict[str, np.ndarray]:
    """Random token rows, one sequence each with a loss on every token: what throughput and
    memory measurements feed the step."""
    ids = np.random.default_rng(seed).integers(1, vocab_size, (rows, length), dtype=np.int32)
    return dict(input_ids=ids, targets=ids, loss_mask=np.ones(ids.shape, np.float32),
                segment_ids=np.ones_like(ids),
                positions=np.broadcast_to(np.arange(length, dtype=np.int32), ids.shape))


def split_micro_batches(batch: Mapping[str, np.ndarray], accum_steps: int) -> dict[str, np.ndarray]:
    """(batch, ...) arrays -> (accum_steps, batch / accum_steps, ...), the step's input layout."""
    rows = next(iter(batch.values())).shape[0]
    if rows % accum_steps:
        raise ValueError(f"batch of {rows} rows does not split into grad_accum_steps="
                         f"{accum_steps} equal micro-batches")
    return {k: np.asarray(v).reshape(accum_steps, rows // accum_steps, *np.shape(v)[1:])
            for k, v in batch.items()}


def make_train_step(graphdef: nnx.GraphDef, rest: nnx.State,
                    tx: optax.GradientTransformation) -> "BoundStep":
    """The jitted step `(params, opt_state, batch) -> (params, opt_state, metrics)`.

    `batch` leaves are (accum_steps, micro_batch, length) (see `split_micro_batches`); the loss
    is the mean over all masked tokens of all micro-batches, so accumulation equals one large
    batch. `params` and `opt_state` are donated. Metrics: loss, grad_norm (before clipping),
    tokens (masked targets), skipped (1 when the update was dropped as non-finite) and its
    source: skipped_loss (the loss was not finite) or skipped_grad (the loss was, the gradient
    not).
    """

    def nll_sum(params: Any, micro: Batch, rest: Any) -> tuple[jax.Array, jax.Array]:
        model = nnx.merge(graphdef, params, rest)
        if not model.config.logits_chunk:
            logits = model(micro["input_ids"], micro["positions"], micro["segment_ids"]).logits
            return token_nll(logits, micro["targets"], micro["loss_mask"])
        hidden = model(micro["input_ids"], micro["positions"], micro["segment_ids"],
                       compute_logits=False).hidden
        logprobs, _ = model.token_logprobs(hidden, micro["targets"])
        mask = micro["loss_mask"].astype(jnp.float32)
        return -jnp.sum(logprobs * mask), jnp.sum(mask)

    grad_fn = jax.value_and_grad(nll_sum, has_aux=True)

    def step(params: Any, opt_state: Any, batch: Batch,
             rest: Any) -> tuple[Any, Any, dict[str, jax.Array]]:
        def accumulate(carry, micro):
            grad_sum, loss_sum, count = carry
            (nll, tokens), grads = grad_fn(params, micro, rest)
            grad_sum = jax.tree.map(jnp.add, grad_sum, grads)
            return (grad_sum, loss_sum + nll, count + tokens), None

        zeros = jax.tree.map(jnp.zeros_like, params)
        init = (zeros, jnp.zeros((), jnp.float32), jnp.zeros((), jnp.float32))
        (grad_sum, loss_sum, count), _ = jax.lax.scan(accumulate, init, batch)
        denom = jnp.maximum(count, 1.0)
        grads = jax.tree.map(lambda g: g / denom, grad_sum)
        loss = loss_sum / denom
        grad_norm = optax.tree.norm(grads)
        updates, new_opt_state = tx.update(grads, opt_state, params)
        new_params = optax.apply_updates(params, updates)
        finite = jnp.isfinite(loss) & jnp.isfinite(grad_norm)
        keep = lambda new, old: jnp.where(finite, new, old)  # noqa: E731
        params = jax.tree.map(keep, new_params, params)
        opt_state = jax.tree.map(keep, new_opt_state, opt_state)
        loss_bad = ~jnp.isfinite(loss)
        metrics = {"loss": loss, "grad_norm": grad_norm, "tokens": count,
                   "skipped": 1 - finite.astype(jnp.int32),
                   "skipped_loss": loss_bad.astype(jnp.int32),
                   "skipped_grad": (~loss_bad & ~jnp.isfinite(grad_norm)).astype(jnp.int32)}
        return params, opt_state, metrics

    return BoundStep(jax.jit(step, donate_argnums=(0, 1)), rest=rest)


class BoundStep:
    """A jitted step with the models' frozen state (`rest`: under LoRA the base weights)
    bound as keyword arguments, not captured as constants: captured, a 7B base would be
    folded into the compiled program; passed, it keeps its sharding, and a memory estimate can
    lower the step for abstract values."""

    def __init__(self, jitted: Any, **bound: Any) -> None:
        self.jitted, self.bound = jitted, bound

    def __call__(self, *args: Any) -> Any:
        return self.jitted(*args, **self.bound)

    def lower(self, *args: Any) -> Any:
        return self.jitted.lower(*args, **self.bound)
