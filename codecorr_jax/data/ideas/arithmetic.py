"""The arithmetic atoms' ideas in the corpus's own words and code (see `data.ideas`)."""

from codecorr_jax.data.ideas import Idea
from codecorr_jax.data.function_ops import BOOL, INT, INTS, STR

IDEAS: tuple[Idea, ...] = (
    Idea(
        atom="gcd_of_list",
        params=(("xs", INTS),),
        returns=INT,
        names=("list_gcd", "common_divisor_of_all", "greatest_common_factor", "gcd_all",
               "highest_common_factor"),
        sentences=(
            "Return the greatest common divisor of all the numbers in $xs as a non-negative "
            "int; signs do not matter, and an empty list or one made only of zeros gives 0.",
            "Given a list of integers $xs, find the largest positive whole number dividing every "
            "one of them (zeros are divisible by anything, negatives count by magnitude); "
            "return 0 when $xs is empty or all zero.",
            "Compute the GCD of every element of $xs together, e.g. 24, -36 and 60 give 12. The "
            "result is never below zero, and it is 0 for [] or for a list holding nothing but "
            "zeros.",
            "What is the highest common factor shared by all the values in $xs? Ignore signs; "
            "if the list is empty or every value is 0, answer 0.",
            "GCD of a list.\n\nFolds gcd over $xs starting from 0, so a single element -9 gives "
            "9, zero entries change nothing, and an empty list gives 0.",
        ),
        nouns=("the greatest common divisor of all values in $xs (0 if empty or all zero)",
               "the highest common factor of the numbers in $xs, ignoring signs",
               "the non-negative GCD of $xs"),
        bodies=(
            "return functools.reduce(math.gcd, $xs, 0)",
            "g = 0\nfor value in $xs:\n    a, b = abs(g), abs(value)\n    while b:\n"
            "        a, b = b, a % b\n    g = a\nreturn g",
        ),
        imports=("functools", "math"),
    ),
    Idea(
        atom="prime_factors",
        params=(("n", INT),),
        returns=INTS,
        names=("factorize", "prime_decomposition", "factor_into_primes", "list_prime_factors",
               "prime_factorisation"),
        sentences=(
            "Return the prime factorisation of $n as a sorted list, listing each prime once per "
            "time it divides $n (so 20 gives [2, 2, 5]); any $n below 2 gives [].",
            "Given an integer $n, break it into primes and return them smallest first with "
            "repeats, e.g. 90 gives [2, 3, 3, 5]; 1, 0 and negative numbers have no factors "
            "here, so the result is empty.",
            "Find the primes that multiply to $n. The list is ascending and includes a prime as "
            "many times as it appears in the factorisation; for $n < 2 the list is empty.",
            "Which primes multiply together to give $n? List them in increasing order with "
            "multiplicity, or return an empty list if $n is smaller than 2.",
            "Prime factorisation.\n\nRepeatedly divides $n by its smallest prime factor and "
            "collects the divisors in order, so 17 gives [17] and 8 gives [2, 2, 2]; values "
            "under 2 give [].",
        ),
        nouns=("the ascending prime factors of $n, with repeats ([] below 2)",
               "the sorted prime factorisation of $n",
               "the primes whose product is $n, smallest first"),
        bodies=(
            "out = []\nrest = $n\nd = 2\nwhile rest > 1 and d * d <= rest:\n    if rest % d:\n"
            "        d += 1\n    else:\n        out.append(d)\n        rest //= d\n"
            "if rest > 1:\n    out.append(rest)\nreturn out",
            "result = []\nif $n < 2:\n    return result\nm = $n\nwhile m % 2 == 0:\n"
            "    result.append(2)\n    m //= 2\nf = 3\nwhile f * f <= m:\n"
            "    q, r = divmod(m, f)\n    if r == 0:\n        result.append(f)\n        m = q\n"
            "    else:\n        f += 2\nif m > 1:\n    result.append(m)\nreturn result",
        ),
    ),
    Idea(
        atom="is_prime_number",
        params=(("n", INT),),
        returns=BOOL,
        names=("is_prime", "check_prime", "primality_test", "prime_check", "number_is_prime"),
        sentences=(
            "Return True when $n is a prime number and False otherwise. Only integers above 1 "
            "can be prime, so 0, 1 and every negative value give False.",
            "Given an integer $n, decide whether it exceeds 1 and has no positive divisors "
            "besides 1 and itself; return a bool (2 is prime, 15 is not, -3 is not).",
            "Check whether $n is prime, returning True or False; anything less than 2 is not "
            "prime.",
            "Is $n a prime? Answer True for 2, 3, 5, 7, 11, ... and False for composites, for 1, "
            "for 0 and for negative numbers.",
            "Primality test.\n\nReturns True if $n > 1 and no integer from 2 up to the square "
            "root of $n divides it evenly, otherwise False.",
        ),
        nouns=("whether $n is prime (False for anything below 2)",
               "the primality of $n as a bool",
               "True when $n is a prime number, else False"),
        bodies=(
            "if $n < 2:\n    return False\n"
            "return not any($n % k == 0 for k in range(2, math.isqrt($n) + 1))",
            "if $n <= 3:\n    return $n >= 2\nif $n % 2 == 0 or $n % 3 == 0:\n    return False\n"
            "i = 5\nwhile i * i <= $n:\n    if $n % i == 0 or $n % (i + 2) == 0:\n"
            "        return False\n    i += 6\nreturn True",
        ),
        imports=("math",),
    ),
    Idea(
        atom="divisors_ascending",
        params=(("n", INT),),
        returns=INTS,
        names=("all_divisors", "divisors_of", "list_divisors", "factors_sorted",
               "positive_divisors"),
        sentences=(
            "Return every positive divisor of $n in increasing order, 1 and $n included; an $n "
            "of 0 or less gives an empty list.",
            "Given an integer $n, list all positive integers that divide it exactly, from "
            "smallest to largest (15 gives [1, 3, 5, 15]); if $n is not positive, return [].",
            "Find all the factors of $n, sorted ascending, including 1 and $n itself. Zero and "
            "negative numbers have no divisors listed, so the result is empty.",
            "What are the positive divisors of $n, in order from smallest to largest? Return [] "
            "when $n is below 1.",
            "Sorted divisors.\n\nCollects each d from 1 to $n with $n % d == 0, in ascending "
            "order; a prime p gives [1, p], and $n <= 0 gives an empty list.",
        ),
        nouns=("the positive divisors of $n in ascending order ([] when $n < 1)",
               "every factor of $n from 1 up to $n itself",
               "the sorted list of numbers dividing $n"),
        bodies=(
            "return [d for d in range(1, $n + 1) if $n % d == 0]",
            "if $n < 1:\n    return []\nfound = set()\nfor d in range(1, math.isqrt($n) + 1):\n"
            "    if $n % d == 0:\n        found.update((d, $n // d))\nreturn sorted(found)",
        ),
        imports=("math",),
    ),
    Idea(
        atom="euler_totient",
        params=(("n", INT),),
        returns=INT,
        names=("totient", "phi", "euler_phi", "count_coprimes", "coprime_count"),
        sentences=(
            "Return Euler's phi function of $n: the number of integers from 1 to $n that share "
            "no common factor with $n other than 1. For $n <= 0 the result is 0.",
            "Given an integer $n, count how many k in 1..$n are coprime to $n (gcd 1); this is "
            "the totient, which is 1 for $n = 1 and 0 when $n is not positive.",
            "Compute phi($n), the count of numbers up to $n that are relatively prime to it, "
            "e.g. phi(12) = 4 and phi(7) = 6; non-positive $n gives 0.",
            "How many integers between 1 and $n inclusive are coprime with $n? Return that "
            "totient count, or 0 if $n is less than 1.",
            "Euler's totient.\n\nMultiplies $n by (1 - 1/p) for every distinct prime p dividing "
            "it; the value for 1 is 1, and zero or negative inputs give 0.",
        ),
        nouns=("Euler's totient of $n (0 when $n < 1)",
               "the count of integers in 1..$n coprime to $n",
               "phi($n), the number of values up to $n relatively prime to it"),
        bodies=(
            "return sum(1 for k in range(1, $n + 1) if math.gcd(k, $n) == 1)",
            "if $n < 1:\n    return 0\ncount = $n\nm = $n\np = 2\nwhile p * p <= m:\n"
            "    if m % p == 0:\n        count = count // p * (p - 1)\n        while m % p == 0:\n"
            "            m //= p\n    p += 1\nif m > 1:\n    count = count // m * (m - 1)\n"
            "return count",
        ),
        imports=("math",),
    ),
    Idea(
        atom="factorial_trailing_zeros",
        params=(("n", INT),),
        returns=INT,
        names=("zeros_at_end_of_factorial", "trailing_zeros_of_factorial",
               "factorial_zero_count", "count_factorial_zeros", "fact_tail_zeros"),
        sentences=(
            "Return how many zeros $n! ends with in base 10; for $n below 5, negative numbers "
            "included, that is 0.",
            "Given an integer $n, count the trailing zero digits of the factorial of $n, which "
            "equals the number of factors of 5 in 1 * 2 * ... * $n ($n // 5 + $n // 25 + ...); "
            "the answer is 0 for any $n smaller than 5.",
            "Count the zeros at the end of the decimal form of $n factorial without computing "
            "it: add $n // 5, $n // 25, $n // 125 and so on. Values of $n under 5, including "
            "negatives, give 0.",
            "How many zeros does $n! end in? For example 30! ends in 7 zeros; the count is 0 "
            "whenever $n < 5.",
            "Trailing zeros of a factorial.\n\nEvery zero at the end of $n! comes from a factor "
            "5 paired with a 2, so this sums $n floor-divided by successive powers of 5; "
            "negative or small $n gives 0.",
        ),
        nouns=("the number of trailing zeros of $n! (0 when $n < 5)",
               "how many zeros the factorial of $n ends with",
               "the count of factors of 5 in $n!"),
        bodies=(
            "zeros = 0\nm = $n\nwhile m >= 5:\n    m //= 5\n    zeros += m\nreturn zeros",
            "powers = itertools.takewhile(lambda p: p <= $n, (5 ** e for e in itertools.count(1)))"
            "\nreturn sum($n // p for p in powers)",
        ),
        imports=("itertools",),
    ),
    Idea(
        atom="round_to_nearest_multiple",
        params=(("n", INT), ("k", INT)),
        returns=INT,
        names=("round_to_multiple", "nearest_multiple", "snap_to_multiple",
               "closest_multiple_of", "round_to_step"),
        sentences=(
            "Return the multiple of $k nearest to $n (with $k >= 1); if $n sits exactly midway "
            "between two multiples, round up to the larger one, so -10 with step 4 gives -8.",
            "Given an integer $n and a positive step $k, round $n to the closest multiple of "
            "$k; exact ties go toward positive infinity (14 with $k = 4 gives 16).",
            "Determine the multiple of $k nearest to $n, for a step $k of 1 or more. Halfway cases "
            "resolve upward, e.g. 15 to a multiple of 10 gives 20 and -15 gives -10.",
            "Which multiple of $k is closest to $n? When two multiples are equally close, pick "
            "the larger one; $k is always 1 or more.",
            "Snap to a grid of step $k.\n\n$n is moved to the nearest multiple of $k ($k >= 1), "
            "and a value exactly halfway between two multiples goes to the higher one, for "
            "negative $n as well.",
        ),
        nouns=("$n rounded to the nearest multiple of $k (ties go up)",
               "the multiple of $k closest to $n, the larger one on a tie",
               "$n snapped to the nearest multiple of $k"),
        bodies=(
            "below = $n - $n % $k\nabove = below + $k\n"
            "return above if $n - below >= above - $n else below",
            "q, r = divmod($n, $k)\nif 2 * r >= $k:\n    q += 1\nreturn q * $k",
        ),
    ),
    Idea(
        atom="reduced_fraction",
        params=(("n", INT), ("k", INT)),
        returns=STR,
        names=("simplify_fraction", "lowest_terms", "fraction_string", "reduce_ratio",
               "normalized_fraction"),
        sentences=(
            "Return $n/$k simplified to lowest terms as a string 'p/q' with a positive "
            "denominator and the sign carried by the numerator; if the fraction is an integer, "
            "return only that integer (zero gives '0'). $k is never zero.",
            "Given a numerator $n and a nonzero denominator $k, cancel their greatest common "
            "divisor and format the result as 'a/b' with b > 0 (a minus sign, if any, goes on "
            "a), or as just 'a' when b would be 1; e.g. 4 and -10 give '-2/5'.",
            "Produce the fraction $n over $k in lowest terms as text: 9 over 12 is '3/4', 8 "
            "over -2 is '-4', -5 over -15 is '1/3'. The denominator is always positive and is "
            "left out entirely when it equals 1.",
            "What is $n/$k in lowest terms, written as a string? Use 'a/b' with b positive and "
            "the sign on a, or just 'a' for a whole number (0 gives '0'); $k is never 0.",
            "Reduced fraction text.\n\nDivides $n and $k by their gcd, moves any negative sign "
            "to the numerator, and prints 'num/den', dropping the '/1' of whole numbers so that "
            "0 over anything prints '0'.",
        ),
        nouns=("$n/$k in lowest terms as a string ('a' when whole)",
               "the reduced fraction $n over $k written as 'a/b' with b positive",
               "the lowest-terms text of $n/$k"),
        bodies=(
            "common = math.gcd($n, $k)\ntop, bottom = $n // common, $k // common\n"
            "if bottom < 0:\n    top, bottom = -top, -bottom\n"
            "return str(top) if bottom == 1 else str(top) + \"/\" + str(bottom)",
            "sign = \"-\" if ($n < 0) != ($k < 0) and $n != 0 else \"\"\n"
            "a, b = abs($n), abs($k)\ng = math.gcd(a, b)\na //= g\nb //= g\n"
            "return f\"{sign}{a}\" if b == 1 else f\"{sign}{a}/{b}\"",
        ),
        imports=("math",),
    ),
    Idea(
        atom="next_prime",
        params=(("n", INT),),
        returns=INT,
        names=("following_prime", "prime_after", "first_prime_above", "smallest_prime_greater",
               "upcoming_prime"),
        sentences=(
            "Return the smallest prime that is strictly larger than $n; when $n is below 2 "
            "(negatives included) that is 2, and for a prime $n it is the following prime, e.g. "
            "23 gives 29.",
            "Given an integer $n, find the first prime number greater than $n, so 10 gives 11 "
            "and 11 gives 13; any $n under 2 gives 2.",
            "Find the next prime after $n (never $n itself, even if $n is prime). Inputs less "
            "than 2 give 2.",
            "Which prime comes right after $n? Return the least prime strictly above $n, which "
            "is 2 for every $n below 2.",
            "Next prime.\n\nTries $n + 1, $n + 2, ... and returns the first value that is prime; "
            "since 2 is the smallest prime, an $n under 2 yields 2, and 31 yields 37.",
        ),
        nouns=("the smallest prime greater than $n",
               "the first prime after $n (2 when $n < 2)",
               "the next prime strictly above $n"),
        bodies=(
            "start = max($n + 1, 2)\nfor c in itertools.count(start):\n"
            "    if all(c % f for f in range(2, math.isqrt(c) + 1)):\n        return c",
            "m = max($n, 1)\nwhile True:\n    m += 1\n    d = 2\n    while d * d <= m and m % d:\n"
            "        d += 1\n    if d * d > m:\n        return m",
        ),
        imports=("itertools", "math"),
    ),
    Idea(
        atom="count_primes_in_list",
        params=(("xs", INTS),),
        returns=INT,
        names=("prime_count", "number_of_primes", "tally_primes", "primes_in",
               "how_many_primes"),
        sentences=(
            "Return the number of elements of $xs that are prime, where a prime is an integer "
            "above 1 divisible only by 1 and itself; duplicates are counted each time and an "
            "empty list gives 0.",
            "Given a list of integers $xs, count how many of its entries are primes (0, 1 and "
            "negatives are not), counting a repeated prime once per occurrence; [5, 5, 6] "
            "gives 2.",
            "Count the primes in $xs, including repeats, e.g. 2, 9, 13, 13 gives 3. Numbers "
            "below 2 never count, and an empty list gives 0.",
            "How many values in $xs are prime numbers? Each occurrence counts separately, "
            "non-positive values and 1 are never prime, and the answer for [] is 0.",
            "Prime count of a list.\n\nTests every element of $xs for primality (greater than 1, "
            "no divisor other than 1 and itself) and returns how many pass; duplicates count "
            "every time.",
        ),
        nouns=("the number of primes in $xs, repeats included",
               "how many elements of $xs are prime",
               "the count of prime entries in $xs"),
        bodies=(
            "return sum(1 for v in $xs\n"
            "           if v > 1 and not any(v % f == 0 for f in range(2, math.isqrt(v) + 1)))",
            "total = 0\nfor v in $xs:\n    if v < 2:\n        continue\n    f = 2\n"
            "    while f * f <= v and v % f != 0:\n        f += 1\n    if f * f > v:\n"
            "        total += 1\nreturn total",
        ),
        imports=("math",),
    ),
)
