"""A run directory is bound to the configuration that made it.

Resuming is automatic (a run directory with a checkpoint continues where it stopped), so a
directory must never resume a *different* run: `claim` records the fields that define a run and
compares them with what is already there.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from typing import Any

import jax

from codecorr_jax.fileio import read_json, write_json_atomic

RUN_FILE = "run.json"


def fingerprint(fields: dict[str, Any]) -> str:
    """A short hash of the JSON of `fields` (the values that define a run)."""
    text = json.dumps(fields, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _differences(old: dict[str, Any], new: dict[str, Any], prefix: str = "") -> list[str]:
    keys = sorted(set(old) | set(new))
    out = []
    for key in keys:
        a, b = old.get(key), new.get(key)
        if isinstance(a, dict) and isinstance(b, dict):
            out += _differences(a, b, f"{prefix}{key}.")
        elif a != b:
            out.append(f"{prefix}{key}: {a!r} -> {b!r}")
    return out


def claim(run_dir: str, fields: dict[str, Any], *, replace_stale: bool) -> bool:
    """Bind `run_dir` to `fields`; True when it already held the same run (it will resume).

    A directory made by other fields is removed when `replace_stale` (a cache, e.g. the base
    model's pretraining) or refused with the differing fields named (a user's experiment).
    """
    path = os.path.join(run_dir, RUN_FILE)
    fields = json.loads(json.dumps(fields, default=str))
    old = read_json(path)
    if old is not None:
        if old == fields:
            return True
        if not replace_stale:
            diff = "; ".join(_differences(old, fields)[:6])
            raise RuntimeError(
                f"{run_dir} holds a run with another configuration ({diff}). Resuming it would "
                "mix two runs: pass another --workdir, or delete that directory to start over.")
        if jax.process_index() == 0:
            shutil.rmtree(run_dir)
    if jax.process_index() == 0:
        os.makedirs(run_dir, exist_ok=True)
        write_json_atomic(path, fields, sort_keys=True)
    return False
