"""The regimes `launch/main.py` can run, by name: the one place a regime name is defined.

Each entry names the module and function that run it, imported only when that regime runs (so
config validation reads this registry without importing any training code). A device regime is
`run(config, workdir, mesh)`; a host regime only starts other runs and is
`run(config, workdir)`, launched without initialising any device. launch/main.py validates the
config and builds the mesh first, so a regime starts from a config known to fit the devices.
"""

from __future__ import annotations

import importlib
from typing import Any, Callable

# name -> "module:function" under codecorr_jax.regimes
REGIMES: dict[str, str] = {
    "inspect": "inspect_model:run",
    "datasets": "datasets:run",
    "pretrain": "pretrain:run",
    "sft": "sft:run",
    "rl": "rl:run_rl",
    "sft_then_rl": "rl:run_sft_then_rl",
}

# Regimes that only orchestrate other runs (each its own process, which takes the devices).
HOST_REGIMES: dict[str, str] = {
    "study": "study:run",
}

ALL_REGIMES: tuple[str, ...] = (*REGIMES, *HOST_REGIMES)


def get(name: str) -> Callable[..., Any]:
    """The function that runs regime `name` (device or host)."""
    entry = REGIMES.get(name) or HOST_REGIMES.get(name)
    if entry is None:
        raise KeyError(f"regime {name!r} is unknown; allowed: {', '.join(ALL_REGIMES)}")
    module, function = entry.split(":")
    return getattr(importlib.import_module(f"{__name__}.{module}"), function)
