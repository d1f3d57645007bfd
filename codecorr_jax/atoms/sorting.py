"""Sorting and searching atoms: orderings, ranks, order statistics and positions.

Every atom works on unsorted input (sorting a copy where it needs order) and never mutates its
argument.
"""

from __future__ import annotations

import random

from codecorr_jax.atoms.inputs import SIGNED_RANGES, choice_list, member_or_int, varied_int_list
from codecorr_jax.atoms.spec import atom

_WORD_POOL = (
    "a", "an", "ox", "cat", "dog", "sun", "tree", "bird", "fish", "apple", "grape", "lemon",
    "banana", "cherry", "go", "I", "moon", "kiwi", "plum", "", "zebra", "owl",
)


def _gen_unsorted(rng: random.Random) -> tuple:
    xs = varied_int_list(rng)
    shape = rng.random()
    if shape < 0.1:
        xs.sort()
    elif shape < 0.2:
        xs.sort(reverse=True)
    return (xs,)


def _gen_signed(rng: random.Random) -> tuple:
    return (varied_int_list(rng, SIGNED_RANGES),)


def _gen_list_and_count(rng: random.Random) -> tuple:
    (xs,) = _gen_unsorted(rng)
    return (xs, rng.randint(-1, 8))


def _gen_list_and_target(rng: random.Random) -> tuple:
    (xs,) = _gen_unsorted(rng)
    return (xs, member_or_int(rng, xs, -15, 35))


def _gen_sortable_words(rng: random.Random) -> tuple:
    return (choice_list(rng, _WORD_POOL, max_len=8),)


@atom(
    topic="sorting",
    description="Return a new list with the integers of xs in descending (non-increasing) "
    "order, duplicates kept; [] for an empty list.",
    generate=_gen_unsorted,
    examples=[
        (([],), []),
        (([4],), [4]),
        (([1, 3, 2],), [3, 2, 1]),
        (([2, -1, 2, 0],), [2, 2, 0, -1]),
        (([-5, -2],), [-2, -5]),
    ],
)
def sorted_descending(xs: list[int]) -> list[int]:
    return sorted(xs, reverse=True)


@atom(
    topic="sorting",
    description="Return the index of the largest element of xs; if the maximum occurs more "
    "than once, the smallest such index; -1 for an empty list.",
    generate=_gen_unsorted,
    examples=[
        (([],), -1),
        (([5],), 0),
        (([1, 3, 2],), 1),
        (([4, 1, 4],), 0),
        (([-5, -2, -9],), 1),
    ],
)
def index_of_max(xs: list[int]) -> int:
    if not xs:
        return -1
    return xs.index(max(xs))


@atom(
    topic="sorting",
    description="Return the k smallest elements of xs in ascending order, duplicates counted "
    "separately; the whole list sorted if k >= len(xs); [] if k <= 0.",
    generate=_gen_list_and_count,
    examples=[
        (([], 2), []),
        (([5, 1, 4, 1], 2), [1, 1]),
        (([3, 2, 1], 5), [1, 2, 3]),
        (([3, 2], 0), []),
        (([9, -1, 4], 1), [-1]),
    ],
)
def k_smallest_sorted(xs: list[int], k: int) -> list[int]:
    return sorted(xs)[:max(k, 0)]


@atom(
    topic="sorting",
    description="Return a new list with the elements of xs sorted by absolute value, smallest "
    "first; elements with equal absolute value (such as 3 and -3) keep their original "
    "relative order; [] for an empty list.",
    generate=_gen_signed,
    examples=[
        (([],), []),
        (([-3, 1, 2],), [1, 2, -3]),
        (([3, -3],), [3, -3]),
        (([-3, 3],), [-3, 3]),
        (([0, -1, 5, -4],), [0, -1, -4, 5]),
    ],
)
def sort_by_absolute_value(xs: list[int]) -> list[int]:
    return sorted(xs, key=abs)


@atom(
    topic="sorting",
    description="Return the lower median of xs: the element at index (len(xs) - 1) // 2 of "
    "xs sorted ascending, so for an even length the smaller of the two middle elements; 0 "
    "for an empty list.",
    generate=_gen_unsorted,
    examples=[
        (([],), 0),
        (([7],), 7),
        (([3, 1, 2],), 2),
        (([4, 1, 3, 2],), 2),
        (([5, 5, -1],), 5),
    ],
)
def lower_median(xs: list[int]) -> int:
    if not xs:
        return 0
    ordered = sorted(xs)
    return ordered[(len(ordered) - 1) // 2]


@atom(
    topic="sorting",
    description="Return, for each element of xs in order, its dense rank counted from 0: the "
    "number of distinct values in xs smaller than it, so equal elements share a rank and the "
    "ranks have no gaps; [] for an empty list.",
    generate=_gen_unsorted,
    examples=[
        (([],), []),
        (([10, 30, 10, 20],), [0, 2, 0, 1]),
        (([5],), [0]),
        (([-1, -1],), [0, 0]),
        (([3, 2, 1],), [2, 1, 0]),
    ],
)
def dense_ranks(xs: list[int]) -> list[int]:
    distinct = sorted(set(xs))
    return [distinct.index(x) for x in xs]


@atom(
    topic="sorting",
    description="Return the indices of xs ordered so that the elements they point to are in "
    "ascending order; indices of equal elements appear in increasing order; [] for an empty "
    "list.",
    generate=_gen_unsorted,
    examples=[
        (([],), []),
        (([30, 10, 20],), [1, 2, 0]),
        (([5, 5],), [0, 1]),
        (([2, 1, 2, 1],), [1, 3, 0, 2]),
        (([7],), [0]),
    ],
)
def argsort_indices(xs: list[int]) -> list[int]:
    return sorted(range(len(xs)), key=lambda i: xs[i])


@atom(
    topic="sorting",
    description="Return the number of inversions in xs: index pairs i < j with "
    "xs[i] > xs[j] (equal elements are not an inversion); 0 for an empty or ascending list.",
    generate=_gen_unsorted,
    examples=[
        (([],), 0),
        (([1, 2, 3],), 0),
        (([3, 2, 1],), 3),
        (([2, 2, 1],), 2),
        (([1, 3, 2, 0],), 4),
    ],
)
def count_inversions(xs: list[int]) -> int:
    count = 0
    for i in range(len(xs)):
        for j in range(i + 1, len(xs)):
            if xs[i] > xs[j]:
                count += 1
    return count


@atom(
    topic="sorting",
    description="Return the index at which target would be inserted into xs sorted ascending "
    "to keep it sorted, placed before any elements equal to target; this is the number of "
    "elements of xs strictly less than target; 0 for an empty list.",
    generate=_gen_list_and_target,
    examples=[
        (([], 5), 0),
        (([3, 1, 2], 2), 1),
        (([1, 2, 3], 10), 3),
        (([5, 5, 5], 5), 0),
        (([4, -2, 7], 0), 1),
    ],
    imports=("bisect",),
)
def sorted_insertion_index(xs: list[int], target: int) -> int:
    return bisect.bisect_left(sorted(xs), target)


@atom(
    topic="sorting",
    description="Return a new list with the strings of words sorted by length, shortest "
    "first; words of equal length keep their original relative order; [] for an empty list.",
    generate=_gen_sortable_words,
    examples=[
        (([],), []),
        ((["ccc", "a", "bb"],), ["a", "bb", "ccc"]),
        ((["dog", "cat", "ox"],), ["ox", "dog", "cat"]),
        ((["x"],), ["x"]),
        ((["ab", "", "c"],), ["", "c", "ab"]),
    ],
)
def sort_words_by_length(words: list[str]) -> list[str]:
    return sorted(words, key=len)
