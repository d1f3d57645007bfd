"""Sequence atoms: recurrences, term generators, differences and runs."""

from __future__ import annotations

import random

from codecorr_jax.atoms.inputs import choice_list, edge_or_int, int_list, runs, size
from codecorr_jax.atoms.spec import atom


def _gen_term_count(rng: random.Random) -> tuple:
    return (rng.randint(0, 15),)


def _gen_collatz_start(rng: random.Random) -> tuple:
    return (edge_or_int(rng, (0, 1, 2), 3, 300, p_edge=0.1),)


def _gen_int_list(rng: random.Random) -> tuple:
    return (int_list(rng, lo=-20, hi=20),)


def _gen_factor_list(rng: random.Random) -> tuple:
    factors = [-3, -2, -1, 1, 2, 3, 4, 5] + ([0] if rng.random() < 0.3 else [])
    return (choice_list(rng, factors),)


def _gen_arithmetic_args(rng: random.Random) -> tuple:
    return (rng.randint(-20, 20), rng.randint(-5, 5), rng.randint(0, 10))


def _gen_maybe_progression(rng: random.Random) -> tuple:
    n = size(rng, 10)
    start, step = rng.randint(-10, 10), rng.randint(-4, 4)
    xs = [start + i * step for i in range(n)]
    if xs and rng.random() < 0.5:
        xs[rng.randrange(n)] += rng.choice([-2, -1, 1, 2])
    return (xs,)


def _gen_runs(rng: random.Random) -> tuple:
    return (runs(rng, (1, 2, 3, 4)),)


def _gen_polynomial_terms(rng: random.Random) -> tuple:
    if rng.random() < 0.7:
        a, b, c = rng.randint(-2, 2), rng.randint(-5, 5), rng.randint(-10, 10)
        return ([a * i * i + b * i + c for i in range(size(rng, 8))],)
    return (int_list(rng, lo=-10, hi=10, max_len=8),)


@atom(
    topic="sequences",
    description="Return the first n terms of the tribonacci sequence 0, 0, 1, 1, 2, 4, 7, 13, "
    "..., where each term after the first three is the sum of the three terms before it; "
    "[] when n <= 0.",
    generate=_gen_term_count,
    examples=[
        ((0,), []),
        ((1,), [0]),
        ((3,), [0, 0, 1]),
        ((6,), [0, 0, 1, 1, 2, 4]),
        ((8,), [0, 0, 1, 1, 2, 4, 7, 13]),
        ((-2,), []),
    ],
)
def tribonacci_terms(n: int) -> list[int]:
    terms = [0, 0, 1]
    while len(terms) < n:
        terms.append(terms[-1] + terms[-2] + terms[-3])
    return terms[: max(n, 0)]


@atom(
    topic="sequences",
    description="Return the number of Collatz steps needed to bring n down to 1, where a step "
    "replaces an even n by n // 2 and an odd n by 3 * n + 1; 0 when n <= 1.",
    generate=_gen_collatz_start,
    examples=[
        ((0,), 0),
        ((1,), 0),
        ((2,), 1),
        ((3,), 7),
        ((6,), 8),
        ((7,), 16),
    ],
)
def collatz_steps(n: int) -> int:
    steps = 0
    while n > 1:
        n = n // 2 if n % 2 == 0 else 3 * n + 1
        steps += 1
    return steps


@atom(
    topic="sequences",
    description="Return the differences between consecutive elements of xs, each later element "
    "minus the one before it (xs[i + 1] - xs[i]), so the result is one shorter than xs; "
    "[] when xs has fewer than two elements.",
    generate=_gen_int_list,
    examples=[
        (([],), []),
        (([4],), []),
        (([1, 4],), [3]),
        (([5, 2, 2, 7],), [-3, 0, 5]),
        (([-1, -3, 0],), [-2, 3]),
    ],
)
def consecutive_differences(xs: list[int]) -> list[int]:
    return [b - a for a, b in zip(xs, xs[1:])]


@atom(
    topic="sequences",
    description="Return the running products of xs: the i-th element is the product of "
    "xs[0] through xs[i]; [] for an empty list.",
    generate=_gen_factor_list,
    examples=[
        (([],), []),
        (([5],), [5]),
        (([2, 3, 4],), [2, 6, 24]),
        (([1, -2, 0, 3],), [1, -2, 0, 0]),
        (([-1, -1, -1],), [-1, 1, -1]),
    ],
)
def prefix_products(xs: list[int]) -> list[int]:
    out = []
    product = 1
    for x in xs:
        product *= x
        out.append(product)
    return out


@atom(
    topic="sequences",
    description="Return the first n terms of the arithmetic sequence that begins at start and "
    "adds step each time: start, start + step, start + 2 * step, ...; [] when n <= 0.",
    generate=_gen_arithmetic_args,
    examples=[
        ((3, 2, 4), [3, 5, 7, 9]),
        ((0, 5, 0), []),
        ((7, 0, 3), [7, 7, 7]),
        ((10, -3, 4), [10, 7, 4, 1]),
        ((-2, 1, 1), [-2]),
    ],
)
def arithmetic_terms(start: int, step: int, n: int) -> list[int]:
    return [start + i * step for i in range(n)]


@atom(
    topic="sequences",
    description="Return True if every difference between consecutive elements of xs is the "
    "same (xs is an arithmetic progression, constant lists included), otherwise False; "
    "True when xs has fewer than three elements.",
    generate=_gen_maybe_progression,
    examples=[
        (([],), True),
        (([4],), True),
        (([1, 5],), True),
        (([1, 3, 5, 7],), True),
        (([1, 3, 6],), False),
        (([9, 6, 3, 0],), True),
        (([2, 2, 2],), True),
        (([1, 2, 1],), False),
    ],
)
def is_arithmetic_progression(xs: list[int]) -> bool:
    return len({b - a for a, b in zip(xs, xs[1:])}) <= 1


@atom(
    topic="sequences",
    description="Return one look-and-say step applied to xs: for each maximal run of equal "
    "adjacent values, from left to right, append the length of the run and then the value, "
    "so [2, 2, 5] gives [2, 2, 1, 5]; [] for an empty list.",
    generate=_gen_runs,
    examples=[
        (([],), []),
        (([1],), [1, 1]),
        (([1, 1],), [2, 1]),
        (([2, 1],), [1, 2, 1, 1]),
        (([3, 3, 3, 1, 3],), [3, 3, 1, 1, 1, 3]),
        (([1, 2, 2, 1, 1, 1],), [1, 1, 2, 2, 3, 1]),
    ],
)
def look_and_say_step(xs: list[int]) -> list[int]:
    out = []
    for x in xs:
        if out and out[-1] == x:
            out[-2] += 1
        else:
            out += [1, x]
    return out


@atom(
    topic="sequences",
    description="Predict the next term of xs by finite differences: repeatedly replace the "
    "list by its consecutive differences (each element minus the one before it) until it "
    "is empty or all zeros, and return the sum of the last elements of xs and of every "
    "difference list formed before that point; a single element x predicts x, and an empty "
    "or all-zero list gives 0.",
    generate=_gen_polynomial_terms,
    examples=[
        (([],), 0),
        (([5],), 5),
        (([2, 5],), 8),
        (([1, 3, 5],), 7),
        (([1, 4, 9, 16],), 25),
        (([0, 0, 0],), 0),
        (([3, 3, 3],), 3),
        (([10, 7, 4],), 1),
    ],
)
def next_term_by_differences(xs: list[int]) -> int:
    total = 0
    while xs and any(xs):
        total += xs[-1]
        xs = [b - a for a, b in zip(xs, xs[1:])]
    return total


@atom(
    topic="sequences",
    description="Return the first n triangular numbers 1, 3, 6, 10, ..., where the k-th one "
    "is 1 + 2 + ... + k; [] when n <= 0.",
    generate=_gen_term_count,
    examples=[
        ((0,), []),
        ((1,), [1]),
        ((4,), [1, 3, 6, 10]),
        ((6,), [1, 3, 6, 10, 15, 21]),
        ((-3,), []),
    ],
)
def triangular_numbers(n: int) -> list[int]:
    return [k * (k + 1) // 2 for k in range(1, n + 1)]


@atom(
    topic="sequences",
    description="Return the length of the longest run of adjacent elements of xs in which each "
    "element is strictly greater than the one before it; a single element is a run of "
    "length 1, and an empty list gives 0.",
    generate=_gen_int_list,
    examples=[
        (([],), 0),
        (([5],), 1),
        (([3, 3, 3],), 1),
        (([1, 2, 3, 1, 2],), 3),
        (([5, 4, 3],), 1),
        (([1, 2, 2, 3, 4, 5],), 4),
    ],
)
def longest_increasing_run(xs: list[int]) -> int:
    best = run = 0
    for i, x in enumerate(xs):
        run = run + 1 if i and x > xs[i - 1] else 1
        best = max(best, run)
    return best
