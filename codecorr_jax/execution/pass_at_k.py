"""The unbiased pass@k estimator (Chen et al. 2021, "Evaluating Large Language Models Trained on
Code"): from n samples of which c are correct, the probability that at least one of k samples
drawn without replacement is correct, 1 - C(n-c, k) / C(n, k).

Computed in the product form 1 - prod_{i=n-c+1}^{n} (1 - k/i), which never forms the huge
binomial coefficients and stays accurate for n in the thousands.
"""

from __future__ import annotations

from typing import Iterable


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased pass@k for one problem with `n` samples, `c` of them correct."""
    for name, value in (("n", n), ("c", c), ("k", k)):
        if isinstance(value, bool) or int(value) != value:
            raise ValueError(f"pass_at_k: {name} must be an integer, got {value!r}")
    n, c, k = int(n), int(c), int(k)
    if n < 1 or not 0 <= c <= n:
        raise ValueError(f"pass_at_k: need n >= 1 and 0 <= c <= n, got n={n}, c={c}")
    if not 1 <= k <= n:
        raise ValueError(f"pass_at_k: need 1 <= k <= n, got k={k}, n={n}")
    if n - c < k:
        return 1.0
    survival = 1.0
    for i in range(n - c + 1, n + 1):
        survival *= 1.0 - k / i
    return 1.0 - survival


def mean_pass_at_k(counts: Iterable[tuple[int, int]], k: int) -> float:
    """Mean pass@k over problems given as (n, c) pairs."""
    values = [pass_at_k(n, c, k) for n, c in counts]
    if not values:
        raise ValueError("mean_pass_at_k: no problems given")
    return sum(values) / len(values)
