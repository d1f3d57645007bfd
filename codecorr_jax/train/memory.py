"""What a training step will take on each device, known before any weight is loaded.

The SFT step (`lm_step.make_train_step`) is compiled for abstract, sharded parameters, optimizer
state and batch (shapes only: nothing is allocated), and XLA's `memory_analysis` of the compiled
step says how many bytes each device needs: the step's arguments (parameters, optimizer state,
batch) and its temporaries (activations, gradients). `inspect` prints it, so a config that will
not fit is known in seconds, not after a checkpoint has loaded.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import jax
import jax.numpy as jnp
from flax import nnx

from codecorr_jax.data.packing import BATCH_KEYS
from codecorr_jax.models import sharding
from codecorr_jax.models.config import ModelConfig
from codecorr_jax.models.decoder import abstract_decoder, trainable
from codecorr_jax.train import lm_step, optim


@dataclasses.dataclass(frozen=True)
class StepMemory:
    """Bytes on the fullest device for one train step."""

    parameters: int
    optimizer: int
    batch: int
    temporaries: int  # activations, gradients and XLA's scratch buffers (compiled step)
    total: int  # the step's arguments plus its temporaries: what must fit

    def summary(self) -> str:
        size = lambda n: f"{n / 2**30:.2f} GiB" if n >= 2**28 else f"{n / 2**20:.1f} MiB"  # noqa
        return (f"{size(self.total)} per device for a train step: parameters "
                f"{size(self.parameters)}, optimizer {size(self.optimizer)}, batch "
                f"{size(self.batch)}, temporaries {size(self.temporaries)}")


def _abstract(tree: Any, shardings: Any) -> Any:
    return jax.tree.map(lambda x, s: jax.ShapeDtypeStruct(x.shape, x.dtype, sharding=s),
                        tree, shardings)


def _bytes_per_device(tree: Any) -> int:
    """Bytes of one shard of every leaf, summed (shards of a leaf are equal: the fullest
    device's share)."""
    return sum(jnp.dtype(leaf.dtype).itemsize * math.prod(leaf.sharding.shard_shape(leaf.shape))
               for leaf in jax.tree.leaves(tree))


@dataclasses.dataclass(frozen=True)
class AbstractStep:
    """The train step lowered for abstract arguments, and those arguments."""

    lowered: jax.stages.Lowered
    params: Any
    rest: Any
    opt_state: Any
    batch: Any


def lower_train_step(cfg: ModelConfig, mesh: jax.sharding.Mesh,
                     optimizer: optim.OptimizerConfig, *,
                     rows: int, length: int, accum_steps: int = 1,
                     rules: sharding.Rules = sharding.DEFAULT_RULES) -> AbstractStep:
    """Lower (trace, not compile) the SFT train step for `rows` rows of `length` tokens in
    `accum_steps` micro-batches with the optimizer `optimizer`, for abstract
    sharded arguments: no weight is allocated."""
    act = sharding.ActivationSharding(mesh, rules)
    model = abstract_decoder(cfg, act)
    graphdef, params, rest = nnx.split(model, trainable(model.config), ...)
    param_shardings = nnx.to_pure_dict(sharding.state_shardings(params, mesh, rules))
    params = _abstract(nnx.to_pure_dict(params), param_shardings)
    rest = _abstract(nnx.to_pure_dict(rest),  # the frozen weights under LoRA
                     nnx.to_pure_dict(sharding.state_shardings(rest, mesh, rules)))
    tx = optim.make_optimizer(optimizer)
    opt_state = _abstract(jax.eval_shape(tx.init, params),
                          optim.state_shardings(tx, params, mesh))
    batch_sharding = sharding.NamedSharding(
        mesh, sharding.logical_to_spec((None, "batch", None), rules))
    micro = rows // accum_steps
    batch = {key: jax.ShapeDtypeStruct((accum_steps, micro, length), jnp.int32,
                                       sharding=batch_sharding) for key in BATCH_KEYS}
    step = lm_step.make_train_step(graphdef, rest, tx)
    return AbstractStep(step.lower(params, opt_state, batch), params, rest, opt_state, batch)


def estimate_train_step(cfg: ModelConfig, mesh: jax.sharding.Mesh,
                        optimizer: optim.OptimizerConfig, *,
                        rows: int, length: int, accum_steps: int = 1,
                        rules: sharding.Rules = sharding.DEFAULT_RULES) -> StepMemory:
    """Compile (not run) the train step (`lower_train_step`) and read its memory."""
    step = lower_train_step(cfg, mesh, optimizer, rows=rows, length=length,
                            accum_steps=accum_steps, rules=rules)
    stats = step.lowered.compile().memory_analysis()
    arguments, temporaries = int(stats.argument_size_in_bytes), int(stats.temp_size_in_bytes)
    return StepMemory(parameters=_bytes_per_device(step.params) + _bytes_per_device(step.rest),
                      optimizer=_bytes_per_device(step.opt_state),
                      batch=_bytes_per_device(step.batch),
                      temporaries=temporaries, total=arguments + temporaries)
