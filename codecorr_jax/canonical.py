"""Canonical JSON: the one way values are compared across the project.

Expected outputs in task records, outputs produced inside the sandbox, and semantic fingerprints
are all compared as canonical JSON text, never with a Python object's `__eq__` (an untrusted
program's object could claim equality with anything).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any


def canonical_json(value: Any) -> str:
    """Deterministic JSON text for a JSON value (sorted keys, no spaces, no NaN/Infinity).

    Raises ValueError or TypeError for values that are not plain JSON (sets, tuples are lists in
    JSON and therefore accepted; NaN, infinities and arbitrary objects are rejected).
    """
    return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False,
                      ensure_ascii=True)


def json_roundtrip_equal(value: Any) -> bool:
    """True if `value` survives a JSON round trip unchanged (e.g. no tuples, no int-keyed dicts)."""
    try:
        text = canonical_json(value)
    except (TypeError, ValueError):
        return False
    return json.loads(text) == value and type(json.loads(text)) is type(value)


def fingerprint(outputs: list[Any]) -> str:
    """Semantic identity of a function: a hash of its outputs on fixed probe inputs."""
    return hashlib.sha256(canonical_json(outputs).encode()).hexdigest()[:16]
