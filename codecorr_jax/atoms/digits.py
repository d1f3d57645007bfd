"""Digit atoms: decimal digits, positional bases and numerals."""

from __future__ import annotations

import random

from codecorr_jax.atoms.inputs import edge_or_int, int_list, member_or_int, text
from codecorr_jax.atoms.spec import atom

_HEX_DIGITS = "0123456789abcdef"
_BASES = (2, 3, 5, 8, 10, 16)


def _gen_number(rng: random.Random) -> tuple:
    n = edge_or_int(rng, (0, 1, -1, 9, 10, 100, -300), 0, 10 ** rng.randint(1, 6), p_edge=0.12)
    return (-n if rng.random() < 0.2 else n,)


def _gen_digit_list(rng: random.Random) -> tuple:
    xs = int_list(rng, lo=0, hi=9, max_len=8)
    if xs and rng.random() < 0.15:
        xs[rng.randrange(len(xs))] = rng.choice([-3, -1, 10, 12, 15])
    return (xs,)


def _gen_number_and_base(rng: random.Random) -> tuple:
    (n,) = _gen_number(rng)
    return (n, rng.choice(_BASES))


def _gen_base_text(rng: random.Random) -> tuple:
    base = rng.choice(_BASES)
    chars = list(text(rng, _HEX_DIGITS[:base], max_len=8))
    if base == 16:
        chars = [c.upper() if rng.random() < 0.4 else c for c in chars]
    if rng.random() < 0.2:
        chars.insert(rng.randint(0, len(chars)), rng.choice(["-", " ", "z", "_", "9", "f"]))
    return ("".join(chars), base)


def _gen_roman_arg(rng: random.Random) -> tuple:
    hi = 50 if rng.random() < 1 / 3 else 3999
    return (edge_or_int(rng, (-5, 0, 4000, 5000), 1, hi, p_edge=0.1),)


def _gen_number_and_digit(rng: random.Random) -> tuple:
    (n,) = _gen_number(rng)
    digits = [int(c) for c in str(abs(n))]
    return (n, member_or_int(rng, digits, 0, 9, p_member=0.6))


@atom(
    topic="digits",
    description="Return the sum of the decimal digits of n, ignoring its sign; 0 for n = 0.",
    generate=_gen_number,
    examples=[
        ((0,), 0),
        ((7,), 7),
        ((123,), 6),
        ((-409,), 13),
        ((9999,), 36),
    ],
)
def digit_sum(n: int) -> int:
    return sum(int(c) for c in str(abs(n)))


@atom(
    topic="digits",
    description="Return the decimal digits of n, ignoring its sign, from most significant to "
    "least significant; [0] for n = 0.",
    generate=_gen_number,
    examples=[
        ((0,), [0]),
        ((5,), [5]),
        ((120,), [1, 2, 0]),
        ((-3071,), [3, 0, 7, 1]),
        ((-10,), [1, 0]),
    ],
)
def decimal_digits(n: int) -> list[int]:
    return [int(c) for c in str(abs(n))]


@atom(
    topic="digits",
    description="Return the number whose decimal digits are xs from most significant to least "
    "significant, computed as result = result * 10 + x for each x from left to right starting "
    "at 0 (elements outside 0-9 combine the same way, so [1, 12] gives 22); 0 for an empty "
    "list.",
    generate=_gen_digit_list,
    examples=[
        (([],), 0),
        (([0, 0, 7],), 7),
        (([1, 2, 3],), 123),
        (([4, 0],), 40),
        (([1, 12],), 22),
        (([-1, 5],), -5),
    ],
)
def int_from_digit_list(xs: list[int]) -> int:
    result = 0
    for x in xs:
        result = result * 10 + x
    return result


@atom(
    topic="digits",
    description="Return n written in the given base (2 to 16) with the digits 0-9 then "
    "lowercase a-f, no prefix, and a leading '-' when n is negative; '0' for n = 0.",
    generate=_gen_number_and_base,
    examples=[
        ((0, 2), "0"),
        ((10, 2), "1010"),
        ((255, 16), "ff"),
        ((-8, 3), "-22"),
        ((100, 10), "100"),
        ((35, 7), "50"),
    ],
)
def to_base_string(n: int, base: int) -> str:
    digits = "0123456789abcdef"
    if n == 0:
        return "0"
    text = ""
    m = abs(n)
    while m > 0:
        text = digits[m % base] + text
        m //= base
    return "-" + text if n < 0 else text


@atom(
    topic="digits",
    description="Read s as a non-negative number in the given base (2 to 16) with the digits "
    "0-9 then a-f, case-insensitively; every character that is not a digit of that base "
    "(including '-' and spaces) is skipped; 0 when no digit remains.",
    generate=_gen_base_text,
    examples=[
        (("", 2), 0),
        (("1010", 2), 10),
        (("FF", 16), 255),
        (("1a2", 10), 12),
        (("-17", 8), 15),
        (("xyz", 16), 0),
        (("2 1", 3), 7),
    ],
)
def parse_base_digits(s: str, base: int) -> int:
    digits = "0123456789abcdef"[:base]
    value = 0
    for ch in s.lower():
        if ch in digits:
            value = value * base + digits.index(ch)
    return value


@atom(
    topic="digits",
    description="Return the integer whose decimal digits are those of n in reverse order, "
    "keeping the sign of n; leading zeros of the reversal are dropped (120 gives 21, -45 "
    "gives -54).",
    generate=_gen_number,
    examples=[
        ((0,), 0),
        ((120,), 21),
        ((-45,), -54),
        ((7,), 7),
        ((1000,), 1),
        ((1234,), 4321),
    ],
)
def reverse_digits(n: int) -> int:
    reversed_value = int(str(abs(n))[::-1])
    return -reversed_value if n < 0 else reversed_value


@atom(
    topic="digits",
    description="Return n as an uppercase Roman numeral using subtractive pairs (IV, IX, XL, "
    "XC, CD, CM); the empty string when n is less than 1 or greater than 3999.",
    generate=_gen_roman_arg,
    examples=[
        ((0,), ""),
        ((4000,), ""),
        ((1,), "I"),
        ((4,), "IV"),
        ((14,), "XIV"),
        ((40,), "XL"),
        ((1994,), "MCMXCIV"),
        ((3999,), "MMMCMXCIX"),
    ],
)
def roman_numeral(n: int) -> str:
    if n < 1 or n > 3999:
        return ""
    values = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
              (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    result = ""
    for value, symbol in values:
        while n >= value:
            result += symbol
            n -= value
    return result


@atom(
    topic="digits",
    description="Return how many times the decimal digit d (0 to 9) appears in n written "
    "without its sign; n = 0 is written as '0', so it contains one 0.",
    generate=_gen_number_and_digit,
    examples=[
        ((0, 0), 1),
        ((1010, 1), 2),
        ((-777, 7), 3),
        ((123, 4), 0),
        ((100, 0), 2),
    ],
)
def count_digit_occurrences(n: int, d: int) -> int:
    return str(abs(n)).count(str(d))


@atom(
    topic="digits",
    description="Return the largest integer that can be formed by rearranging the decimal "
    "digits of n, ignoring its sign (the result is never negative; 0 gives 0).",
    generate=_gen_number,
    examples=[
        ((0,), 0),
        ((-21,), 21),
        ((1203,), 3210),
        ((5,), 5),
        ((990,), 990),
        ((4819,), 9841),
    ],
)
def largest_digit_rearrangement(n: int) -> int:
    return int("".join(sorted(str(abs(n)), reverse=True)))


@atom(
    topic="digits",
    description="Return the lowercase English names of the decimal digits of n joined by "
    "single hyphens, preceded by 'minus-' when n is negative ('zero' for n = 0, 105 gives "
    "'one-zero-five').",
    generate=_gen_number,
    examples=[
        ((0,), "zero"),
        ((42,), "four-two"),
        ((-7,), "minus-seven"),
        ((105,), "one-zero-five"),
        ((90,), "nine-zero"),
    ],
)
def spell_out_digits(n: int) -> str:
    names = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
    words = [names[int(c)] for c in str(abs(n))]
    if n < 0:
        words.insert(0, "minus")
    return "-".join(words)
