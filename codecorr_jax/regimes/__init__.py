"""The regimes `launch/main.py` can run, by name: the one place a regime name is defined.

Each regime declares itself here: the module and function that run it, whether it is a host
regime, and optionally the hook that validates what only it reads (the study's grid), all
imported only when used (so config validation reads this registry without importing any
training code). A device regime is `run(config, workdir, mesh)`; a host regime only starts
other runs and is `run(config, workdir)`, launched without initialising any device.
launch/main.py validates the config and builds the mesh first, so a regime starts from a config
known to fit the devices.
"""

from __future__ import annotations

import dataclasses
import importlib
from typing import Any, Callable


@dataclasses.dataclass(frozen=True)
class Regime:
    """How a regime runs: "module:function" under this package; `host`: it only starts other
    runs (each its own process, which takes the devices); `validate`: "module:function" under
    codecorr_jax checking the config sections only this regime reads ("" = none)."""

    entry: str
    host: bool = False
    validate: str = ""


REGISTRY: dict[str, Regime] = {
    "inspect": Regime("inspect_model:run"),
    "datasets": Regime("datasets:run"),
    "pretrain": Regime("pretrain:run"),
    "sft": Regime("sft:run"),
    "rl": Regime("rl:run_rl"),
    "sft_then_rl": Regime("rl:run_sft_then_rl"),
    "study": Regime("study:run", host=True, validate="study.validate:validate_study"),
}
REGIMES: tuple[str, ...] = tuple(n for n, r in REGISTRY.items() if not r.host)  # device regimes
HOST_REGIMES: tuple[str, ...] = tuple(n for n, r in REGISTRY.items() if r.host)
ALL_REGIMES: tuple[str, ...] = tuple(REGISTRY)


def _resolve(package: str, entry: str) -> Callable[..., Any]:
    module, function = entry.split(":")
    return getattr(importlib.import_module(f"{package}.{module}"), function)


def get(name: str) -> Callable[..., Any]:
    """The function that runs regime `name` (device or host)."""
    if name not in REGISTRY:
        raise KeyError(f"regime {name!r} is unknown; allowed: {', '.join(ALL_REGIMES)}")
    return _resolve(__name__, REGISTRY[name].entry)


def validator(name: str) -> Callable[[Any], None] | None:
    """Regime `name`'s own config check (`check(config)`), or None."""
    regime = REGISTRY.get(name)
    if regime is None or not regime.validate:
        return None
    return _resolve("codecorr_jax", regime.validate)
