"""The optimizer of the language-model trainers: AdamW, warmup + cosine decay, clipping.

Pretraining and SFT share it; their config sections (`config.pretrain`, `config.sft`) carry the
same field names, so one function builds either.
"""

from __future__ import annotations

from typing import Any

import jax
import optax


def learning_rate_schedule(section: Any) -> optax.Schedule:
    """Linear warmup from 0 to `learning_rate`, then cosine decay to `end_lr_fraction` of it."""
    peak = float(section.learning_rate)
    warmup = int(section.warmup_steps)
    return optax.warmup_cosine_decay_schedule(
        init_value=0.0, peak_value=peak, warmup_steps=warmup,
        decay_steps=max(int(section.num_steps), warmup + 1),
        end_value=peak * float(section.end_lr_fraction))


def decay_mask(params: Any) -> Any:
    """Weight decay on matrices only: norm scales and biases (1-D) are not decayed."""
    return jax.tree.map(lambda p: p.ndim > 1, params)


def init_on_mesh(tx: optax.GradientTransformation, params: Any, mesh: jax.sharding.Mesh) -> Any:
    """`tx.init(params)` under jit, with the leaves jit leaves on one device (the optimizer's
    step counts) replicated over `mesh`, so every input of a train step lives on the same
    devices."""
    replicated = jax.sharding.NamedSharding(mesh, jax.sharding.PartitionSpec())
    return jax.tree.map(
        lambda x: x if isinstance(x.sharding, jax.sharding.NamedSharding)
        else jax.device_put(x, replicated), jax.jit(tx.init)(params))


def make_optimizer(section: Any) -> optax.GradientTransformation:
    """Global-norm clipping, then AdamW (b2 = 0.95, the usual choice for LM training)."""
    return optax.chain(
        optax.clip_by_global_norm(float(section.max_grad_norm)),
        optax.adamw(learning_rate_schedule(section), b1=0.9, b2=0.95, eps=1e-8,
                    weight_decay=float(section.weight_decay), mask=decay_mask))
