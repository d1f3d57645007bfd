"""List atoms: element-wise and positional transformations of lists of integers.

Most atoms map `list[int]` to `list[int]`; others reduce it to an `int`, render it as a `str`, or
split it into a `list[list[int]]`.
"""

from __future__ import annotations

import random

from codecorr_jax.atoms.inputs import SIGNED_RANGES, int_list, member_or_int, varied_int_list
from codecorr_jax.atoms.spec import atom


def _gen_int_list(rng: random.Random) -> tuple:
    return (varied_int_list(rng),)


def _gen_signed_list(rng: random.Random) -> tuple:
    return (varied_int_list(rng, SIGNED_RANGES),)


def _gen_list_and_shift(rng: random.Random) -> tuple:
    return (varied_int_list(rng), rng.randint(-3, 15))


def _gen_list_and_member(rng: random.Random) -> tuple:
    xs = varied_int_list(rng)
    return (xs, member_or_int(rng, xs, -5, 10, p_member=0.75))


def _gen_list_with_separators(rng: random.Random) -> tuple:
    sep = rng.choice([0, 0, 0, -1, 5])
    xs = [sep if rng.random() < 0.3 else x for x in int_list(rng, lo=-4, hi=9)]
    return (xs, sep)


def _gen_list_and_text_sep(rng: random.Random) -> tuple:
    return (varied_int_list(rng), rng.choice([",", ", ", " ", "", ";", " + ", "|"]))


def _gen_list_and_bounds(rng: random.Random) -> tuple:
    lo = rng.randint(-10, 10)
    return (varied_int_list(rng), lo, lo + rng.choice([0, 1, 3, 5, 10, 20]))


@atom(
    topic="lists",
    description="Return the running (prefix) sums of xs: element i of the result is "
    "xs[0] + xs[1] + ... + xs[i]; [] for an empty list.",
    generate=_gen_int_list,
    examples=[
        (([],), []),
        (([5],), [5]),
        (([1, 2, 3],), [1, 3, 6]),
        (([3, -3, 4],), [3, 0, 4]),
        (([-1, -1],), [-1, -2]),
    ],
)
def running_sum(xs: list[int]) -> list[int]:
    total = 0
    result = []
    for x in xs:
        total += x
        result.append(total)
    return result


@atom(
    topic="lists",
    description="Return a copy of xs with each pair of neighbours at indices (0, 1), (2, 3), "
    "(4, 5), ... swapped; when xs has odd length the last element stays in place; [] for an "
    "empty list.",
    generate=_gen_int_list,
    examples=[
        (([],), []),
        (([7],), [7]),
        (([1, 2],), [2, 1]),
        (([1, 2, 3],), [2, 1, 3]),
        (([4, 4, 5, 6],), [4, 4, 6, 5]),
    ],
)
def swap_adjacent_pairs(xs: list[int]) -> list[int]:
    result = list(xs)
    for i in range(0, len(result) - 1, 2):
        result[i], result[i + 1] = result[i + 1], result[i]
    return result


@atom(
    topic="lists",
    description="Return a copy of xs rotated left by k positions, so the element at index k "
    "moves to the front; k is taken modulo len(xs), so a k of len(xs) or more wraps around "
    "and a negative k rotates right; [] for an empty list.",
    generate=_gen_list_and_shift,
    examples=[
        (([], 3), []),
        (([1, 2, 3, 4], 1), [2, 3, 4, 1]),
        (([1, 2, 3], 5), [3, 1, 2]),
        (([1, 2, 3], -1), [3, 1, 2]),
        (([7, 8], 0), [7, 8]),
    ],
)
def rotate_left_by(xs: list[int], k: int) -> list[int]:
    if not xs:
        return []
    k %= len(xs)
    return xs[k:] + xs[:k]


@atom(
    topic="lists",
    description="Split xs at every element equal to sep, like str.split: return the groups of "
    "elements lying between occurrences of sep, in order, with the sep elements removed; "
    "leading, trailing or adjacent seps produce empty groups, and a list without sep "
    "(including an empty list) gives a single group holding all of xs.",
    generate=_gen_list_with_separators,
    examples=[
        (([], 0), [[]]),
        (([1, 2], 0), [[1, 2]]),
        (([1, 0, 2, 0, 0, 3], 0), [[1], [2], [], [3]]),
        (([5], 5), [[], []]),
        (([0, 4, 0], 0), [[], [4], []]),
    ],
)
def split_list_on_value(xs: list[int], sep: int) -> list[list[int]]:
    groups = [[]]
    for x in xs:
        if x == sep:
            groups.append([])
        else:
            groups[-1].append(x)
    return groups


@atom(
    topic="lists",
    description="Return xs with every element equal to value removed, the other elements "
    "keeping their order; [] if every element equals value or xs is empty.",
    generate=_gen_list_and_member,
    examples=[
        (([], 1), []),
        (([1, 2, 1, 3], 1), [2, 3]),
        (([5, 5], 5), []),
        (([1, 2], 9), [1, 2]),
        (([-1, 0, -1], -1), [0]),
    ],
)
def remove_all_occurrences(xs: list[int], value: int) -> list[int]:
    return [x for x in xs if x != value]


@atom(
    topic="lists",
    description="Return xs[0] - xs[1] + xs[2] - xs[3] + ...: the elements at even indices are "
    "added and those at odd indices subtracted; 0 for an empty list.",
    generate=_gen_int_list,
    examples=[
        (([],), 0),
        (([7],), 7),
        (([5, 3],), 2),
        (([1, 2, 3, 4],), -2),
        (([-1, -1, -1],), -1),
    ],
)
def alternating_sum(xs: list[int]) -> int:
    return sum(x if i % 2 == 0 else -x for i, x in enumerate(xs))


@atom(
    topic="lists",
    description="Return the decimal forms of the integers in xs (negative numbers with a "
    "leading \"-\") joined with sep between consecutive numbers and no sep at either end; "
    "\"\" for an empty list.",
    generate=_gen_list_and_text_sep,
    examples=[
        (([], ","), ""),
        (([7], ","), "7"),
        (([1, -2, 3], ","), "1,-2,3"),
        (([10, 20], " "), "10 20"),
        (([1, 2], ""), "12"),
    ],
)
def join_ints_with(xs: list[int], sep: str) -> str:
    return sep.join(str(x) for x in xs)


@atom(
    topic="lists",
    description="Return the elements of xs at even indices 0, 2, 4, ... in their original "
    "order; [] for an empty list.",
    generate=_gen_int_list,
    examples=[
        (([],), []),
        (([9],), [9]),
        (([1, 2, 3, 4, 5],), [1, 3, 5]),
        (([4, 3],), [4]),
        (([0, -1, 0, -1],), [0, 0]),
    ],
)
def elements_at_even_indices(xs: list[int]) -> list[int]:
    return xs[::2]


@atom(
    topic="lists",
    description="Return the number of adjacent pairs (xs[i], xs[i + 1]) in which one element "
    "is positive and the other negative; zero has no sign, so a pair containing 0 never "
    "counts; 0 if xs has fewer than two elements.",
    generate=_gen_signed_list,
    examples=[
        (([],), 0),
        (([1, -1, 1],), 2),
        (([3, 0, -3],), 0),
        (([-2, -5, 4],), 1),
        (([5],), 0),
    ],
)
def count_sign_changes(xs: list[int]) -> int:
    return sum(1 for a, b in zip(xs, xs[1:]) if a * b < 0)


@atom(
    topic="lists",
    description="Return a new list in which each element of xs below lo is replaced by lo, "
    "each element above hi is replaced by hi, and the others are kept; lo <= hi; [] for an "
    "empty list.",
    generate=_gen_list_and_bounds,
    examples=[
        (([], 0, 5), []),
        (([-3, 2, 9], 0, 5), [0, 2, 5]),
        (([1, 2], 1, 2), [1, 2]),
        (([10], -5, -1), [-1]),
        (([4, 4], 4, 4), [4, 4]),
    ],
)
def clamp_to_range(xs: list[int], lo: int, hi: int) -> list[int]:
    return [min(max(x, lo), hi) for x in xs]
