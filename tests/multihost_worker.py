"""One of two processes of the multi-host training test (run by tests/test_multihost.py).

Usage: python multihost_worker.py PROCESS_ID PORT OUT_DIR PHASE. Starts through the project's
own path (codecorr_jax.distributed.maybe_initialize), one CPU device per process, a (2, 1, 1)
mesh across both, and runs tests/multihost_case.py:

- PHASE "train": SFT, evaluation, PPO with GAE; then PPO with GRPO, where process 1 gets a
  SIGTERM at iteration 1: the hosts agree on a step, checkpoint it and exit with 143;
- PHASE "resume": the same GRPO command again, which resumes and finishes.

Every process writes what it computed as OUT_DIR/<phase-part>_<process>.npz.
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
from jax.experimental import multihost_utils  # noqa: E402

from codecorr_jax import distributed  # noqa: E402
from codecorr_jax.models.sharding import make_mesh  # noqa: E402
from codecorr_jax.train.loop import Preempted  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import multihost_case as case  # noqa: E402


def main(process_id: int, port: int, out_dir: str, phase: str) -> None:
    section = ml_collections.ConfigDict(dict(
        mode="auto", coordinator_address=f"127.0.0.1:{port}", num_processes=2,
        process_id=process_id))
    assert distributed.maybe_initialize(section)
    assert jax.process_count() == 2 and jax.device_count() == 2
    mesh = make_mesh(2, 1, 1)
    runs = os.path.join(out_dir, "runs")  # one directory both processes write (shared disk)

    def save(name: str, values: dict) -> None:
        np.savez(os.path.join(out_dir, f"{name}_{process_id}.npz"), **values)

    if phase == "train":
        save("sft", case.sft(mesh, os.path.join(runs, "sft")))
        save("eval", case.evaluation(mesh, os.path.join(out_dir, "eval")))
        save("ppo_gae", case.ppo(mesh, os.path.join(runs, "gae"), "gae"))
        try:
            case.ppo(mesh, os.path.join(runs, "grpo"), "grpo",
                     iterations=case.PREEMPTED_ITERATIONS, sigterm_at=1)
        except Preempted as stop:
            print(stop, flush=True)
            sys.exit(143)  # as launch/main.py does
        raise AssertionError("PPO ran to its end through a SIGTERM")
    else:
        save("ppo_grpo", case.ppo(mesh, os.path.join(runs, "grpo"), "grpo",
                                  iterations=case.PREEMPTED_ITERATIONS))
    multihost_utils.sync_global_devices("done")


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4])
