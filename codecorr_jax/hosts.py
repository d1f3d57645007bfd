"""Host-side work under `jax.distributed`: one global batch, each process doing its part.

Every process of a multi-host job runs the same program on the same global values (SPMD): the
same data stream, the same prompts, the same random keys. What differs is what each host does
outside the jitted computations:

- moving a host array onto a mesh that spans processes: each process transfers only the rows
  its own devices hold (`put`), and reading a sharded result back gathers the other hosts'
  rows (`fetch`);
- host work per row (running generated programs in the executor): each process takes a
  contiguous share of the rows (`share`) and the shares are joined again, in process order
  (`join`), so every process ends up with the whole, identical result.

With one process every function here is the plain single-host operation (no copy, no
collective), so the trainers call them unconditionally.
"""

from __future__ import annotations

import hashlib
import pickle
from typing import Any, Iterable, Sequence

import jax
import numpy as np
from jax.experimental import multihost_utils


def share(n: int, index: int | None = None, count: int | None = None) -> slice:
    """The rows [start, stop) of `n` that process `index` of `count` (default: this one) takes:
    contiguous, sizes differing by at most one, in process order."""
    index = jax.process_index() if index is None else index
    count = jax.process_count() if count is None else count
    base, extra = divmod(n, count)
    start = index * base + min(index, extra)
    return slice(start, start + base + (index < extra))


def join(local: Sequence[Any]) -> list[Any]:
    """Every process's `local` list, concatenated in process order, on every process.

    The items are pickled (executor results, numbers); with one process `local` comes back as a
    list, untouched. Every process must call it, in the same order (a collective).
    """
    if jax.process_count() == 1:
        return list(local)
    payload = np.frombuffer(pickle.dumps(list(local)), np.uint8)
    sizes = multihost_utils.process_allgather(np.array([payload.size], np.int64))
    padded = np.zeros(int(sizes.max()), np.uint8)
    padded[:payload.size] = payload
    gathered = multihost_utils.process_allgather(padded)
    out: list[Any] = []
    for row, size in zip(np.asarray(gathered), np.asarray(sizes).reshape(-1)):
        out.extend(pickle.loads(row[:int(size)].tobytes()))
    return out


def put(value: np.ndarray, sharding: jax.sharding.Sharding) -> jax.Array:
    """A host array holding the same global value on every process, laid out on `sharding`;
    each process copies only the slices its own devices hold."""
    value = np.asarray(value)
    return jax.make_array_from_callback(value.shape, sharding, lambda index: value[index])


def put_tree(tree: Any, sharding: jax.sharding.Sharding) -> Any:
    """`put` for every array of a pytree (NamedTuples of batch arrays)."""
    return jax.tree.map(lambda x: put(x, sharding), tree)


def fetch(x: jax.Array | np.ndarray) -> np.ndarray:
    """The whole value of `x` as a host array on every process (a gather across processes when
    other hosts hold some of its shards)."""
    if not isinstance(x, jax.Array) or x.is_fully_addressable or x.is_fully_replicated:
        return np.asarray(x)
    return np.asarray(multihost_utils.process_allgather(x, tiled=True))


def fetch_tree(tree: Any) -> Any:
    """`fetch` for every array of a pytree."""
    return jax.tree.map(fetch, tree)


def replicated(value: Any, mesh: jax.sharding.Mesh) -> jax.Array:
    """A small value (an RNG key's data, a counter) replicated on every device of `mesh`, so a
    checkpoint of it is one global array, not one per process."""
    return put(np.asarray(value), jax.sharding.NamedSharding(mesh, jax.sharding.PartitionSpec()))


def barrier(name: str) -> None:
    """Every process waits here for the others (e.g. for process 0, which alone writes shared
    files such as the datasets)."""
    if jax.process_count() > 1:
        multihost_utils.sync_global_devices(name)


def check_same_everywhere(values: Iterable[Any], what: str) -> None:
    """Fail on every process when the processes disagree about `values` (a hash of them): a
    multi-host run whose hosts read different data would otherwise train on garbage."""
    if jax.process_count() == 1:
        return
    digest = np.frombuffer(hashlib.sha256(pickle.dumps(list(values))).digest()[:8], np.uint8)
    everyone = np.asarray(multihost_utils.process_allgather(digest))
    if not (everyone == everyone[:1]).all():
        raise RuntimeError(f"the processes disagree about {what}: every host must see the same "
                           "datasets, config and code")


class SharedScoring:
    """An executor's `score` with each batch split over the processes: every host runs its
    share of the programs in its own sandboxes (sized to its own cores) and every host gets
    all the results, in order."""

    def __init__(self, executor: Any) -> None:
        self.executor = executor

    def score(self, batch: Iterable[Any]) -> list[Any]:
        programs = list(batch)
        return join(self.executor.score(programs[share(len(programs))]))
