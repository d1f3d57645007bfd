"""Are two finished runs the same run? Exports, metrics and final scores compared exactly.

What a killed-and-resumed run is held to (tests/test_kill_points.py, benchmarks/kill_sweep.py):
every tensor of each stage's export equal bit for bit, every logged metric but the timings
equal (a step logged twice, before and after a kill, counts by its last record, as
`metrics.read_metrics` reads it), and the stage's last evaluation equal task by task.
"""

from __future__ import annotations

import json
import os
from typing import Any, Sequence

import numpy as np
from safetensors.numpy import load_file

# Metric names holding wall-clock figures, which differ between any two runs.
TIMING = ("seconds", "per_s", "per_second", "tokens_per_s", "mfu")


def metrics(stage_dir: str) -> dict[int, dict[str, Any]]:
    """Step -> the step's last record, timings left out."""
    by_step: dict[int, dict[str, Any]] = {}
    with open(os.path.join(stage_dir, "metrics.jsonl"), encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            step = int(record.pop("step"))
            record.pop("time", None)
            kept = {k: v for k, v in record.items() if not any(w in k for w in TIMING)}
            by_step.setdefault(step, {}).update(kept)
    return by_step


def _last_evaluation(stage_dir: str) -> Any:
    path = os.path.join(stage_dir, "eval", "latest.json")
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def differences(reference: str, candidate: str, stages: Sequence[str]) -> list[str]:
    """What differs between two workdirs' `stages` (e.g. "sft", "sft_then_rl"); [] if none."""
    problems = []
    for stage in stages:
        want_dir, got_dir = os.path.join(reference, stage), os.path.join(candidate, stage)
        path = os.path.join(got_dir, "final", "model.safetensors")
        if not os.path.exists(path):
            problems.append(f"{stage}: no export")
            continue
        want = load_file(os.path.join(want_dir, "final", "model.safetensors"))
        got = load_file(path)
        bad = [k for k in want if k not in got or not np.array_equal(want[k], got[k])]
        if bad or want.keys() != got.keys():
            problems.append(f"{stage}: {len(bad)} tensors differ (e.g. {(bad or ['?'])[0]})")
        want_metrics, got_metrics = metrics(want_dir), metrics(got_dir)
        if want_metrics != got_metrics:
            steps = sorted(s for s in set(want_metrics) | set(got_metrics)
                           if want_metrics.get(s) != got_metrics.get(s))
            problems.append(f"{stage}: metrics differ at steps {steps[:5]}")
        if _last_evaluation(want_dir) != _last_evaluation(got_dir):
            problems.append(f"{stage}: the last evaluation differs")
    return problems
