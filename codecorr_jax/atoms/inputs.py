"""Building blocks for the atoms' argument generators.

Each topic module writes its `_gen_*(rng) -> tuple` generators from these pieces, so the common
shapes (a list whose length is sometimes 0 or 1, ints from a range that varies from list to list,
words from a pool, text over an alphabet, a rectangular grid, a value that is sometimes an element
of the list) are written once. Every function draws only from the `rng` it is given.

Lengths: `size` returns 0 with `p_empty` and 1 with `p_single`; left unset, each defaults to
1 / (max_len + 1), which makes every length from 0 to max_len equally likely.
"""

from __future__ import annotations

import random
from typing import Sequence, TypeVar

T = TypeVar("T")

# (lo, hi) value ranges for general int lists: small signed, non-negative, wide signed (mostly
# distinct values) and two narrow ones (many duplicates).
VALUE_RANGES: tuple[tuple[int, int], ...] = ((-9, 9), (0, 20), (-50, 50), (1, 5), (-3, 3))
# Symmetric ranges for atoms about signs and absolute values: zeros and +/- ties are common in the
# narrow ones.
SIGNED_RANGES: tuple[tuple[int, int], ...] = ((-2, 2), (-5, 5), (-9, 9), (-30, 30))


def size(
    rng: random.Random, max_len: int, *, p_empty: float | None = None,
    p_single: float | None = None,
) -> int:
    """A length in [0, max_len]: 0 with p_empty, 1 with p_single, else uniform in [2, max_len]."""
    uniform = 1.0 / (max_len + 1)
    p_empty = uniform if p_empty is None else p_empty
    p_single = uniform if p_single is None else p_single
    roll = rng.random()
    if roll < p_empty or max_len <= 0:
        return 0
    if roll < p_empty + p_single or max_len == 1:
        return 1
    return rng.randint(2, max_len)


def int_list(
    rng: random.Random, *, lo: int = -9, hi: int = 9, max_len: int = 12,
    p_empty: float | None = None, p_single: float | None = None,
) -> list[int]:
    """A list of `size(...)` ints drawn uniformly from [lo, hi]."""
    n = size(rng, max_len, p_empty=p_empty, p_single=p_single)
    return [rng.randint(lo, hi) for _ in range(n)]


def varied_int_list(
    rng: random.Random, ranges: Sequence[tuple[int, int]] = VALUE_RANGES, *, max_len: int = 12,
    p_empty: float | None = None, p_single: float | None = None,
) -> list[int]:
    """An `int_list` over one (lo, hi) drawn from ranges, so magnitude, sign and repeats vary."""
    lo, hi = rng.choice(ranges)
    return int_list(rng, lo=lo, hi=hi, max_len=max_len, p_empty=p_empty, p_single=p_single)


def choice_list(
    rng: random.Random, pool: Sequence[T], *, max_len: int = 12,
    p_empty: float | None = None, p_single: float | None = None,
) -> list[T]:
    """A list of `size(...)` items drawn with replacement from pool (e.g. words from a pool)."""
    n = size(rng, max_len, p_empty=p_empty, p_single=p_single)
    return [rng.choice(pool) for _ in range(n)]


def text(
    rng: random.Random, alphabet: str, *, max_len: int = 16,
    p_empty: float | None = None, p_single: float | None = None,
) -> str:
    """A string of `size(...)` characters drawn with replacement from alphabet."""
    return "".join(choice_list(rng, alphabet, max_len=max_len, p_empty=p_empty,
                               p_single=p_single))


def runs(
    rng: random.Random, symbols: Sequence[T], *, lengths: Sequence[int] = (1, 1, 2, 3),
    max_runs: int = 6, max_len: int = 12,
) -> list[T]:
    """Up to max_runs runs, each one symbol repeated a length drawn from lengths, cut to max_len."""
    out: list[T] = []
    for _ in range(rng.randint(0, max_runs)):
        out.extend([rng.choice(symbols)] * rng.choice(lengths))
    return out[:max_len]


def grid(
    rng: random.Random, *, max_rows: int = 5, max_cols: int = 5, lo: int = -9, hi: int = 9,
    p_empty: float = 0.06,
) -> list[list[int]]:
    """A rectangular grid of 1..max_rows rows by 1..max_cols columns of ints in [lo, hi], or []."""
    if rng.random() < p_empty:
        return []
    rows, cols = rng.randint(1, max_rows), rng.randint(1, max_cols)
    return [[rng.randint(lo, hi) for _ in range(cols)] for _ in range(rows)]


def edge_or_int(
    rng: random.Random, edges: Sequence[int], lo: int, hi: int, *, p_edge: float
) -> int:
    """One of edges with probability p_edge, otherwise an int drawn uniformly from [lo, hi]."""
    if rng.random() < p_edge:
        return rng.choice(edges)
    return rng.randint(lo, hi)


def member_or_int(
    rng: random.Random, xs: Sequence[int], lo: int, hi: int, *, p_member: float = 0.5
) -> int:
    """An element of xs with probability p_member (if xs is non-empty), else uniform in [lo, hi]."""
    if xs and rng.random() < p_member:
        return rng.choice(xs)
    return rng.randint(lo, hi)
