"""Multi-host start-up through `jax.distributed`, when the config or the environment asks.

Single process is the default. On a TPU pod slice, a SLURM or Open MPI job with several tasks,
or with JAX_COORDINATOR_ADDRESS set, "auto" initialises jax.distributed and lets JAX detect the
cluster; explicit config fields (coordinator_address, num_processes, process_id) win over
detection. Nothing home-made: after this call JAX sees every host's devices.
"""

from __future__ import annotations

import logging
import os
from typing import Any

import jax

log = logging.getLogger(__name__)


def environment_asks_for_distributed(env: dict[str, str] | None = None) -> bool:
    """True when the environment describes a job of several processes."""
    env = dict(os.environ if env is None else env)
    if env.get("JAX_COORDINATOR_ADDRESS"):
        return True
    if "," in env.get("TPU_WORKER_HOSTNAMES", ""):  # multi-host TPU slice
        return True
    if int(env.get("SLURM_NTASKS", "1") or 1) > 1:
        return True
    return int(env.get("OMPI_COMM_WORLD_SIZE", "1") or 1) > 1


def maybe_initialize(section: Any) -> bool:
    """Initialise jax.distributed per `config.distributed`; returns whether it did.

    Must run before anything touches a JAX backend.
    """
    explicit = bool(section.coordinator_address)
    wanted = section.mode == "always" or (
        section.mode == "auto" and (explicit or environment_asks_for_distributed()))
    if not wanted:
        return False
    kwargs: dict[str, Any] = {}
    if explicit:
        kwargs["coordinator_address"] = section.coordinator_address
    if section.num_processes > 0:
        kwargs["num_processes"] = section.num_processes
    if section.process_id >= 0:
        kwargs["process_id"] = section.process_id
    # Cross-process collectives between CPU devices (tests, CPU debugging runs) need a backend;
    # the setting touches only the CPU client, so it is harmless on GPU and TPU hosts.
    jax.config.update("jax_cpu_collectives_implementation", "gloo")
    jax.distributed.initialize(**kwargs)
    log.info("jax.distributed: process %d of %d, %d global devices", jax.process_index(),
             jax.process_count(), jax.device_count())
    return True
