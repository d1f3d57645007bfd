"""Arithmetic atoms: divisibility, primes, factorisation and exact fractions."""

from __future__ import annotations

import random

from codecorr_jax.atoms.inputs import edge_or_int, int_list
from codecorr_jax.atoms.spec import atom

_SMALL_PRIMES = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73,
                 79, 83, 89, 97, 101, 211, 307, 401, 503, 997)


def _gen_positive_int(rng: random.Random) -> tuple:
    roll = rng.random()
    if roll < 0.2:
        return (rng.choice(_SMALL_PRIMES),)
    if roll < 0.4:
        return (rng.choice([2, 3, 4, 5, 6, 8, 10, 12]) * rng.choice([2, 3, 4, 6, 9, 10, 12, 25]),)
    return (edge_or_int(rng, (-7, -1, 0, 1, 2), 3, 600, p_edge=1 / 6),)


def _gen_primality_int(rng: random.Random) -> tuple:
    if rng.random() < 0.4:
        return (rng.choice(_SMALL_PRIMES),)
    return (edge_or_int(rng, (-11, -2, 0, 1, 2, 3, 4), 4, 800, p_edge=0.25),)


def _gen_factorial_arg(rng: random.Random) -> tuple:
    return (edge_or_int(rng, (-5, 0, 3, 4, 5, 9, 10, 25), 0, 1000, p_edge=0.2),)


def _gen_common_factor_list(rng: random.Random) -> tuple:
    if rng.random() < 0.2:
        return (int_list(rng, lo=-30, hi=30, max_len=8),)
    factor = rng.choice([1, 2, 3, 4, 5, 6, 7, 10, 12, 15])
    return ([factor * x for x in int_list(rng, lo=-12, hi=12, max_len=8)],)


def _gen_prime_candidates(rng: random.Random) -> tuple:
    return (int_list(rng, lo=-5, hi=60),)


def _gen_round_args(rng: random.Random) -> tuple:
    k = rng.choice([1, 2, 3, 4, 5, 7, 10, 12, 25, 100])
    if rng.random() < 0.2:
        return (k * rng.randint(-10, 10) + k // 2, k)
    return (rng.randint(-200, 1000), k)


def _gen_fraction_args(rng: random.Random) -> tuple:
    k = rng.choice([v for v in range(-12, 13) if v != 0])
    if rng.random() < 0.2:
        return (k * rng.randint(-5, 5), k)
    return (rng.randint(-60, 60), k)


@atom(
    topic="arithmetic",
    description="Return the greatest common divisor of the integers in xs, which is never "
    "negative (signs are ignored); 0 for an empty list or a list of only zeros.",
    generate=_gen_common_factor_list,
    examples=[
        (([],), 0),
        (([0, 0],), 0),
        (([12, 18],), 6),
        (([-8],), 8),
        (([7, 5],), 1),
        (([0, -15, 10],), 5),
    ],
    imports=("math",),
)
def gcd_of_list(xs: list[int]) -> int:
    result = 0
    for x in xs:
        result = math.gcd(result, x)
    return result


@atom(
    topic="arithmetic",
    description="Return the prime factors of n in ascending order, each repeated as many times "
    "as it divides n (12 gives [2, 2, 3]); an empty list when n is less than 2.",
    generate=_gen_positive_int,
    examples=[
        ((1,), []),
        ((0,), []),
        ((-12,), []),
        ((12,), [2, 2, 3]),
        ((13,), [13]),
        ((360,), [2, 2, 2, 3, 3, 5]),
        ((49,), [7, 7]),
    ],
)
def prime_factors(n: int) -> list[int]:
    factors = []
    p = 2
    while p * p <= n:
        while n % p == 0:
            factors.append(p)
            n //= p
        p += 1
    if n > 1:
        factors.append(n)
    return factors


@atom(
    topic="arithmetic",
    description="Return True if n is prime (an integer greater than 1 whose only positive "
    "divisors are 1 and n), otherwise False; negative numbers, 0 and 1 are not prime.",
    generate=_gen_primality_int,
    examples=[
        ((-7,), False),
        ((0,), False),
        ((1,), False),
        ((2,), True),
        ((9,), False),
        ((97,), True),
        ((91,), False),
    ],
)
def is_prime_number(n: int) -> bool:
    if n < 2:
        return False
    d = 2
    while d * d <= n:
        if n % d == 0:
            return False
        d += 1
    return True


@atom(
    topic="arithmetic",
    description="Return all positive divisors of n in ascending order, including 1 and n "
    "itself; an empty list when n is less than 1.",
    generate=_gen_positive_int,
    examples=[
        ((0,), []),
        ((-6,), []),
        ((1,), [1]),
        ((12,), [1, 2, 3, 4, 6, 12]),
        ((16,), [1, 2, 4, 8, 16]),
        ((13,), [1, 13]),
    ],
)
def divisors_ascending(n: int) -> list[int]:
    small = []
    large = []
    d = 1
    while d * d <= n:
        if n % d == 0:
            small.append(d)
            if d != n // d:
                large.append(n // d)
        d += 1
    return small + large[::-1]


@atom(
    topic="arithmetic",
    description="Return Euler's totient of n: how many integers k with 1 <= k <= n have "
    "gcd(k, n) == 1; 0 when n is less than 1.",
    generate=_gen_positive_int,
    examples=[
        ((0,), 0),
        ((-4,), 0),
        ((1,), 1),
        ((9,), 6),
        ((10,), 4),
        ((13,), 12),
        ((36,), 12),
    ],
)
def euler_totient(n: int) -> int:
    if n < 1:
        return 0
    result = n
    p = 2
    while p * p <= n:
        if n % p == 0:
            while n % p == 0:
                n //= p
            result -= result // p
        p += 1
    if n > 1:
        result -= result // n
    return result


@atom(
    topic="arithmetic",
    description="Return the number of trailing zeros in the decimal representation of n! "
    "(n factorial); 0 when n is less than 5, including negative n.",
    generate=_gen_factorial_arg,
    examples=[
        ((-3,), 0),
        ((4,), 0),
        ((5,), 1),
        ((10,), 2),
        ((25,), 6),
        ((100,), 24),
        ((124,), 28),
    ],
)
def factorial_trailing_zeros(n: int) -> int:
    count = 0
    power = 5
    while power <= n:
        count += n // power
        power *= 5
    return count


@atom(
    topic="arithmetic",
    description="Return the multiple of k closest to n, where k is at least 1; when n lies "
    "exactly halfway between two multiples of k, return the larger one (n = -6, k = 4 gives -4).",
    generate=_gen_round_args,
    examples=[
        ((6, 4), 8),
        ((7, 5), 5),
        ((-6, 4), -4),
        ((-7, 4), -8),
        ((0, 3), 0),
        ((23, 10), 20),
        ((25, 10), 30),
        ((5, 1), 5),
    ],
)
def round_to_nearest_multiple(n: int, k: int) -> int:
    return (n + k // 2) // k * k


@atom(
    topic="arithmetic",
    description="Return the fraction n/k in lowest terms as the string 'a/b' with b positive "
    "and any minus sign on a; when the value is a whole number return just 'a' (so 0 gives "
    "'0'); k is never 0.",
    generate=_gen_fraction_args,
    examples=[
        ((6, 8), "3/4"),
        ((0, 5), "0"),
        ((10, -4), "-5/2"),
        ((-9, 3), "-3"),
        ((7, 1), "7"),
        ((-3, -6), "1/2"),
    ],
    imports=("math",),
)
def reduced_fraction(n: int, k: int) -> str:
    g = math.gcd(n, k)
    a, b = n // g, k // g
    if b < 0:
        a, b = -a, -b
    if b == 1:
        return str(a)
    return f"{a}/{b}"


@atom(
    topic="arithmetic",
    description="Return the smallest prime number strictly greater than n (7 gives 11); 2 when "
    "n is less than 2, including negative n.",
    generate=_gen_primality_int,
    examples=[
        ((-5,), 2),
        ((0,), 2),
        ((1,), 2),
        ((2,), 3),
        ((7,), 11),
        ((13,), 17),
        ((24,), 29),
        ((89,), 97),
    ],
    imports=("math",),
)
def next_prime(n: int) -> int:
    candidate = max(n + 1, 2)
    while any(candidate % d == 0 for d in range(2, math.isqrt(candidate) + 1)):
        candidate += 1
    return candidate


@atom(
    topic="arithmetic",
    description="Return how many elements of xs are prime (integers greater than 1 with no "
    "positive divisors other than 1 and themselves), counting repeated values each time; 0 "
    "for an empty list.",
    generate=_gen_prime_candidates,
    examples=[
        (([],), 0),
        (([1, 0, -3],), 0),
        (([2, 3, 4],), 2),
        (([7, 7, 9],), 2),
        (([11, 15, 17, 19, 21],), 3),
    ],
    imports=("math",),
)
def count_primes_in_list(xs: list[int]) -> int:
    count = 0
    for x in xs:
        if x > 1 and all(x % d for d in range(2, math.isqrt(x) + 1)):
            count += 1
    return count
