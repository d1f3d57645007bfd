"""The bits atoms' ideas in the corpus's own words and code (see `data.ideas`)."""

from codecorr_jax.data.ideas import Idea
from codecorr_jax.data.function_ops import BOOL, GRID, INT, INTS, STR

IDEAS: tuple[Idea, ...] = (
    Idea(
        atom="count_set_bits",
        params=(("n", INT),),
        returns=INT,
        names=("popcount", "hamming_weight", "count_one_bits", "ones_in_binary",
               "number_of_ones"),
        sentences=(
            "Return how many 1s appear when abs($n) is written in base 2 (the population "
            "count); the sign of $n plays no part and 0 has none.",
            "Given an integer $n, count the one bits of its magnitude in binary and return "
            "that count. Negative numbers are treated like their absolute value; 0 gives 0.",
            "Count the bits that are set in abs($n). For example 19 is 10011 in binary, so "
            "the answer is 3, and -19 also gives 3.",
            "How many ones are there in the base-2 form of $n, ignoring any minus sign? "
            "Zero has no ones, so it gives 0.",
            "Population count of an integer.\n\nThe Hamming weight of |$n|: the number of 1 "
            "digits in its binary expansion. Sign is ignored and 0 yields 0.",
        ),
        nouns=("the number of 1 bits in abs($n)",
               "the population count of $n, sign ignored",
               "the Hamming weight of the magnitude of $n"),
        bodies=(
            "m = abs($n)\nones = 0\nwhile m:\n    m &= m - 1\n    ones += 1\nreturn ones",
            "return format(abs($n), 'b').count('1')",
            "return sum(int(ch) for ch in bin(abs($n))[2:])",
        ),
    ),
    Idea(
        atom="has_odd_parity",
        params=(("n", INT),),
        returns=BOOL,
        names=("parity_is_odd", "odd_bit_parity", "odd_number_of_ones", "is_parity_odd",
               "bits_have_odd_parity"),
        sentences=(
            "Return True when abs($n) has an odd count of 1s in base 2 and False when the "
            "count is even; 0 has no ones, so it gives False.",
            "Given an integer $n, decide whether the number of set bits of its magnitude is "
            "odd. The sign is ignored; the result is a bool, False for 0.",
            "Check the bit parity of $n: True if abs($n) written in binary contains an odd "
            "number of ones, else False (for example 13 = 1101 gives True, 0 gives False).",
            "Is the population count of abs($n) an odd number? Answer True or False; a "
            "negative $n behaves like its absolute value and zero gives False.",
            "Odd-parity test for an integer.\n\nXOR all binary digits of |$n| together and "
            "report True if that comes out 1, False if 0; zero has even parity (False).",
        ),
        nouns=("whether abs($n) has an odd number of set bits",
               "the odd-parity flag of $n (True for an odd count of ones)",
               "True when the binary digits of abs($n) hold an odd number of 1s"),
        bodies=(
            "m = abs($n)\nodd = False\nwhile m:\n    odd = not odd\n    m &= m - 1\nreturn odd",
            "return format(abs($n), 'b').count('1') % 2 == 1",
            "bits = [int(ch) for ch in bin(abs($n))[2:]]\n"
            "return functools.reduce(operator.xor, bits, 0) == 1",
        ),
        imports=("functools", "operator"),
    ),
    Idea(
        atom="to_binary_string",
        params=(("n", INT),),
        returns=STR,
        names=("int_to_binary", "binary_repr", "as_binary", "to_base_two", "binary_digits_str"),
        sentences=(
            "Return $n written in base 2 as a string of 0s and 1s, without a 0b prefix or "
            "leading zeros. Zero becomes '0' and a negative value gets a leading '-' before "
            "the bits of its magnitude.",
            "Given an integer $n, convert it to its binary numeral string: '1101' for 13, "
            "'0' for 0, and '-1101' for -13. No '0b' marker is included.",
            "Convert $n to a base-2 string with no padding and no '0b'. Negative numbers are "
            "written as a minus sign followed by the binary digits of the absolute value.",
            "What does $n look like in binary, as plain text? Return just the digits, most "
            "significant first, with '-' in front if $n < 0 and '0' for zero.",
            "Binary string of an integer.\n\nThe text carries neither a '0b' marker nor "
            "padding zeros; 0 gives '0' and negatives are '-' plus the binary of their "
            "magnitude.",
        ),
        nouns=("the binary string of $n (no 0b prefix, '-' for negatives)",
               "$n written in base 2 as text",
               "the base-2 digits of $n as a string, sign included"),
        bodies=(
            "return bin($n).replace('0b', '')",
            "if $n == 0:\n    return '0'\nm = abs($n)\nbits = []\nwhile m:\n"
            "    bits.append(str(m & 1))\n    m >>= 1\nsign = '-' if $n < 0 else ''\n"
            "return sign + ''.join(reversed(bits))",
            "text = '{:b}'.format(abs($n))\nreturn '-' + text if $n < 0 else text",
        ),
    ),
    Idea(
        atom="binary_string_value",
        params=(("s", STR),),
        returns=INT,
        names=("parse_binary", "binary_to_int", "bits_to_number", "from_binary_text",
               "decode_binary"),
        sentences=(
            "Return the integer spelled by the '0' and '1' characters of $s taken in order "
            "as base-2 digits; all other characters, including '-', are skipped, and a "
            "string with no binary digits gives 0.",
            "Given a string $s, keep only its 0 and 1 characters and interpret them, left to "
            "right, as a binary number (most significant first). Nothing to read means 0; "
            "the result is never negative.",
            "Decode the binary digits found in $s into an int. Letters, spaces and signs are "
            "ignored, so 'x1y1z0' reads as 110, which is 6; an empty string is 0.",
            "What number do the binary digits of $s form when everything that is not 0 or 1 "
            "is thrown away? Leading zeros do not matter, a '-' is ignored too, and no "
            "digits give 0.",
            "Parse a base-2 string leniently.\n\nOnly '0' and '1' characters count, read "
            "from the left as the high bits; anything else is dropped, and 0 is returned "
            "when no such characters occur.",
        ),
        nouns=("the value of the binary digits in $s, other characters skipped",
               "the integer read from the 0/1 characters of $s",
               "$s parsed as base 2 after dropping non-binary characters"),
        bodies=(
            "digits = ''.join(ch for ch in $s if ch in '01')\n"
            "return int(digits, 2) if digits else 0",
            "total = 0\nfor ch in $s:\n    if ch == '1':\n        total = (total << 1) | 1\n"
            "    elif ch == '0':\n        total <<= 1\nreturn total",
            "kept = [ch == '1' for ch in $s if ch in ('0', '1')]\n"
            "return functools.reduce(lambda acc, bit: 2 * acc + int(bit), kept, 0)",
        ),
        imports=("functools",),
    ),
    Idea(
        atom="gray_code",
        params=(("n", INT),),
        returns=INT,
        names=("to_gray", "binary_to_gray", "reflected_gray", "gray_encode", "gray_of"),
        sentences=(
            "Return the reflected binary Gray encoding of $n, computed as $n ^ ($n >> 1). A "
            "negative $n is handled by encoding abs($n) and negating the result.",
            "Given an integer $n, convert it to Gray code by XOR-ing it with itself shifted "
            "one place to the right; for negative input, encode the magnitude and put the "
            "minus sign back.",
            "Encode $n in Gray code, where consecutive integers differ in exactly one bit: "
            "bit i of the code is bit i XOR bit i+1 of $n. For example 6 becomes 5, and -6 "
            "becomes -5; 0 stays 0.",
            "Which Gray codeword corresponds to $n? Take abs($n), XOR it with half of itself "
            "(rounded down), and give the result the sign of $n.",
            "Binary-reflected Gray code.\n\nMaps $n to $n XOR ($n // 2) for non-negative $n, "
            "so 9 gives 13; a negative value yields minus the code of its absolute value.",
        ),
        nouns=("the Gray code of $n (sign kept, magnitude encoded)",
               "the reflected binary Gray encoding of $n",
               "abs($n) XOR (abs($n) >> 1), negated when $n is negative"),
        bodies=(
            "sign = -1 if $n < 0 else 1\nmag = abs($n)\nreturn sign * (mag ^ mag // 2)",
            "m = abs($n)\nresult = 0\npos = 0\nwhile m:\n"
            "    result |= ((m & 1) ^ ((m >> 1) & 1)) << pos\n    pos += 1\n    m >>= 1\n"
            "return result if $n >= 0 else -result",
        ),
    ),
    Idea(
        atom="set_bit_positions",
        params=(("n", INT),),
        returns=INTS,
        names=("one_bit_indices", "indices_of_ones", "bit_positions_on", "where_bits_set",
               "active_bits"),
        sentences=(
            "Return the indices of the 1 bits of abs($n), smallest first, counting the "
            "lowest-order bit as index 0. Zero has no set bits and gives [].",
            "Given an integer $n, list which bit positions are on in its magnitude, in "
            "ascending order (bit 0 is the units bit). The sign is ignored; 0 gives an "
            "empty list.",
            "Find every position k for which bit k of abs($n) equals 1 and return them sorted "
            "upward; for instance 22 = 10110 gives [1, 2, 4] and -22 gives the same.",
            "At which positions does abs($n) have a one bit? Count positions from 0 at the "
            "least significant end and report them in increasing order ([] for 0).",
            "Indices of the set bits of an integer.\n\nThe exponents k with 2**k in the "
            "binary expansion of |$n|, ascending; negative $n is treated as |$n| and 0 "
            "yields [].",
        ),
        nouns=("the positions of the one bits of abs($n), ascending",
               "the sorted indices k where bit k of |$n| is set",
               "the exponents of the powers of two that make up abs($n)"),
        bodies=(
            "m = abs($n)\nfound = []\nk = 0\nwhile m:\n    if m & 1:\n        found.append(k)\n"
            "    m >>= 1\n    k += 1\nreturn found",
            "text = bin(abs($n))[2:]\n"
            "return [k for k, ch in enumerate(reversed(text)) if ch == '1']",
        ),
    ),
    Idea(
        atom="reverse_bits",
        params=(("n", INT), ("width", INT)),
        returns=INT,
        names=("mirror_bits", "bit_reverse", "reversed_bit_order", "flip_bit_order",
               "bitreverse_width"),
        sentences=(
            "Return the number obtained by mirroring the low $width bits of abs($n): the bit "
            "at position i ends up at position $width - 1 - i, and higher bits of $n are "
            "discarded. A $width of 0 or less gives 0.",
            "Given an integer $n and a bit count $width, keep the $width least significant "
            "bits of |$n|, write them in the opposite order and return the resulting value; "
            "the answer is 0 whenever $width <= 0.",
            "Reverse the order of the bottom $width bits of abs($n). With $width = 5, 3 "
            "(00011) becomes 24 (11000); bits above the window are ignored, and a "
            "non-positive $width returns 0.",
            "What value do the lowest $width binary digits of |$n| make when read backwards? "
            "Anything at position $width or higher is dropped first; $width <= 0 gives 0.",
            "Bit reversal within a fixed width.\n\nTreat abs($n) as a $width-bit field "
            "(truncating higher bits), swap its bit order end for end and return it as an "
            "integer; 0 if $width is not positive.",
        ),
        nouns=("abs($n)'s low $width bits in reverse order",
               "the $width-bit reversal of abs($n)",
               "the value of the lowest $width bits of |$n| read backwards"),
        bodies=(
            "if $width <= 0:\n    return 0\nfield = abs($n) % (1 << $width)\n"
            "return int(format(field, '0{}b'.format($width))[::-1], 2)",
            "m = abs($n)\nout = 0\nfor i in range($width):\n    if (m >> i) & 1:\n"
            "        out |= 1 << ($width - 1 - i)\nreturn out",
        ),
    ),
    Idea(
        atom="toggle_bit",
        params=(("n", INT), ("k", INT)),
        returns=INT,
        names=("flip_bit", "invert_bit", "xor_bit", "switch_bit_at", "flip_kth_bit"),
        sentences=(
            "Return $n with its bit number $k inverted ($k >= 0, bit 0 being the lowest), "
            "i.e. $n ^ (1 << $k). Negative numbers use Python's two's complement view with "
            "an endless run of leading ones, so flipping bit 0 of -3 gives -4.",
            "Given an integer $n and a bit index $k (at least 0), switch that one bit: a 0 "
            "becomes 1 and a 1 becomes 0. For negative $n the bits are those of two's "
            "complement, as Python's ^ sees them.",
            "Flip bit $k of $n and return the new integer; that is an XOR with 2 ** $k. So "
            "9 with bit 1 flipped is 11, and 9 with bit 3 flipped is 1. Negative $n follows "
            "infinite two's complement.",
            "What is $n after toggling the bit worth 2 ** $k? Set it if it was clear, clear "
            "it if it was set; a negative $n is seen in two's complement, with an unending "
            "run of 1s at the top.",
            "XOR a single bit.\n\nInverts position $k (0 = least significant, $k >= 0) of "
            "$n, treating negative values as infinite two's complement, so -5 with bit 2 "
            "flipped gives -1.",
        ),
        nouns=("$n with bit $k flipped",
               "$n XOR 2 ** $k",
               "the value of $n after toggling its bit $k"),
        bodies=(
            "mask = 2 ** $k\nreturn $n - mask if ($n >> $k) & 1 else $n + mask",
            "return operator.xor($n, 1 << $k)",
        ),
        imports=("operator",),
    ),
    Idea(
        atom="xor_prefix",
        params=(("nums", INTS),),
        returns=INTS,
        names=("prefix_xors", "cumulative_xor", "running_xor", "scan_xor", "xor_accumulate"),
        sentences=(
            "Return the cumulative XOR of $nums: position i of the output is the XOR of all "
            "elements from index 0 through i, computed with Python's ^ (negatives in two's "
            "complement). An empty list gives [].",
            "Given a list of integers $nums, produce the list of running XOR values, one per "
            "element, each combining everything up to and including that element. [] in, [] "
            "out; negative values are XOR-ed as Python ints.",
            "Compute prefix XORs of $nums, so for [3, 5, 6] you get [3, 6, 0]. The output is "
            "as long as the input, and Python's ^ semantics apply to negative numbers.",
            "What are the partial XORs of $nums, taken from the start of the list up to each "
            "position? Return them in order, using the ^ operator (two's complement for "
            "negatives); [] for an empty list.",
            "Running exclusive-or.\n\nEach output element is the ^ of the input's first i+1 "
            "numbers, with negative numbers handled as Python does; an empty input gives an "
            "empty output.",
        ),
        nouns=("the prefix XORs of $nums",
               "the running XOR of $nums, one value per element",
               "the cumulative exclusive-or of $nums"),
        bodies=(
            "return list(itertools.accumulate($nums, operator.xor))",
            "out = []\nrunning = 0\nfor value in $nums:\n    running = running ^ value\n"
            "    out += [running]\nreturn out",
            "return [functools.reduce(operator.xor, $nums[:i + 1]) for i in range(len($nums))]",
        ),
        imports=("functools", "itertools", "operator"),
    ),
    Idea(
        atom="bit_rows",
        params=(("nums", INTS), ("width", INT)),
        returns=GRID,
        names=("binary_matrix", "bits_table", "to_bit_vectors", "fixed_width_bits",
               "binary_rows_of"),
        sentences=(
            "Return a list of bit vectors, one for each number in $nums in order: the low "
            "$width bits of its absolute value as 0/1 ints, highest bit first. An empty "
            "$nums gives [], and with $width <= 0 every vector is empty.",
            "Given integers $nums and a width $width, turn each |x| into a $width-long list "
            "of binary digits (most significant first, higher bits cut off). The result has "
            "one row per number; $width <= 0 gives empty rows.",
            "Convert every element of $nums to its $width-bit binary form as a list of 0s "
            "and 1s, big-endian, using the magnitude of the number. For example 6 at width "
            "4 gives [0, 1, 1, 0]; no numbers, no rows.",
            "How do the numbers of $nums look as $width-bit binary rows? Give each one as a "
            "list of 0/1 digits, most significant first, taken from its absolute value and "
            "truncated to $width bits; a non-positive $width makes each row [].",
            "Fixed-width bit matrix of a list.\n\nRow i holds the lowest $width bits of "
            "abs($nums[i]) as integers 0 and 1, leading bit first; [] for an empty list, and "
            "empty rows when $width is 0 or negative.",
        ),
        nouns=("the $width-bit binary rows of the numbers in $nums",
               "one big-endian 0/1 list of length $width per element of $nums",
               "the matrix of low $width bits of abs(x) for each x in $nums"),
        bodies=(
            "rows = []\nfor x in $nums:\n    m = abs(x)\n    row = []\n"
            "    for shift in range($width - 1, -1, -1):\n        row.append((m >> shift) & 1)\n"
            "    rows.append(row)\nreturn rows",
            "if $width <= 0:\n    return [[] for _ in $nums]\n"
            "spec = '0{}b'.format($width)\n"
            "return [[int(ch) for ch in format(abs(x) % 2 ** $width, spec)] for x in $nums]",
            "return [[abs(x) // 2 ** p % 2 for p in reversed(range($width))] for x in $nums]",
        ),
    ),
)
