"""One process of the two-process jax.distributed test (run by tests/test_distributed.py).

Usage: python distributed_worker.py PROCESS_ID PORT OUT_DIR. Goes through the project's own
start-up path (codecorr_jax.distributed.maybe_initialize), builds the model sharded across both
processes for two mesh shapes, runs the forward pass, and process 0 saves the gathered logits.
"""

import os
import sys

# one CPU device a process; the session's other flags kept (its optimisation level), so the
# processes compile like the one-process reference they are compared with
from xla_flags import with_devices

os.environ["XLA_FLAGS"] = with_devices(os.environ.get("XLA_FLAGS", ""), 1)
os.environ["JAX_PLATFORMS"] = "cpu"

import jax  # noqa: E402
import ml_collections  # noqa: E402
import numpy as np  # noqa: E402
from flax import nnx  # noqa: E402
from jax.experimental import multihost_utils  # noqa: E402

from codecorr_jax import distributed  # noqa: E402
from codecorr_jax.models import create_sharded  # noqa: E402
from codecorr_jax.models.sharding import batch_sharding, make_mesh  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from distributed_case import CFG, SEED, batch  # noqa: E402


def main(process_id: int, port: int, out_dir: str) -> None:
    section = ml_collections.ConfigDict(dict(
        mode="auto", coordinator_address=f"127.0.0.1:{port}", num_processes=2,
        process_id=process_id))
    assert distributed.maybe_initialize(section)
    assert jax.process_count() == 2 and jax.device_count() == 2
    ids = batch()
    for name, shape in (("fsdp", (1, 2, 1)), ("tensor", (1, 1, 2))):
        mesh = make_mesh(*shape)
        model = create_sharded(CFG, mesh, seed=SEED)
        global_ids = jax.make_array_from_callback(ids.shape, batch_sharding(mesh, 2),
                                                  lambda idx: ids[idx])
        logits = nnx.jit(lambda m, x: m(x).logits)(model, global_ids)
        logits = jax.block_until_ready(logits)
        gathered = multihost_utils.process_allgather(logits, tiled=True)
        if process_id == 0:
            np.save(os.path.join(out_dir, f"logits_{name}.npy"), np.asarray(gathered))
    multihost_utils.sync_global_devices("done")


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3])
