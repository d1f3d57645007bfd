"""Counting atoms: tallies kept in sets, dicts and collections.Counter.

Inputs and outputs stay in the atom type vocabulary; the sets and dicts live only inside the
function bodies.
"""

from __future__ import annotations

import random

from codecorr_jax.atoms.inputs import choice_list, size, text, varied_int_list
from codecorr_jax.atoms.spec import atom

_LETTERS = "abcdefghij"
_WORD_POOL = ("cat", "dog", "ant", "bee", "owl", "act", "god", "tan", "eel", "yak")
# Narrow value ranges, half of them non-negative, so that values repeat.
_REPEAT_RANGES = tuple((low, spread) for spread in (1, 2, 3, 5, 8) for low in (-spread, 0))


def _gen_ints_with_repeats(rng: random.Random) -> tuple:
    return (varied_int_list(rng, _REPEAT_RANGES),)


def _gen_pairs_target(rng: random.Random) -> tuple:
    (xs,) = _gen_ints_with_repeats(rng)
    if len(xs) >= 2 and rng.random() < 0.6:
        i, j = rng.sample(range(len(xs)), 2)
        target = xs[i] + xs[j]
    else:
        target = rng.randint(-6, 10)
    return (xs, target)


def _gen_short_word(rng: random.Random) -> tuple:
    return (text(rng, _LETTERS[: rng.choice([3, 6, 10])], max_len=8),)


def _gen_word_list(rng: random.Random) -> tuple:
    return (choice_list(rng, _WORD_POOL[: rng.choice([2, 4, 7, 10])], max_len=10),)


def _gen_anagram_words(rng: random.Random) -> tuple:
    words = []
    for _ in range(size(rng, 8)):
        if rng.random() < 0.3:
            words.append(rng.choice(_WORD_POOL))
        else:
            words.append(text(rng, "abc", max_len=3, p_empty=0.0, p_single=0.2))
    return (words,)


@atom(
    topic="counting",
    description="Return the number of distinct values in xs; 0 for an empty list.",
    generate=_gen_ints_with_repeats,
    examples=[
        (([],), 0),
        (([7],), 1),
        (([2, 2, 2],), 1),
        (([1, -1, 1, 0],), 3),
        (([5, 4, 3, 2],), 4),
    ],
)
def count_distinct(xs: list[int]) -> int:
    return len(set(xs))


@atom(
    topic="counting",
    description="Return the value that occurs most often in xs; when several values tie for "
    "the highest count, return the smallest of them; 0 for an empty list.",
    generate=_gen_ints_with_repeats,
    examples=[
        (([],), 0),
        (([4],), 4),
        (([1, 2, 2, 3],), 2),
        (([3, 1, 3, 1],), 1),
        (([-2, 5, -2, 5, 5],), 5),
        (([0, -1],), -1),
    ],
    imports=("collections",),
)
def most_frequent_value(xs: list[int]) -> int:
    if not xs:
        return 0
    counts = collections.Counter(xs)
    return min(counts, key=lambda v: (-counts[v], v))


@atom(
    topic="counting",
    description="Return, for each distinct character of s in order of its first occurrence, "
    "the number of times that character occurs in s (characters compared exactly, so "
    "upper and lower case differ); [] for an empty string.",
    generate=_gen_short_word,
    examples=[
        (("",), []),
        (("a",), [1]),
        (("banana",), [1, 3, 2]),
        (("aabbbc",), [2, 3, 1]),
        (("xyzx",), [2, 1, 1]),
    ],
    imports=("collections",),
)
def char_counts_in_order(s: str) -> list[int]:
    return list(collections.Counter(s).values())


@atom(
    topic="counting",
    description="Return the elements of xs whose value occurs exactly once in xs, in their "
    "original order; [] if there are none or xs is empty.",
    generate=_gen_ints_with_repeats,
    examples=[
        (([],), []),
        (([1, 1],), []),
        (([3, 1, 3, 2],), [1, 2]),
        (([5],), [5]),
        (([4, -1, 4, 0, -1, 7],), [0, 7]),
    ],
    imports=("collections",),
)
def values_occurring_once(xs: list[int]) -> list[int]:
    counts = collections.Counter(xs)
    return [x for x in xs if counts[x] == 1]


@atom(
    topic="counting",
    description="Return the values that occur at least twice in xs, each listed once, in "
    "ascending order; [] if no value repeats or xs is empty.",
    generate=_gen_ints_with_repeats,
    examples=[
        (([],), []),
        (([1, 2, 3],), []),
        (([3, 1, 3, 1, 2],), [1, 3]),
        (([0, 0, 0],), [0]),
        (([5, -2, 5, -2, -2, 9],), [-2, 5]),
    ],
    imports=("collections",),
)
def repeated_values_sorted(xs: list[int]) -> list[int]:
    counts = collections.Counter(xs)
    return sorted(v for v, c in counts.items() if c > 1)


@atom(
    topic="counting",
    description="Return the number of index pairs (i, j) with i < j such that "
    "xs[i] + xs[j] == target; 0 if xs has fewer than two elements.",
    generate=_gen_pairs_target,
    examples=[
        (([], 4), 0),
        (([2, 2], 4), 1),
        (([1, 3, 2, 2], 4), 2),
        (([0, 0, 0], 0), 3),
        (([1, 2, 3], 10), 0),
        (([-1, 5, 3, 1], 4), 2),
    ],
)
def count_pairs_with_sum(xs: list[int], target: int) -> int:
    seen = {}
    pairs = 0
    for x in xs:
        pairs += seen.get(target - x, 0)
        seen[x] = seen.get(x, 0) + 1
    return pairs


@atom(
    topic="counting",
    description="Return True if no character occurs more than once in s (characters compared "
    "exactly, so 'A' and 'a' differ), otherwise False; True for an empty string.",
    generate=_gen_short_word,
    examples=[
        (("",), True),
        (("a",), True),
        (("abc",), True),
        (("abca",), False),
        (("aa",), False),
        (("Aa",), True),
    ],
)
def has_all_unique_chars(s: str) -> bool:
    return len(set(s)) == len(s)


@atom(
    topic="counting",
    description="Return the distinct strings of words, each listed once, ordered by how many "
    "times they occur in words, most frequent first; strings with equal counts are in "
    "alphabetical order; [] for an empty list.",
    generate=_gen_word_list,
    examples=[
        (([],), []),
        ((["b", "a"],), ["a", "b"]),
        ((["x", "y", "y"],), ["y", "x"]),
        ((["cat", "dog", "cat", "ant", "dog", "cat"],), ["cat", "dog", "ant"]),
        ((["b", "a", "b", "a", "c"],), ["a", "b", "c"]),
    ],
    imports=("collections",),
)
def strings_by_frequency(words: list[str]) -> list[str]:
    counts = collections.Counter(words)
    return sorted(counts, key=lambda w: (-counts[w], w))


@atom(
    topic="counting",
    description="Return a list as long as xs whose i-th element is the number of times the "
    "value xs[i] occurs earlier in xs (before index i); [] for an empty list.",
    generate=_gen_ints_with_repeats,
    examples=[
        (([],), []),
        (([7],), [0]),
        (([5, 5, 3, 5],), [0, 1, 0, 2]),
        (([1, 2, 3],), [0, 0, 0]),
        (([2, 2, 2, 2],), [0, 1, 2, 3]),
    ],
)
def running_occurrence_count(xs: list[int]) -> list[int]:
    seen = {}
    out = []
    for x in xs:
        out.append(seen.get(x, 0))
        seen[x] = seen.get(x, 0) + 1
    return out


@atom(
    topic="counting",
    description="Return the number of anagram classes among words: two strings are in the "
    "same class when one is a rearrangement of the other (the same characters with the "
    "same counts); duplicates count once, the empty string forms its own class, and an "
    "empty list gives 0.",
    generate=_gen_anagram_words,
    examples=[
        (([],), 0),
        ((["abc"],), 1),
        ((["abc", "cab", "bca"],), 1),
        ((["ab", "ba", "aab"],), 2),
        ((["a", "b", ""],), 3),
        ((["ab", "ab"],), 1),
    ],
)
def count_anagram_classes(words: list[str]) -> int:
    return len({"".join(sorted(w)) for w in words})
