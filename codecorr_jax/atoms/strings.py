"""String atoms: character-level transformations of text."""

from __future__ import annotations

import random

from codecorr_jax.atoms.inputs import int_list, runs, text
from codecorr_jax.atoms.spec import atom

_LOWER = "abcdefghijklmnopqrstuvwxyz"
_TEXT_CHARS = _LOWER + "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789  ,.!?-"
_RUN_CHARS = "aabbcxyz Z1!"


def _random_text(rng: random.Random, max_len: int = 16) -> str:
    return text(rng, _LOWER if rng.random() < 0.5 else _TEXT_CHARS, max_len=max_len)


def _gen_text(rng: random.Random) -> tuple:
    return (_random_text(rng),)


def _gen_text_and_shift(rng: random.Random) -> tuple:
    return (_random_text(rng), rng.choice([0, 1, 3, 13, 25, 26, 27, -1, -3]
                                          + [rng.randint(-30, 30)]))


def _gen_text_and_rotation(rng: random.Random) -> tuple:
    s = _random_text(rng, 10)
    return (s, rng.choice([0, 1, 2, 3, -1, -2, len(s), len(s) + 2, rng.randint(-12, 12)]))


def _gen_text_and_chunk(rng: random.Random) -> tuple:
    return (_random_text(rng), rng.choice([1, 2, 3, 4, 5, 6, 20]))


def _gen_runny_text(rng: random.Random) -> tuple:
    return ("".join(runs(rng, _RUN_CHARS, lengths=(1, 1, 2, 3, 4, 5), max_len=20)),)


def _gen_maybe_palindrome(rng: random.Random) -> tuple:
    if rng.random() < 0.4:
        return (_random_text(rng, 10),)
    half = text(rng, "abcAB12", max_len=5)
    middle = rng.choice(["", "x", "7"])
    chars = list(half + middle + half[::-1].swapcase())
    for _ in range(rng.choice([0, 0, 1, 2])):
        chars.insert(rng.randint(0, len(chars)), rng.choice(" ,!-"))
    if chars and rng.random() < 0.25:
        chars[rng.randrange(len(chars))] = "q"
    return ("".join(chars),)


def _gen_code_list(rng: random.Random) -> tuple:
    return (int_list(rng, lo=-30, hi=60, max_len=10),)


def _gen_two_texts(rng: random.Random) -> tuple:
    return (_random_text(rng, 10), _random_text(rng, 6))


@atom(
    topic="strings",
    description="Shift every ASCII letter in s forward by k places in the alphabet, wrapping "
    "from z back to a and keeping its case (a negative k shifts backward); every other "
    "character stays unchanged.",
    generate=_gen_text_and_shift,
    examples=[
        (("", 3), ""),
        (("abc", 1), "bcd"),
        (("xyz", 3), "abc"),
        (("Hello, World!", 13), "Uryyb, Jbeyq!"),
        (("Ab", -1), "Za"),
        (("a1", 27), "b1"),
    ],
)
def caesar_shift(s: str, k: int) -> str:
    result = []
    for ch in s:
        if "a" <= ch <= "z":
            result.append(chr((ord(ch) - ord("a") + k) % 26 + ord("a")))
        elif "A" <= ch <= "Z":
            result.append(chr((ord(ch) - ord("A") + k) % 26 + ord("A")))
        else:
            result.append(ch)
    return "".join(result)


@atom(
    topic="strings",
    description="Replace each maximal run of equal characters in s by the run's length "
    "followed by the character ('aaab' becomes '3a1b'); the empty string for empty s.",
    generate=_gen_runny_text,
    examples=[
        (("",), ""),
        (("aaab",), "3a1b"),
        (("abc",), "1a1b1c"),
        (("zzzzzzzzzzzz",), "12z"),
        (("aabba",), "2a2b1a"),
        (("  x",), "2 1x"),
    ],
    imports=("itertools",),
)
def run_length_encode_text(s: str) -> str:
    return "".join(f"{len(list(group))}{ch}" for ch, group in itertools.groupby(s))


@atom(
    topic="strings",
    description="Return True if s reads the same forwards and backwards once every character "
    "that is not a letter or digit is removed and letters are lowercased, otherwise False; "
    "True when s has no letters or digits at all.",
    generate=_gen_maybe_palindrome,
    examples=[
        (("",), True),
        (("!?",), True),
        (("Abba",), True),
        (("No lemon, no melon",), True),
        (("abc",), False),
        (("ab1a",), False),
        (("1a1",), True),
    ],
)
def is_alnum_palindrome(s: str) -> bool:
    kept = [ch.lower() for ch in s if ch.isalnum()]
    return kept == kept[::-1]


@atom(
    topic="strings",
    description="Return s with the characters at even indices (0, 2, 4, ...) uppercased and "
    "those at odd indices lowercased; characters without case stay as they are but still "
    "count as positions.",
    generate=_gen_text,
    examples=[
        (("",), ""),
        (("hello",), "HeLlO"),
        (("ABC",), "AbC"),
        (("a b",), "A B"),
        (("x1yz",), "X1Yz"),
    ],
)
def alternate_letter_case(s: str) -> str:
    return "".join(ch.upper() if i % 2 == 0 else ch.lower() for i, ch in enumerate(s))


@atom(
    topic="strings",
    description="Return s rotated left by k positions (the first k characters move to the "
    "end), taking k modulo the length of s, so k may exceed the length and a negative k "
    "rotates right; the empty string for empty s.",
    generate=_gen_text_and_rotation,
    examples=[
        (("", 3), ""),
        (("abcde", 2), "cdeab"),
        (("abc", 3), "abc"),
        (("abc", 4), "bca"),
        (("abcd", -1), "dabc"),
        (("xy", 0), "xy"),
    ],
)
def rotate_string_left(s: str, k: int) -> str:
    if not s:
        return s
    k %= len(s)
    return s[k:] + s[:k]


@atom(
    topic="strings",
    description="Split s into consecutive pieces of k characters each, from the left, where k "
    "is at least 1; the last piece holds whatever remains and may be shorter; an empty list "
    "for empty s.",
    generate=_gen_text_and_chunk,
    examples=[
        (("", 2), []),
        (("abcdefg", 3), ["abc", "def", "g"]),
        (("ab", 5), ["ab"]),
        (("abcd", 2), ["ab", "cd"]),
        (("xyz", 1), ["x", "y", "z"]),
    ],
)
def split_into_chunks(s: str, k: int) -> list[str]:
    return [s[i:i + k] for i in range(0, len(s), k)]


@atom(
    topic="strings",
    description="Return the Unicode code point (as given by ord) of each character of s, in "
    "order; an empty list for empty s.",
    generate=_gen_text,
    examples=[
        (("",), []),
        (("A",), [65]),
        (("ab",), [97, 98]),
        (("0 z",), [48, 32, 122]),
        (("Hi!",), [72, 105, 33]),
    ],
)
def char_codes(s: str) -> list[int]:
    return [ord(ch) for ch in s]


@atom(
    topic="strings",
    description="Return a string of lowercase letters with one letter per element of xs: x "
    "becomes the letter at position x mod 26 of the alphabet (0 gives 'a', 25 gives 'z', 26 "
    "gives 'a' again, -1 gives 'z'); the empty string for an empty list.",
    generate=_gen_code_list,
    examples=[
        (([],), ""),
        (([0],), "a"),
        (([7, 8],), "hi"),
        (([25, 26, -1],), "zaz"),
        (([2, 0, 19],), "cat"),
        (([53],), "b"),
    ],
)
def letters_from_numbers(xs: list[int]) -> str:
    return "".join(chr(ord("a") + x % 26) for x in xs)


@atom(
    topic="strings",
    description="Return the characters of s and t taken alternately, starting with the first "
    "character of s; once the shorter string runs out, the rest of the longer one is "
    "appended unchanged.",
    generate=_gen_two_texts,
    examples=[
        (("", ""), ""),
        (("abc", ""), "abc"),
        (("", "q"), "q"),
        (("ace", "bdf"), "abcdef"),
        (("a", "xyz"), "axyz"),
        (("hello", "12"), "h1e2llo"),
    ],
)
def interleave_strings(s: str, t: str) -> str:
    result = []
    for i in range(max(len(s), len(t))):
        if i < len(s):
            result.append(s[i])
        if i < len(t):
            result.append(t[i])
    return "".join(result)


@atom(
    topic="strings",
    description="Return the length of the longest block of consecutive identical characters "
    "in s; 0 for empty s.",
    generate=_gen_runny_text,
    examples=[
        (("",), 0),
        (("a",), 1),
        (("abc",), 1),
        (("aabbbc",), 3),
        (("xxyyxx",), 2),
        (("  !!!!",), 4),
    ],
)
def longest_same_char_run(s: str) -> int:
    best = 0
    current = 0
    for i, ch in enumerate(s):
        current = current + 1 if i > 0 and ch == s[i - 1] else 1
        best = max(best, current)
    return best
