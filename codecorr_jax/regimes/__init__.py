"""The regimes `launch/main.py` can run, by name: each is `run(config, workdir, mesh)`, or
`run(config, workdir)` for one that only starts other runs (HOST_REGIMES).

launch/main.py validates the config and builds the mesh first, so a regime starts from a
config known to fit the devices.
"""

from __future__ import annotations

from typing import Any, Callable

import jax

from codecorr_jax.regimes import datasets, inspect_model, pretrain, rl, sft, study

Regime = Callable[[Any, str, jax.sharding.Mesh], Any]
HostRegime = Callable[[Any, str], Any]

REGIMES: dict[str, Regime] = {
    "inspect": inspect_model.run,
    "datasets": datasets.run,
    "pretrain": pretrain.run,
    "sft": sft.run,
    "rl": rl.run_rl,
    "sft_then_rl": rl.run_sft_then_rl,
}

# Regimes that only orchestrate other runs: launched without initialising any device.
HOST_REGIMES: dict[str, HostRegime] = {
    "study": study.run,
}
