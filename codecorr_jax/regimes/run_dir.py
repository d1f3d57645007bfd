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


_ABSENT = object()


def _differences(old: dict[str, Any], new: dict[str, Any], defaults: dict[str, Any],
                 prefix: str = "") -> list[str]:
    """The fields that differ; one the old record lacks counts as equal when the new value is
    its default (a config field added since that run was made, left as it was)."""
    keys = sorted(set(old) | set(new))
    out = []
    for key in keys:
        a, b = old.get(key, _ABSENT), new.get(key, _ABSENT)
        default = defaults.get(key, _ABSENT) if isinstance(defaults, dict) else _ABSENT
        if isinstance(a, dict) and isinstance(b, dict):
            out += _differences(a, b, default if isinstance(default, dict) else {},
                                f"{prefix}{key}.")
        elif a is _ABSENT and b == default:
            continue
        elif a != b:
            out.append(f"{prefix}{key}: {None if a is _ABSENT else a!r} -> "
                       f"{None if b is _ABSENT else b!r}")
    return out


def claim(run_dir: str, fields: dict[str, Any], *, replace_stale: bool,
          defaults: dict[str, Any] | None = None) -> bool:
    """Bind `run_dir` to `fields`; True when it already held the same run (it will resume).

    A directory made by other fields is removed when `replace_stale` (a cache, e.g. the base
    model's pretraining) or refused with the differing fields named (a user's experiment).
    `defaults` (shaped like `fields`) lets a run made before a config field existed resume when
    that field is at its default.
    """
    path = os.path.join(run_dir, RUN_FILE)
    as_json = lambda x: json.loads(json.dumps(x, default=str))  # noqa: E731
    fields = as_json(fields)
    old = read_json(path)
    if old is not None:
        differences = _differences(old, fields, as_json(defaults or {}))
        if not differences:
            return True
        if not replace_stale:
            diff = "; ".join(differences[:6])
            raise RuntimeError(
                f"{run_dir} holds a run with another configuration ({diff}). Resuming it would "
                "mix two runs: pass another --workdir, or delete that directory to start over.")
        if jax.process_index() == 0:
            shutil.rmtree(run_dir)
    if jax.process_index() == 0:
        os.makedirs(run_dir, exist_ok=True)
        write_json_atomic(path, fields, sort_keys=True)
    return False
