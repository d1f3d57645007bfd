"""Word atoms: sentences split on whitespace into words, and lists of words.

Sentences are `str`; a sentence's words are a `list[str]`. These atoms bridge text (`str`) with
word lists (`list[str]`), word lists with integers (`list[int]`, `int`), and word lists with each
other.
"""

from __future__ import annotations

import random

from codecorr_jax.atoms.inputs import choice_list
from codecorr_jax.atoms.spec import atom

_WORD_POOL = (
    "apple", "Banana", "cat", "dog", "Egg", "fig", "grape", "house", "ice", "jam", "kite",
    "lemon", "moon", "Nest", "owl", "pear", "queen", "river", "sun", "tree", "up", "van",
    "wolf", "x", "yak", "zebra", "a", "I", "to", "of", "sky", "CODE", "Data", "hELLO",
    "carrot", "window", "be", "stone",
)
_SMALL_POOL = ("the", "The", "cat", "sat", "on", "mat", "a", "dog")
_SEPARATORS = (" ", " ", "-", ", ", "_", "", "/", " | ")


def _gen_words(rng: random.Random) -> tuple:
    words = choice_list(rng, _WORD_POOL, max_len=8)
    if words and rng.random() < 0.05:
        words[rng.randrange(len(words))] = ""
    return (words,)


def _gen_repetitive_words(rng: random.Random) -> tuple:
    return (choice_list(rng, _SMALL_POOL[: rng.choice([2, 4, 8])], max_len=9),)


def _gen_sentence(rng: random.Random) -> tuple:
    (words,) = _gen_words(rng)
    words = [w for w in words if w]
    if rng.random() < 0.75:
        return (" ".join(words),)
    text = "".join(w + " " * rng.randint(1, 3) for w in words)
    return (" " * rng.randint(0, 2) + text,)


def _gen_words_and_sep(rng: random.Random) -> tuple:
    (words,) = _gen_words(rng)
    return (words, rng.choice(_SEPARATORS))


def _gen_words_and_length(rng: random.Random) -> tuple:
    (words,) = _gen_words(rng)
    return (words, rng.randint(0, 6))


def _gen_words_and_prefix(rng: random.Random) -> tuple:
    (words,) = _gen_words(rng)
    r = rng.random()
    if words and r < 0.6:
        word = rng.choice(words)
        prefix = word[: rng.choice([1, 1, 1, 2])]
    elif r < 0.7:
        prefix = ""
    else:
        prefix = rng.choice("abcdefghijklmnopqrstuvwxyzBCDE")
    return (words, prefix)


@atom(
    topic="words",
    description="Return the words of s in order, where words are separated by runs of "
    "whitespace; leading and trailing whitespace is ignored, so an empty or all-space s "
    "gives [].",
    generate=_gen_sentence,
    examples=[
        (("",), []),
        (("hello world",), ["hello", "world"]),
        (("  a  b ",), ["a", "b"]),
        (("one",), ["one"]),
        (("Red fox  runs",), ["Red", "fox", "runs"]),
    ],
)
def split_sentence_words(s: str) -> list[str]:
    return s.split()


@atom(
    topic="words",
    description="Return the strings in words joined into one string with sep between "
    "consecutive words (no sep at either end); \"\" for an empty list.",
    generate=_gen_words_and_sep,
    examples=[
        (([], "-"), ""),
        ((["a"], "-"), "a"),
        ((["a", "b", "c"], "-"), "a-b-c"),
        ((["hi", "there"], ", "), "hi, there"),
        ((["x", "y"], ""), "xy"),
    ],
)
def join_words_with(words: list[str], sep: str) -> str:
    return sep.join(words)


@atom(
    topic="words",
    description="Return a new list in which each word of words has its first character "
    "upper-cased and all its remaining characters lower-cased (\"hELLO\" becomes \"Hello\"); "
    "empty words stay empty; [] for an empty list.",
    generate=_gen_words,
    examples=[
        (([],), []),
        ((["hello"],), ["Hello"]),
        ((["hELLO", "WORLD"],), ["Hello", "World"]),
        ((["a", "b2C"],), ["A", "B2c"]),
        ((["", "x"],), ["", "X"]),
    ],
)
def capitalize_words(words: list[str]) -> list[str]:
    return [w.capitalize() for w in words]


@atom(
    topic="words",
    description="Return the longest word in words; when several words share the greatest "
    "length, the earliest of them; \"\" for an empty list.",
    generate=_gen_words,
    examples=[
        (([],), ""),
        ((["cat"],), "cat"),
        ((["a", "abc", "xyz"],), "abc"),
        ((["hi", "hello", "world"],), "hello"),
        ((["to", "be", "or"],), "to"),
    ],
)
def longest_word(words: list[str]) -> str:
    return max(words, key=len, default="")


@atom(
    topic="words",
    description="Return the length (number of characters) of each word of words, in the same "
    "order; [] for an empty list.",
    generate=_gen_words,
    examples=[
        (([],), []),
        ((["a"],), [1]),
        ((["hello", "to", "you"],), [5, 2, 3]),
        ((["", "ab"],), [0, 2]),
        ((["same", "size"],), [4, 4]),
    ],
)
def word_lengths(words: list[str]) -> list[int]:
    return [len(w) for w in words]


@atom(
    topic="words",
    description="Return the first characters of the non-empty words of words, upper-cased and "
    "concatenated in order; empty words are skipped; \"\" for an empty list.",
    generate=_gen_words,
    examples=[
        (([],), ""),
        ((["portable", "network", "graphics"],), "PNG"),
        ((["as", "Soon", "as", "possible"],), "ASAP"),
        ((["", "x"],), "X"),
        ((["one"],), "O"),
    ],
)
def acronym_of_words(words: list[str]) -> str:
    return "".join(w[0].upper() for w in words if w)


@atom(
    topic="words",
    description="Return s with the characters of each word reversed while the words keep "
    "their order; words are separated by runs of whitespace in s and joined by single spaces "
    "in the result, with leading and trailing whitespace dropped; \"\" if s has no words.",
    generate=_gen_sentence,
    examples=[
        (("",), ""),
        (("abc",), "cba"),
        (("hello world",), "olleh dlrow"),
        (("  ab  cd ",), "ba dc"),
        (("Go now",), "oG won"),
    ],
)
def reverse_each_word(s: str) -> str:
    return " ".join(w[::-1] for w in s.split())


@atom(
    topic="words",
    description="Return how many words of words have strictly more than k characters; 0 for "
    "an empty list.",
    generate=_gen_words_and_length,
    examples=[
        (([], 2), 0),
        ((["a", "abc", "ab"], 2), 1),
        ((["hello", "hi"], 0), 2),
        ((["tree", "four"], 4), 0),
        ((["", "x"], 0), 1),
    ],
)
def count_words_longer_than(words: list[str], k: int) -> int:
    return sum(1 for w in words if len(w) > k)


@atom(
    topic="words",
    description="Return words with repeated words removed, keeping the first occurrence of "
    "each word in the original order; the comparison is case-sensitive, so \"The\" and "
    "\"the\" are different words; [] for an empty list.",
    generate=_gen_repetitive_words,
    examples=[
        (([],), []),
        ((["a", "b", "a"],), ["a", "b"]),
        ((["x", "x", "x"],), ["x"]),
        ((["The", "the", "cat", "The"],), ["The", "the", "cat"]),
        ((["b", "a"],), ["b", "a"]),
    ],
)
def dedupe_words_keep_first(words: list[str]) -> list[str]:
    return list(dict.fromkeys(words))


@atom(
    topic="words",
    description="Return the words of words that start with prefix (case-sensitive), in their "
    "original order with duplicates kept; an empty prefix keeps every word.",
    generate=_gen_words_and_prefix,
    examples=[
        (([], "a"), []),
        ((["apple", "banana", "avocado"], "a"), ["apple", "avocado"]),
        ((["Apple", "apple"], "a"), ["apple"]),
        ((["cat", "car", "dog"], "ca"), ["cat", "car"]),
        ((["x", "y"], ""), ["x", "y"]),
    ],
)
def words_starting_with(words: list[str], prefix: str) -> list[str]:
    return [w for w in words if w.startswith(prefix)]
