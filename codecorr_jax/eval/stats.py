"""Statistics over seeds: mean, spread and 95% confidence intervals, and paired differences.

A learning result is a distribution over seeds, not one run. Two kinds of interval:
- over seeds: Student's t interval of the per-seed means (n seeds, n - 1 degrees of freedom);
  with 3 seeds it is wide, and honest about it;
- paired per task: the same tasks are scored at two stages of the same seed, so the difference
  of a stage pair is a (seed, task) matrix; a bootstrap that resamples tasks (every seed's
  column together) gives the interval of its mean.

Pure numpy/scipy on plain arrays; `seed_runs.py` reads run directories into them.
"""

from __future__ import annotations

import dataclasses
from typing import Sequence

import numpy as np


@dataclasses.dataclass(frozen=True)
class Interval:
    """A mean with its spread and a two-sided confidence interval."""

    mean: float
    std: float  # sample standard deviation (n - 1); 0 for one value
    low: float
    high: float
    n: int
    per_seed: tuple[float, ...] = ()  # each seed's mean, seeds in order, where one is known

    def excludes_zero(self) -> bool:
        return self.low > 0 or self.high < 0

    def __str__(self) -> str:
        return f"{self.mean:+.3f} [{self.low:+.3f}, {self.high:+.3f}]"


def t_interval(values: Sequence[float], confidence: float = 0.95) -> Interval:
    """Mean and Student's t interval of `values` (e.g. one number per seed)."""
    x = np.asarray(values, np.float64)
    if x.ndim != 1 or len(x) == 0:
        raise ValueError(f"t_interval needs a non-empty 1-d sequence, got shape {x.shape}")
    mean = float(x.mean())
    if len(x) == 1:
        return Interval(mean, 0.0, float("-inf"), float("inf"), 1)
    std = float(x.std(ddof=1))
    from scipy import stats as scipy_stats  # here: its import costs every run ~0.5 s

    half = float(scipy_stats.t.ppf(0.5 + confidence / 2, len(x) - 1)) * std / np.sqrt(len(x))
    return Interval(mean, std, mean - half, mean + half, len(x))


def paired_task_bootstrap(after: np.ndarray, before: np.ndarray, *, resamples: int = 10_000,
                          confidence: float = 0.95, seed: int = 0) -> Interval:
    """Mean of `after - before` over (seed, task) pairs, with a task-resampling bootstrap CI.

    `after` and `before` are (seeds, tasks) arrays of per-task scores (pass = 1) of the same
    tasks in the same order. Tasks are resampled with replacement, each drawn task bringing its
    differences in every seed, so the interval reflects which tasks were drawn as well as the
    seeds' agreement on them. `per_seed` holds each seed's mean difference, `std` their spread.
    """
    a, b = np.asarray(after, np.float64), np.asarray(before, np.float64)
    if a.shape != b.shape or a.ndim != 2 or a.shape[1] == 0:
        raise ValueError(f"paired_task_bootstrap needs two equal (seeds, tasks) arrays, got "
                         f"{a.shape} and {b.shape}")
    per_task = (a - b).mean(axis=0)  # (tasks,): the seeds' mean difference on each task
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(per_task), size=(resamples, len(per_task)))
    means = per_task[draws].mean(axis=1)
    tail = (1 - confidence) / 2
    low, high = np.quantile(means, [tail, 1 - tail])
    per_seed = (a - b).mean(axis=1)
    std = float(per_seed.std(ddof=1)) if len(per_seed) > 1 else 0.0
    return Interval(float(per_task.mean()), std, float(low), float(high), a.size,
                    tuple(float(v) for v in per_seed))


def gap_bootstrap(first: np.ndarray, second: np.ndarray, *, resamples: int = 10_000,
                  confidence: float = 0.95, seed: int = 0) -> Interval:
    """Mean of `first` minus mean of `second`, two suites of different tasks scored by the
    same seeds ((seeds, tasks_a) and (seeds, tasks_b) arrays), with a bootstrap CI that
    resamples each suite's tasks on its own (each drawn task bringing its passes in every
    seed): the train / held-out gap. `per_seed` holds each seed's gap, `std` their spread."""
    a, b = np.asarray(first, np.float64), np.asarray(second, np.float64)
    if a.ndim != 2 or b.ndim != 2 or a.shape[0] != b.shape[0] or 0 in (a.shape[1], b.shape[1]):
        raise ValueError(f"gap_bootstrap needs (seeds, tasks) arrays of the same seeds, got "
                         f"{a.shape} and {b.shape}")
    task_a, task_b = a.mean(axis=0), b.mean(axis=0)
    rng = np.random.default_rng(seed)
    means = (task_a[rng.integers(0, len(task_a), size=(resamples, len(task_a)))].mean(axis=1)
             - task_b[rng.integers(0, len(task_b), size=(resamples, len(task_b)))].mean(axis=1))
    tail = (1 - confidence) / 2
    low, high = np.quantile(means, [tail, 1 - tail])
    per_seed = a.mean(axis=1) - b.mean(axis=1)
    std = float(per_seed.std(ddof=1)) if len(per_seed) > 1 else 0.0
    return Interval(float(task_a.mean() - task_b.mean()), std, float(low), float(high),
                    a.size + b.size, tuple(float(v) for v in per_seed))
