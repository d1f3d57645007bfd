"""The optimizer of the language-model trainers: AdamW, warmup + cosine decay, clipping.

Pretraining, SFT and PPO share it: `OptimizerConfig.from_section` reads the optimizer fields of
`config.pretrain` or `config.sft` (the same names), `OptimizerConfig.constant` is PPO's.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import jax
import optax


@dataclasses.dataclass(frozen=True)
class OptimizerConfig:
    """AdamW with global-norm clipping and a warmup + cosine learning-rate schedule."""

    learning_rate: float
    max_grad_norm: float = 1.0
    weight_decay: float = 0.0
    warmup_steps: int = 0
    num_steps: int = 1  # the schedule's length
    end_lr_fraction: float = 1.0  # the rate at num_steps, as a fraction of the peak

    @classmethod
    def from_section(cls, section: Any) -> "OptimizerConfig":
        """The optimizer fields of a config section (`config.pretrain`, `config.sft`)."""
        return cls(float(section.learning_rate), float(section.max_grad_norm),
                   float(section.weight_decay), int(section.warmup_steps),
                   int(section.num_steps), float(section.end_lr_fraction))

    @classmethod
    def constant(cls, learning_rate: float, max_grad_norm: float,
                 weight_decay: float) -> "OptimizerConfig":
        """A constant learning rate (no warmup, no decay), as PPO uses."""
        return cls(float(learning_rate), float(max_grad_norm), float(weight_decay))


def learning_rate_schedule(settings: OptimizerConfig) -> optax.Schedule:
    """Linear warmup from 0 to `learning_rate`, then cosine decay to `end_lr_fraction` of it."""
    peak = settings.learning_rate
    warmup = settings.warmup_steps
    return optax.warmup_cosine_decay_schedule(
        init_value=0.0, peak_value=peak, warmup_steps=warmup,
        decay_steps=max(settings.num_steps, warmup + 1),
        end_value=peak * settings.end_lr_fraction)


def decay_mask(params: Any) -> Any:
    """Weight decay on matrices only: norm scales and biases (1-D) are not decayed."""
    return jax.tree.map(lambda p: p.ndim > 1, params)


def state_shardings(tx: optax.GradientTransformation, params: Any,
                    mesh: jax.sharding.Mesh) -> Any:
    """Where each leaf of `tx.init(params)` lives: a leaf that mirrors a parameter (Adam's
    moments: its tree path ends with the parameter's, same shape) is sharded like it, so FSDP
    splits the optimizer state as it splits the weights; the rest (step counts) is replicated.

    `params` may be arrays or ShapeDtypeStructs carrying their sharding.
    """
    replicated = jax.sharding.NamedSharding(mesh, jax.sharding.PartitionSpec())
    by_path = {path: leaf for path, leaf in jax.tree_util.tree_flatten_with_path(params)[0]}

    def place(path: tuple[Any, ...], leaf: jax.ShapeDtypeStruct) -> jax.sharding.Sharding:
        for start in range(len(path)):
            param = by_path.get(tuple(path[start:]))
            if param is not None and param.shape == leaf.shape:
                return param.sharding
        return replicated

    return jax.tree_util.tree_map_with_path(place, jax.eval_shape(tx.init, params))


def init_on_mesh(tx: optax.GradientTransformation, params: Any, mesh: jax.sharding.Mesh) -> Any:
    """`tx.init(params)` under jit, placed by `state_shardings`, so every input of a train step
    lives on the mesh and no device holds more optimizer state than its share."""
    return jax.jit(tx.init, out_shardings=state_shardings(tx, params, mesh))(params)


def make_optimizer(settings: OptimizerConfig) -> optax.GradientTransformation:
    """Global-norm clipping, then AdamW (b2 = 0.95, the usual choice for LM training)."""
    return optax.chain(
        optax.clip_by_global_norm(settings.max_grad_norm),
        optax.adamw(learning_rate_schedule(settings), b1=0.9, b2=0.95, eps=1e-8,
                    weight_decay=settings.weight_decay, mask=decay_mask))
