"""Bits and parity atoms: binary representations, bit counts, bit-level transforms.

Integers may be negative. Atoms that look at "the bits of n" use the bits of its absolute value;
the two that use Python's `^` on negative numbers (toggle_bit, xor_prefix) say so and follow
two's complement, as Python does. The atoms move between int, str, bool, list[int] and
list[list[int]] so they chain with the other topics.
"""

from __future__ import annotations

import random

from codecorr_jax.atoms.inputs import edge_or_int, int_list, text
from codecorr_jax.atoms.spec import atom


def _int_value(rng: random.Random) -> int:
    kind = rng.random()
    if kind < 0.08:
        return 0
    if kind < 0.3:
        return rng.randint(1, 20)
    if kind < 0.45:
        return 2 ** rng.randint(0, 16)
    if kind < 0.55:
        return 2 ** rng.randint(1, 16) - 1
    if kind < 0.8:
        return rng.randint(21, 70000)
    return -rng.randint(1, 3000)


def _small_ints(rng: random.Random) -> list[int]:
    return int_list(rng, lo=-20, hi=40, max_len=8)


def _width(rng: random.Random, max_width: int) -> int:
    return edge_or_int(rng, (0,), 1, max_width, p_edge=0.05)


def _gen_int(rng: random.Random) -> tuple:
    return (_int_value(rng),)


def _gen_int_and_width(rng: random.Random) -> tuple:
    return (_int_value(rng), _width(rng, 12))


def _gen_int_and_bit(rng: random.Random) -> tuple:
    return (_int_value(rng), rng.randint(0, 10))


def _gen_bit_string(rng: random.Random) -> tuple:
    return (text(rng, "01" if rng.random() < 0.7 else "01ab -", max_len=12),)


def _gen_int_list(rng: random.Random) -> tuple:
    return (_small_ints(rng),)


def _gen_int_list_and_width(rng: random.Random) -> tuple:
    return (_small_ints(rng), _width(rng, 6))


@atom(
    topic="bits",
    description="Return the number of 1 bits in the binary representation of the absolute "
    "value of n; 0 for n = 0.",
    generate=_gen_int,
    examples=[
        ((0,), 0),
        ((1,), 1),
        ((7,), 3),
        ((8,), 1),
        ((10,), 2),
        ((255,), 8),
        ((-5,), 2),
    ],
)
def count_set_bits(n: int) -> int:
    return bin(n).count("1")


@atom(
    topic="bits",
    description="Return True if the binary representation of the absolute value of n has an "
    "odd number of 1 bits, otherwise False; False for n = 0.",
    generate=_gen_int,
    examples=[
        ((0,), False),
        ((1,), True),
        ((3,), False),
        ((6,), False),
        ((7,), True),
        ((11,), True),
        ((-2,), True),
    ],
)
def has_odd_parity(n: int) -> bool:
    return bin(n).count("1") % 2 == 1


@atom(
    topic="bits",
    description="Return the binary representation of n as a string of '0' and '1' with no "
    "'0b' prefix and no leading zeros: '0' for n = 0, and for negative n a '-' followed by "
    "the digits of its absolute value.",
    generate=_gen_int,
    examples=[
        ((0,), "0"),
        ((1,), "1"),
        ((2,), "10"),
        ((5,), "101"),
        ((255,), "11111111"),
        ((1024,), "10000000000"),
        ((-6,), "-110"),
    ],
)
def to_binary_string(n: int) -> str:
    return format(n, "b")


@atom(
    topic="bits",
    description="Read the characters '0' and '1' of s from left to right as the digits of a "
    "binary number, ignoring every other character (a '-' included), and return its value; "
    "0 when s contains no '0' or '1'.",
    generate=_gen_bit_string,
    examples=[
        (("",), 0),
        (("0",), 0),
        (("1",), 1),
        (("101",), 5),
        (("0011",), 3),
        (("1a0b1",), 5),
        (("-110",), 6),
        (("hello",), 0),
        (("11111111",), 255),
    ],
)
def binary_string_value(s: str) -> int:
    value = 0
    for ch in s:
        if ch in "01":
            value = value * 2 + int(ch)
    return value


@atom(
    topic="bits",
    description="Return the reflected binary Gray code of n, which is n XOR (n shifted right "
    "by one bit); for negative n return the negative of the Gray code of its absolute value.",
    generate=_gen_int,
    examples=[
        ((0,), 0),
        ((1,), 1),
        ((2,), 3),
        ((3,), 2),
        ((4,), 6),
        ((5,), 7),
        ((7,), 4),
        ((8,), 12),
        ((10,), 15),
        ((-3,), -2),
    ],
)
def gray_code(n: int) -> int:
    m = abs(n)
    code = m ^ (m >> 1)
    return code if n >= 0 else -code


@atom(
    topic="bits",
    description="Return the positions of the 1 bits in the binary representation of the "
    "absolute value of n in increasing order, where position 0 is the least significant "
    "bit; [] for n = 0.",
    generate=_gen_int,
    examples=[
        ((0,), []),
        ((1,), [0]),
        ((2,), [1]),
        ((5,), [0, 2]),
        ((12,), [2, 3]),
        ((37,), [0, 2, 5]),
        ((1024,), [10]),
        ((-7,), [0, 1, 2]),
    ],
)
def set_bit_positions(n: int) -> list[int]:
    m = abs(n)
    return [i for i in range(m.bit_length()) if (m >> i) & 1]


@atom(
    topic="bits",
    description="Take the lowest width bits of the absolute value of n (bits at position "
    "width or above are dropped) and return the number they form in reverse order, so bit "
    "i moves to position width - 1 - i; 0 when width <= 0.",
    generate=_gen_int_and_width,
    examples=[
        ((1, 4), 8),
        ((6, 3), 3),
        ((13, 4), 11),
        ((13, 2), 2),
        ((0, 5), 0),
        ((5, 0), 0),
        ((-1, 3), 4),
        ((1, 8), 128),
    ],
)
def reverse_bits(n: int, width: int) -> int:
    n = abs(n)
    result = 0
    for _ in range(width):
        result = result * 2 + n % 2
        n //= 2
    return result


@atom(
    topic="bits",
    description="Return n with bit k flipped, that is n XOR 2**k, where a negative n behaves "
    "as two's complement with infinitely many leading 1 bits (so flipping bit 0 of -1 gives "
    "-2); k is at least 0, and bit 0 is the least significant.",
    generate=_gen_int_and_bit,
    examples=[
        ((0, 0), 1),
        ((5, 0), 4),
        ((5, 1), 7),
        ((6, 2), 2),
        ((8, 3), 0),
        ((0, 4), 16),
        ((-1, 0), -2),
        ((-8, 3), -16),
    ],
)
def toggle_bit(n: int, k: int) -> int:
    return n ^ (1 << k)


@atom(
    topic="bits",
    description="Return the running XOR of xs: element i of the result is xs[0] ^ xs[1] ^ ... "
    "^ xs[i], using Python's ^ on integers (two's complement for negative values); [] for an "
    "empty list.",
    generate=_gen_int_list,
    examples=[
        (([],), []),
        (([5],), [5]),
        (([1, 2, 3],), [1, 3, 0]),
        (([4, 4, 4],), [4, 0, 4]),
        (([6, 3],), [6, 5]),
        (([0, 0],), [0, 0]),
        (([-1, 1],), [-1, -2]),
    ],
)
def xor_prefix(xs: list[int]) -> list[int]:
    result = []
    acc = 0
    for x in xs:
        acc ^= x
        result.append(acc)
    return result


@atom(
    topic="bits",
    description="Return one row per element x of xs, in order: the lowest width bits of the "
    "absolute value of x as 0/1 integers, most significant bit first; [] for an empty xs, "
    "and every row is empty when width <= 0.",
    generate=_gen_int_list_and_width,
    examples=[
        (([], 3), []),
        (([5], 3), [[1, 0, 1]]),
        (([1, 2], 2), [[0, 1], [1, 0]]),
        (([6], 2), [[1, 0]]),
        (([-3], 4), [[0, 0, 1, 1]]),
        (([9, 4], 4), [[1, 0, 0, 1], [0, 1, 0, 0]]),
        (([7, 0], 0), [[], []]),
    ],
)
def bit_rows(xs: list[int], width: int) -> list[list[int]]:
    return [[(abs(x) >> i) & 1 for i in reversed(range(width))] for x in xs]
