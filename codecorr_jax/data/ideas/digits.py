"""The digits atoms' ideas in the corpus's own words and code (see `data.ideas`)."""

from codecorr_jax.data.ideas import Idea
from codecorr_jax.data.function_ops import INT, INTS, STR

IDEAS: tuple[Idea, ...] = (
    Idea(
        atom="digit_sum",
        params=(("n", INT),),
        returns=INT,
        names=("sum_of_digits", "digits_total", "add_up_digits", "total_of_digits",
               "digit_total"),
        sentences=(
            "Return the total you get by adding up every decimal digit of $n (a minus sign "
            "does not count).",
            "Given an integer $n, add its base-10 digits together and return that total; the "
            "sign of $n is ignored.",
            "Compute the sum of all digits of abs($n) written in base 10.",
            "What do the decimal digits of $n add up to, when the sign is dropped?",
            "Digit total of an integer.\n\nEvery base-10 digit of $n is added up, so 4071 "
            "gives 12 and -55 gives 10; zero gives 0.",
        ),
        nouns=("the total of the decimal digits of $n, sign ignored",
               "the digit total of $n (its base-10 digits added up, without the sign)",
               "what the base-10 digits of abs($n) add up to"),
        bodies=(
            "total = 0\nrest = abs($n)\nwhile rest > 0:\n    total += rest % 10\n"
            "    rest //= 10\nreturn total",
            "return sum(int(ch) for ch in str(abs($n)))",
            "digits = [int(ch) for ch in str($n) if ch.isdigit()]\nreturn sum(digits)",
        ),
    ),
    Idea(
        atom="decimal_digits",
        params=(("n", INT),),
        returns=INTS,
        names=("digits_of", "digit_list", "split_into_digits", "number_to_digits",
               "explode_digits"),
        sentences=(
            "Return a list of the base-10 digits of $n, most significant first, with the "
            "minus sign dropped; zero gives a one-element list holding 0.",
            "Given an integer $n, split abs($n) into its decimal digits and return them in "
            "reading order (left to right), so 4096 gives [4, 0, 9, 6] and 0 gives [0].",
            "Split $n into its individual decimal digits, leading digit first; negative inputs "
            "are treated like their absolute value and 0 yields [0].",
            "Which digits make up $n, read from left to right? The sign is ignored, and for 0 "
            "the answer is [0].",
            "Digits of an integer as a list.\n\nThe result holds the base-10 digits of abs($n) "
            "from the highest place down to the units place; -58 gives [5, 8] and 0 gives [0].",
        ),
        nouns=("the list of decimal digits of $n, most significant first (sign dropped)",
               "the base-10 digits of abs($n) in reading order",
               "the digits of $n from left to right, ignoring the sign"),
        bodies=(
            "rest = abs($n)\nout = [rest % 10]\nrest //= 10\nwhile rest:\n"
            "    out.append(rest % 10)\n    rest //= 10\nout.reverse()\nreturn out",
            "return list(map(int, str(abs($n))))",
            "value = abs($n)\nresult = []\nwhile True:\n    value, low = divmod(value, 10)\n"
            "    result.insert(0, low)\n    if value == 0:\n        return result",
        ),
    ),
    Idea(
        atom="int_from_digit_list",
        params=(("xs", INTS),),
        returns=INT,
        names=("digits_to_number", "join_digits", "number_from_digits", "combine_digits",
               "assemble_number"),
        sentences=(
            "Return the integer spelled by the digits in $xs, read left to right as base-10 "
            "places; an empty list gives 0. Each element is folded in with value * 10 + element, "
            "so entries outside 0..9 are not rejected: [3, 11] gives 41 and [-2, 4] gives -16.",
            "Given a list of decimal digits $xs (most significant first), combine them into one "
            "number by multiplying the running value by ten and adding the next element, "
            "starting from zero; [] gives 0 and leading zeros vanish.",
            "Build a number from the digit list $xs: start at 0 and, for each element in order, "
            "multiply by 10 and add it. Values that are not single digits still go through the "
            "same step, so [2, 10] gives 30.",
            "What number do the digits in $xs form when read as a decimal numeral from left to "
            "right? Apply total = total * 10 + d per element (out-of-range entries simply carry "
            "into higher places) and answer 0 for an empty list.",
            "Digits to integer.\n\nThe elements of $xs are treated as base-10 digits, most "
            "significant first, and folded together with acc * 10 + d starting at 0; an empty "
            "list gives 0, and a stray value such as 12 or -1 is folded in unchanged.",
        ),
        nouns=("the number whose base-10 digits, most significant first, are $xs",
               "the value of $xs read as a decimal numeral (acc * 10 + d per element, 0 when "
               "empty)",
               "the integer formed by the digits $xs from left to right"),
        bodies=(
            "return functools.reduce(lambda acc, d: acc * 10 + d, $xs, 0)",
            "value = 0\nfor digit in $xs:\n    value = 10 * value + digit\nreturn value",
            "size = len($xs)\nreturn sum(d * 10 ** (size - 1 - i) for i, d in enumerate($xs))",
        ),
        imports=("functools",),
    ),
    Idea(
        atom="to_base_string",
        params=(("n", INT), ("base", INT)),
        returns=STR,
        names=("format_in_base", "int_to_base", "number_in_radix", "radix_string",
               "render_in_base"),
        sentences=(
            "Return the representation of $n in base $base (between 2 and 16) as a string, "
            "using 0-9 and then lowercase a-f for digits, with no prefix such as 0x; negative "
            "numbers get a leading '-' and zero is '0'.",
            "Given an integer $n and a radix $base from 2 to 16, write $n in that radix: digits "
            "above nine are the letters a to f in lowercase, a negative value starts with a "
            "minus sign, and 0 becomes the single character '0'.",
            "Convert $n to a string of digits in base $base (2..16). No '0b' or '0x' prefix is "
            "added, letters are lowercase, and the sign is kept as a leading '-', e.g. 26 in "
            "base 16 is '1a' and -5 in base 2 is '-101'.",
            "How is $n written in base $base? Produce the digit string (lowercase letters for "
            "ten and above, '-' in front for negatives, '0' for zero).",
            "Format an integer in another base.\n\n$base may be anything from 2 to 16; the "
            "digits run 0123456789abcdef, there is no prefix, a minus sign marks a negative $n "
            "and zero gives '0'.",
        ),
        nouns=("$n written in base $base (lowercase digits, leading '-' if negative)",
               "the base-$base digit string of $n, with no prefix",
               "the radix-$base spelling of $n ('0' for zero)"),
        bodies=(
            "if $n == 0:\n    return \"0\"\nchars = []\nvalue = abs($n)\nwhile value:\n"
            "    value, r = divmod(value, $base)\n    chars.append(\"0123456789abcdef\"[r])\n"
            "if $n < 0:\n    chars.append(\"-\")\nreturn \"\".join(reversed(chars))",
            "sign = \"-\" if $n < 0 else \"\"\nvalue = abs($n)\nout = \"\"\nwhile True:\n"
            "    d = value % $base\n    out = (str(d) if d < 10 else chr(87 + d)) + out\n"
            "    value //= $base\n    if value == 0:\n        break\nreturn sign + out",
        ),
    ),
    Idea(
        atom="parse_base_digits",
        params=(("s", STR), ("base", INT)),
        returns=INT,
        names=("read_in_base", "parse_radix", "base_text_to_int", "value_in_base",
               "decode_radix_number"),
        sentences=(
            "Return the non-negative value of the digits in $s read in base $base (2 to 16), "
            "treating letters a-f in either case as ten to fifteen and skipping every character "
            "that is not a valid digit of that base; 0 if nothing is left.",
            "Given a string $s and a base $base between 2 and 16, keep only the characters that "
            "are digits of that base (letters in upper or lower case), ignore everything else, "
            "a '-' sign or spaces included, and return the number the kept digits spell; no "
            "digits means 0.",
            "Decode $s as a base-$base numeral, ignoring case. Characters that are not digits of "
            "base $base, such as signs, blanks or an 8 when $base is 8, are dropped before "
            "reading, so the result is never negative and a digit-free string gives 0.",
            "What number do the base-$base digits inside $s represent? Any character that is "
            "not one of that base's digits (0-9 then a-f, case ignored) is skipped, and the "
            "answer is 0 when none remain.",
            "Lenient base-N parser.\n\nWalks through $s, keeps the characters that are valid "
            "digits in base $base (2..16, hex letters in any case), discards the rest, and "
            "returns the value of what was kept; e.g. 'x1-01' in base 2 is 5. Nothing kept "
            "reads as 0.",
        ),
        nouns=("the value of the base-$base digits found in $s (other characters skipped, 0 "
               "if none)",
               "$s read as a base-$base number with non-digits ignored",
               "the number spelled by the valid base-$base digits of $s, case-insensitively"),
        bodies=(
            "total = 0\nfor ch in $s:\n    if \"0\" <= ch <= \"9\":\n        d = ord(ch) - 48\n"
            "    elif \"a\" <= ch <= \"f\" or \"A\" <= ch <= \"F\":\n"
            "        d = ord(ch.lower()) - 87\n    else:\n        continue\n    if d < $base:\n"
            "        total = total * $base + d\nreturn total",
            "allowed = \"0123456789abcdef\"[:$base]\n"
            "picked = [allowed.index(c) for c in $s.lower() if c in allowed]\n"
            "return functools.reduce(lambda acc, d: acc * $base + d, picked, 0)",
        ),
        imports=("functools",),
    ),
    Idea(
        atom="reverse_digits",
        params=(("n", INT),),
        returns=INT,
        names=("flip_digits", "mirror_number", "digits_backwards", "reverse_number",
               "backwards_number"),
        sentences=(
            "Return $n with its decimal digits in the opposite order, keeping the sign; zeros "
            "that end up in front disappear, so 340 becomes 43 and -12 becomes -21.",
            "Given an integer $n, reverse the order of its digits while leaving its sign alone "
            "and return the result as an int (trailing zeros of $n are lost, and 0 stays 0).",
            "Reverse the decimal digits of $n. A negative input gives a negative result, and "
            "any zeros at the end of $n vanish once they move to the front (5000 gives 5).",
            "What integer do you get by reading the digits of $n backwards? The minus sign, if "
            "any, stays in front, leading zeros of the reversed number are dropped, and 0 "
            "gives 0.",
            "Digit reversal.\n\nThe base-10 digits of abs($n) are written right to left and read "
            "as a number, which drops any zeros that land at the front; the sign of $n is then "
            "put back. For example 908 gives 809 and -70 gives -7.",
        ),
        nouns=("the digit reversal of $n, sign kept",
               "the number read from the digits of $n backwards, with the same sign",
               "$n written back to front as an integer, keeping its sign"),
        bodies=(
            "rest = abs($n)\nout = 0\nwhile rest:\n    out = out * 10 + rest % 10\n"
            "    rest //= 10\nreturn out if $n >= 0 else -out",
            "sign = -1 if $n < 0 else 1\nreturn sign * int(\"\".join(reversed(str(abs($n)))))",
        ),
    ),
    Idea(
        atom="roman_numeral",
        params=(("n", INT),),
        returns=STR,
        names=("to_roman", "int_to_roman", "roman_string", "as_roman", "roman_form"),
        sentences=(
            "Return the Roman numeral for $n in capital letters, using the subtractive forms "
            "IV, IX, XL, XC, CD and CM; if $n is below 1 or above 3999, return an empty string.",
            "Given an integer $n, write it with Roman numerals (M, D, C, L, X, V, I, plus "
            "subtractive pairs such as IV and CM) in uppercase; values outside 1 to 3999 "
            "give ''.",
            "Convert $n to an uppercase Roman numeral, e.g. 2024 is MMXXIV and 49 is XLIX. Only "
            "1 through 3999 can be written; anything else yields the empty string.",
            "How would the Romans write $n? Give the uppercase numeral with subtractive notation "
            "(9 is IX, 90 is XC), or an empty string when $n is not in the range 1..3999.",
            "Integer to Roman numeral.\n\nUppercase, standard subtractive notation (IV, IX, XL, "
            "XC, CD, CM). Numbers smaller than 1 or larger than 3999 have no numeral here, and "
            "the function returns ''.",
        ),
        nouns=("the uppercase Roman numeral for $n ('' outside 1..3999)",
               "$n in Roman numerals (empty when $n < 1 or $n > 3999)",
               "the Roman-numeral spelling of $n, or '' when it is out of range"),
        bodies=(
            "if $n < 1 or $n > 3999:\n    return \"\"\n"
            "ones = [\"\", \"I\", \"II\", \"III\", \"IV\", \"V\", \"VI\", \"VII\", \"VIII\", "
            "\"IX\"]\n"
            "tens = [\"\", \"X\", \"XX\", \"XXX\", \"XL\", \"L\", \"LX\", \"LXX\", \"LXXX\", "
            "\"XC\"]\n"
            "hundreds = [\"\", \"C\", \"CC\", \"CCC\", \"CD\", \"D\", \"DC\", \"DCC\", "
            "\"DCCC\", \"CM\"]\n"
            "thousands = [\"\", \"M\", \"MM\", \"MMM\"]\n"
            "return (thousands[$n // 1000] + hundreds[$n // 100 % 10] + tens[$n // 10 % 10]\n"
            "        + ones[$n % 10])",
            "if not 0 < $n < 4000:\n    return \"\"\n"
            "numbers = (1, 4, 5, 9, 10, 40, 50, 90, 100, 400, 500, 900, 1000)\n"
            "letters = (\"I\", \"IV\", \"V\", \"IX\", \"X\", \"XL\", \"L\", \"XC\", \"C\", "
            "\"CD\", \"D\", \"CM\", \"M\")\n"
            "text = \"\"\nleft = $n\nfor i in range(len(numbers) - 1, -1, -1):\n"
            "    count, left = divmod(left, numbers[i])\n    text += letters[i] * count\n"
            "return text",
        ),
    ),
    Idea(
        atom="count_digit_occurrences",
        params=(("n", INT), ("d", INT)),
        returns=INT,
        names=("digit_frequency", "times_digit_appears", "occurrences_of_digit", "tally_digit",
               "digit_count_in"),
        sentences=(
            "Return how often the digit $d shows up among the decimal digits of $n, sign "
            "ignored; 0 is written as a single 0, so it holds one zero.",
            "Given an integer $n and a digit $d (0-9), count the positions in the base-10 form "
            "of abs($n) that hold $d; for $n = 0 that form is just the one digit 0.",
            "Count the occurrences of the digit $d in $n written in decimal without a minus "
            "sign. For example 30300 has three zeros, and 0 contains the digit 0 once.",
            "How many times does the digit $d appear in abs($n)? Zero itself is treated as the "
            "one-digit numeral 0, so asking for 0 there gives 1.",
            "Digit frequency.\n\nLooks at the decimal digits of $n (ignoring the sign) and "
            "tallies those equal to $d, which is between 0 and 9; 5252 has two 5s, and 0 counts "
            "as having one 0.",
        ),
        nouns=("the number of times the digit $d occurs in $n (sign ignored)",
               "how often $d appears among the digits of abs($n)",
               "the count of digit $d in the decimal form of $n"),
        bodies=(
            "return sum(1 for ch in str(abs($n)) if int(ch) == $d)",
            "rest = abs($n)\nhits = 0\nwhile True:\n    if rest % 10 == $d:\n        hits += 1\n"
            "    rest //= 10\n    if rest == 0:\n        return hits",
            "return collections.Counter(str(abs($n)))[str($d)]",
        ),
        imports=("collections",),
    ),
    Idea(
        atom="largest_digit_rearrangement",
        params=(("n", INT),),
        returns=INT,
        names=("max_digit_permutation", "biggest_rearranged_number", "largest_from_digits",
               "digits_sorted_descending", "max_number_from_digits"),
        sentences=(
            "Return the biggest number that can be made by reordering the digits of $n (its "
            "sign is dropped, so the answer is never negative); 0 gives 0.",
            "Given an integer $n, sort its decimal digits from largest to smallest and read them "
            "as a number; a negative $n is treated as its absolute value, and zeros end up at "
            "the back, so 2070 gives 7200.",
            "Find the maximum value obtainable by permuting the decimal digits of abs($n). For "
            "instance -318 gives 831 and 0 gives 0.",
            "What is the largest integer whose digits are a rearrangement of those of $n? Ignore "
            "the minus sign; the result is never negative, and 0 stays 0.",
            "Largest digit permutation.\n\nThe digits of abs($n) are arranged in descending "
            "order and joined into an integer, e.g. 5091 gives 9510; the sign of $n plays no "
            "part.",
        ),
        nouns=("the largest number formed by rearranging the digits of $n (sign ignored)",
               "the digits of abs($n) sorted high to low, read as an integer",
               "the biggest reordering of the digits of $n"),
        bodies=(
            "counts = collections.Counter(str(abs($n)))\n"
            "return int(\"\".join(str(v) * counts[str(v)] for v in range(9, -1, -1)))",
            "ds = []\nrest = abs($n)\nwhile rest:\n    ds.append(rest % 10)\n    rest //= 10\n"
            "ds.sort(reverse=True)\nvalue = 0\nfor d in ds:\n    value = value * 10 + d\n"
            "return value",
        ),
        imports=("collections",),
    ),
    Idea(
        atom="spell_out_digits",
        params=(("n", INT),),
        returns=STR,
        names=("digits_in_words", "spell_digits", "digit_names", "say_digits",
               "number_to_digit_words"),
        sentences=(
            "Return the digits of $n spelled as lowercase English words joined with '-', "
            "prefixed by 'minus-' when $n is negative; 0 is 'zero' and 61 is 'six-one'.",
            "Given an integer $n, name each of its decimal digits in English (lowercase), glue "
            "the names together with hyphens, and put the word minus first for negative values; "
            "0 gives 'zero'.",
            "Spell $n digit by digit: 307 becomes three-zero-seven and -2 becomes minus-two. "
            "Words are lowercase and separated by single hyphens, and 0 is just zero.",
            "How does $n read when each digit is said as a word? Return the lowercase digit "
            "names separated by hyphens, starting with minus for a negative number (zero for 0).",
            "Digit-by-digit English spelling.\n\nEach decimal digit of abs($n) becomes its name "
            "(zero, one, ..., nine), names are joined by '-', and a negative $n gets a leading "
            "minus word: -40 gives minus-four-zero.",
        ),
        nouns=("the hyphen-joined English names of the digits of $n (minus first if negative)",
               "$n spelled digit by digit in lowercase words",
               "the digit names of $n joined by hyphens"),
        bodies=(
            "spoken = {\"0\": \"zero\", \"1\": \"one\", \"2\": \"two\", \"3\": \"three\", "
            "\"4\": \"four\",\n          \"5\": \"five\", \"6\": \"six\", \"7\": \"seven\", "
            "\"8\": \"eight\", \"9\": \"nine\"}\n"
            "parts = [spoken[ch] for ch in str(abs($n))]\n"
            "return \"-\".join([\"minus\"] + parts if $n < 0 else parts)",
            "small = (\"zero\", \"one\", \"two\", \"three\", \"four\")\n"
            "big = (\"five\", \"six\", \"seven\", \"eight\", \"nine\")\nout = []\n"
            "rest = abs($n)\nwhile True:\n    rest, d = divmod(rest, 10)\n"
            "    out.append(small[d] if d < 5 else big[d - 5])\n    if not rest:\n        break\n"
            "if $n < 0:\n    out.append(\"minus\")\nreturn \"-\".join(out[::-1])",
        ),
    ),
)
