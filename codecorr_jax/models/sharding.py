"""Sharding declared once: logical axis names -> mesh axes.

Parameters carry logical axis names (`nnx.Param(..., logical_axes=("embed", "mlp"))`) and
activations are constrained with `constrain(x, ("batch", "length", "act_embed"))`. A rules table
maps each logical name to mesh axes of the 3-axis mesh (data, fsdp, tensor); changing the table
changes the parallelism strategy without touching model code. The same code runs on one CPU, a
GPU, or a multi-host TPU slice: the mesh is built from whatever devices `jax.devices()` reports.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any, Iterable, Mapping, Sequence

import jax
import numpy as np
from flax import nnx
from jax.sharding import Mesh, NamedSharding, PartitionSpec

MESH_AXES = ("data", "fsdp", "tensor")

LogicalAxes = tuple[str | None, ...]
Rules = tuple[tuple[str, str | tuple[str, ...] | None], ...]

# Batch is split over data and fsdp (ZeRO-3 style: fsdp shards both the batch and the weights);
# the tensor axis splits heads, the MLP hidden dimension and the vocabulary (Megatron style).
DEFAULT_RULES: Rules = (
    ("batch", ("data", "fsdp")),
    ("layers", None),  # the stacked layers' axis (model.scan_layers): every device holds all
    ("length", None),
    ("vocab", "tensor"),
    ("embed", "fsdp"),
    ("mlp", "tensor"),
    ("heads", "tensor"),
    ("kv_heads", "tensor"),
    ("head_dim", None),
    ("norm", None),
    ("value", None),
    ("act_embed", None),
    ("act_heads", "tensor"),
    ("act_kv_heads", "tensor"),
    ("act_mlp", "tensor"),
    ("act_vocab", "tensor"),
)


def make_mesh(data: int, fsdp: int, tensor: int, devices: Sequence[Any] | None = None) -> Mesh:
    """A (data, fsdp, tensor) mesh; one axis may be -1 to take the remaining devices."""
    devices = list(devices if devices is not None else jax.devices())
    shape = resolve_mesh_shape((data, fsdp, tensor), len(devices))
    auto = (jax.sharding.AxisType.Auto,) * len(MESH_AXES)
    return jax.make_mesh(shape, MESH_AXES, axis_types=auto, devices=devices)


def resolve_mesh_shape(shape: Sequence[int], num_devices: int) -> tuple[int, ...]:
    """Fill a single -1 entry so the product equals `num_devices`; explain any mismatch."""
    named = ", ".join(f"mesh.{a}={s}" for a, s in zip(MESH_AXES, shape))
    if sum(s == -1 for s in shape) > 1:
        raise ValueError(f"{named}: at most one mesh axis may be -1")
    if any(s == 0 or s < -1 for s in shape):
        raise ValueError(f"{named}: mesh axes must be positive or -1")
    known = math.prod(s for s in shape if s != -1)
    if -1 in shape:
        if num_devices % known:
            raise ValueError(f"{named}: the fixed axes ({known}) do not divide the "
                             f"{num_devices} available devices")
        return tuple(num_devices // known if s == -1 else s for s in shape)
    if known != num_devices:
        raise ValueError(f"{named}: the mesh has {known} devices but {num_devices} are "
                         f"available; make the product equal {num_devices} or set one axis to -1")
    return tuple(shape)


def logical_to_spec(axes: Iterable[str | None], rules: Rules = DEFAULT_RULES) -> PartitionSpec:
    """PartitionSpec for logical `axes`; a mesh axis is used at most once per array."""
    table = dict(rules)
    used: set[str] = set()
    spec: list[Any] = []
    for name in axes:
        if name is not None and name not in table:
            raise KeyError(f"logical axis {name!r} has no sharding rule; known: {sorted(table)}")
        target = table.get(name) if name is not None else None
        targets = mesh_axes_of(target)
        free = tuple(t for t in targets if t not in used)
        used.update(free)
        spec.append(None if not free else free[0] if len(free) == 1 else free)
    return PartitionSpec(*spec)


def is_variable(x: Any) -> bool:
    return isinstance(x, nnx.Variable)


def logical_axes_of(variable: nnx.Variable) -> LogicalAxes:
    """The logical axis names a parameter was declared with (replicated if none)."""
    axes = variable.get_metadata().get("logical_axes")
    return tuple(axes) if axes is not None else (None,) * np.ndim(variable.get_value())


def mesh_axes_of(entry: str | tuple[str, ...] | None) -> tuple[str, ...]:
    """The mesh axes one PartitionSpec entry names (none for a replicated dimension)."""
    return (entry,) if isinstance(entry, str) else tuple(entry or ())


def shards_along(axis: str, mesh_shape: Mapping[str, int], rules: Rules = DEFAULT_RULES) -> int:
    """How many ways the logical `axis` is split on a mesh of `mesh_shape`."""
    return math.prod(mesh_shape[a] for a in mesh_axes_of(logical_to_spec((axis,), rules)[0]))


def fit_spec(spec: PartitionSpec, shape: Sequence[int], mesh: Mesh) -> PartitionSpec:
    """Replicate any dimension that its mesh axes do not divide evenly.

    Only reachable for dimensions config validation lets through: key/value heads fewer than
    the tensor axis are replicated across it (as Megatron does for grouped-query attention).
    """
    fitted = []
    for entry, size in zip(tuple(spec) + (None,) * (len(shape) - len(spec)), shape):
        shards = math.prod(mesh.shape[n] for n in mesh_axes_of(entry))
        fitted.append(entry if size % shards == 0 else None)
    return PartitionSpec(*fitted)


def variable_sharding(variable: nnx.Variable, mesh: Mesh,
                      rules: Rules = DEFAULT_RULES) -> NamedSharding:
    """Where one parameter lives on `mesh`, from its logical axes."""
    spec = logical_to_spec(logical_axes_of(variable), rules)
    return NamedSharding(mesh, fit_spec(spec, np.shape(variable.get_value()), mesh))


def state_shardings(state: nnx.State, mesh: Mesh, rules: Rules = DEFAULT_RULES) -> nnx.State:
    """A tree like `state` whose leaves are the NamedSharding of each variable."""
    return jax.tree.map(lambda v: v.replace(variable_sharding(v, mesh, rules)), state,
                        is_leaf=is_variable)


@dataclasses.dataclass(frozen=True)
class ActivationSharding:
    """Mesh + rules a model uses to constrain its activations inside jit (hashable: static)."""

    mesh: Mesh
    rules: Rules = DEFAULT_RULES

    def spec(self, axes: LogicalAxes) -> NamedSharding:
        return NamedSharding(self.mesh, logical_to_spec(axes, self.rules))


def constrain(x: jax.Array, axes: LogicalAxes, sharding: ActivationSharding | None) -> jax.Array:
    """Pin activation `x` to the layout of logical `axes`; a no-op without a mesh."""
    if sharding is None:
        return x
    return jax.lax.with_sharding_constraint(x, sharding.spec(axes))


def batch_sharding(mesh: Mesh, ndim: int, rules: Rules = DEFAULT_RULES) -> NamedSharding:
    """Sharding of a (batch, ...) input array: batch split over the data axes, rest replicated."""
    return NamedSharding(mesh, logical_to_spec(("batch",) + (None,) * (ndim - 1), rules))


def check_divisible(sizes: dict[str, tuple[str, int]], mesh_shape: dict[str, int],
                    rules: Rules = DEFAULT_RULES) -> None:
    """Raise if a model dimension does not divide the mesh axes its logical name maps to.

    `sizes` maps a config field name to (logical axis, size) pairs, e.g.
    {"model.num_heads": ("heads", 8)}; the message names the field and the mesh axis.
    """
    for field, (axis, size) in sizes.items():
        targets = mesh_axes_of(logical_to_spec((axis,), rules)[0])
        shards = shards_along(axis, mesh_shape, rules)
        if size % shards:
            across = " x ".join(f"mesh.{t}={mesh_shape[t]}" for t in targets)
            raise ValueError(f"{field}={size} is not divisible by {across} (= {shards}); the "
                             f"logical axis {axis!r} is sharded over {targets}")
