"""The generated corpus's grammar: typed primitive operations, each an English noun phrase and
the Python that computes it.

The primitives are what a pretrained code model knows from the wide world of code: filters,
maps and reductions, slicing, string methods, arithmetic, and the everyday ideas of programming
(digits, divisors and primes, bits, runs of equal values, first occurrences, key sorts,
sequences built in a loop). The atoms' own ideas are in `data.ideas`, in the corpus's own
words and code; the corpus build leaves out any chain that computes a composition of atoms
(`data.compositions`), and `data.contamination` keeps out the benchmark's names and text.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
from typing import Any, Callable, Sequence

INT, STR, INTS, STRS, GRID, BOOL = "int", "str", "list[int]", "list[str]", "list[list[int]]", \
    "bool"
# Modules an op's code may use; a document imports the ones its ops name.
MODULES = ("collections", "functools", "itertools", "math", "operator")
# The values a parameter is drawn from: {k} an int, {c} a character.
K_VALUES = tuple(str(k) for k in range(1, 10))
# (Never "k": a parameter "k" stands for the function's int argument `k`.)
C_VALUES = tuple("abcdefghijlmnopqrstuvwxyz ,.")


@dataclasses.dataclass(frozen=True)
class Op:
    """One primitive. `phrases` (alternative wordings) and `code` are templates over {x} (the
    input: its noun phrase or its variable), {e} (a comprehension variable), {k} (an int
    parameter, when `param` is "k") and {c} (a one-character string, when `param` is "c")."""

    key: str  # a short snake_case name for the function or helper that does it
    takes: str
    gives: str
    phrases: tuple[str, ...]  # noun phrases, e.g. "the even elements of {x}"
    code: str  # a Python expression, e.g. "[{e} for {e} in {x} if {e} % 2 == 0]"; "" when the
    #            op is only written as statements (`loop`)
    loop: tuple[str, ...] = ()  # optional statement form; {out} is the result variable
    param: str = ""  # "k" (an int) or "c" (a one-character string)
    imports: tuple[str, ...] = ()
    grows: float = 0  # > 0: the work is about the sum of |v| ** grows over the input's ints

    def __post_init__(self) -> None:
        if not self.code and not self.loop:
            raise ValueError(f"op {self.key!r}: needs an expression or a statement form")
        if set(self.imports) - set(MODULES):
            raise ValueError(f"op {self.key!r}: imports {self.imports}, not all in {MODULES}")


def _op(key, takes, gives, phrase, code, loop=(), param="", imports=(), grows=0.0) -> Op:
    phrases = (phrase,) if isinstance(phrase, str) else tuple(phrase)
    return Op(key, takes, gives, phrases, code, tuple(loop), param, tuple(imports), grows)


@functools.lru_cache(maxsize=None)
def op_callable(op: Op, value: str) -> Callable[..., Any]:
    """The op as a Python function `f(x, k=None)`; `value` is its parameter ("k" reads the
    argument `k`). The statement form is used when the op has no expression."""
    namespace = {name: importlib.import_module(name) for name in MODULES}
    fields = dict(x="x", e="v", k=value, c=value, out="result")
    if op.code:
        body = ["return " + op.code.format(**fields)]
    else:
        body = [line.format(**fields) for line in op.loop] + ["return result"]
    source = "def f(x, k=None):\n" + "".join(f"    {line}\n" for line in body)
    exec(compile(source, f"<op {op.key}>", "exec"), namespace)  # noqa: S102 - our own ops
    return namespace["f"]


# An op whose work grows with its input's numbers (`Op.grows`) only runs where the sum of
# |v| ** grows over them is at most WORK; results longer than LIMIT, or ints beyond 10**100,
# are too much work to compare or show.
WORK = 100_000
LIMIT = 1_000


class TooMuchWork(Exception):
    """The op would run past the limits on this input (or its value would be too large)."""


def _ints(x: Any) -> list[int]:
    if isinstance(x, int):
        return [x]
    if isinstance(x, list):
        return [v for item in x for v in _ints(item)]
    return []


def guarded_callable(op: Op, value: str) -> Callable[..., Any]:
    """`op_callable(op, value)` that raises TooMuchWork instead of running past the limits:
    the atom check and the worked examples run ops on inputs nobody chose for them."""
    fn = op_callable(op, value)

    def run(x: Any, k: Any = None) -> Any:
        if op.grows and sum(abs(v) ** op.grows for v in _ints(x)) > WORK:
            raise TooMuchWork
        result = fn(x, k)
        if isinstance(result, (list, str)) and len(result) > LIMIT:
            raise TooMuchWork
        if isinstance(result, int) and abs(result) > 10**100:
            raise TooMuchWork
        return result
    return run


def chain_callable(ops: Sequence[Op], values: Sequence[str],
                   step: Callable[[Op, str], Callable[..., Any]] = op_callable
                   ) -> Callable[..., Any]:
    """The chain as a Python function `f(x, k=None)`: its ops applied in turn, each made by
    `step(op, value)` (the plain op; the atom check passes a guarded one)."""
    steps = [step(op, value) for op, value in zip(ops, values)]

    def apply(x: Any, k: Any = None) -> Any:
        for one in steps:
            x = one(x, k)
        return x

    return apply


OPS: tuple[Op, ...] = (
    # list[int] -> list[int]
    _op("keep_even", INTS, INTS, ("the even elements of {x}",
        "the elements of {x} that are even, in their original order"), "[{e} for {e} in {x} if {e} % 2 == 0]"),
    _op("keep_odd", INTS, INTS, "the odd elements of {x}", "[{e} for {e} in {x} if {e} % 2 != 0]"),
    _op("keep_positive", INTS, INTS, "the elements of {x} that are greater than zero",
        "[{e} for {e} in {x} if {e} > 0]"),
    _op("keep_negative", INTS, INTS, "the elements of {x} that are below zero",
        "[{e} for {e} in {x} if {e} < 0]"),
    _op("keep_above", INTS, INTS, ("the elements of {x} that exceed {k}",
        "the elements of {x} strictly greater than {k}, in their original order"),
        "[{e} for {e} in {x} if {e} > {k}]", param="k"),
    _op("keep_at_most", INTS, INTS, ("the elements of {x} that are not larger than {k}",
        "the elements of {x} that are at most {k}, keeping their original order"),
        "[{e} for {e} in {x} if {e} <= {k}]", param="k"),
    _op("multiples_of", INTS, INTS, "the elements of {x} divisible by {k}",
        "[{e} for {e} in {x} if {k} != 0 and {e} % {k} == 0]", param="k"),
    _op("doubled", INTS, INTS, ("{x} with every element doubled",
        "a new list in which each element of {x} is doubled"), "[{e} * 2 for {e} in {x}]"),
    _op("squared", INTS, INTS, "the squares of the elements of {x}", "[{e} * {e} for {e} in {x}]"),
    _op("negated", INTS, INTS, "{x} with the sign of every element flipped", "[-{e} for {e} in {x}]"),
    _op("absolute", INTS, INTS, "the absolute values of the elements of {x}",
        "[abs({e}) for {e} in {x}]"),
    _op("shifted", INTS, INTS, "{x} with {k} added to each element", "[{e} + {k} for {e} in {x}]",
        param="k"),
    _op("scaled", INTS, INTS, "{x} with each element multiplied by {k}",
        "[{e} * {k} for {e} in {x}]", param="k"),
    _op("remainders", INTS, INTS, "the remainder of each element of {x} divided by {k}",
        "[{e} % {k} for {e} in {x}]", param="k"),
    _op("ascending", INTS, INTS, ("{x} sorted from smallest to largest",
        "{x} sorted in ascending order, duplicates kept"), "sorted({x})"),
    _op("backwards", INTS, INTS, ("{x} in reverse order",
        "a copy of {x} with its elements in reverse order"), "{x}[::-1]"),
    _op("head", INTS, INTS, "the first {k} elements of {x}", "{x}[:{k}]", param="k"),
    _op("tail", INTS, INTS, "{x} without its first {k} elements", "{x}[{k}:]", param="k"),
    _op("odd_positions", INTS, INTS, ("the elements of {x} at odd positions (1, 3, 5, ...)",
        "the elements of {x} at odd indices 1, 3, 5, ..."),
        "{x}[1::2]"),
    _op("pair_sums", INTS, INTS, ("the sums of each element of {x} with the element after it",
        "the sum of each pair of consecutive elements of {x}"),
        "[a + b for a, b in zip({x}, {x}[1:])]"),
    _op("capped", INTS, INTS, "{x} with every element larger than {k} replaced by {k}",
        "[min({e}, {k}) for {e} in {x}]", param="k"),
    _op("halved", INTS, INTS, "each element of {x} floor-divided by two", "[{e} // 2 for {e} in {x}]"),
    # list[int] -> int
    _op("total", INTS, INT, "the sum of {x}", "sum({x})",
        loop=("{out} = 0", "for {e} in {x}:", "    {out} += {e}")),
    _op("product", INTS, INT, "the product of {x} (1 when it is empty)", "math.prod({x})",
        loop=("{out} = 1", "for {e} in {x}:", "    {out} *= {e}"), imports=("math",)),
    _op("count", INTS, INT, ("the number of elements of {x}",
        "how many elements {x} has"), "len({x})",
        loop=("{out} = 0", "for _ in {x}:", "    {out} += 1")),
    _op("largest", INTS, INT, "the largest element of {x}, or 0 when it is empty",
        "max({x}, default=0)"),
    _op("smallest", INTS, INT, "the smallest element of {x}, or 0 when it is empty",
        "min({x}, default=0)"),
    _op("count_equal", INTS, INT, "how many elements of {x} equal {k}", "{x}.count({k})",
        param="k", loop=("{out} = 0", "for {e} in {x}:", "    if {e} == {k}:",
                         "        {out} += 1")),
    _op("spread", INTS, INT, "the largest element of {x} minus its smallest, or 0 when it is "
        "empty", "max({x}) - min({x}) if {x} else 0"),
    _op("first_or_zero", INTS, INT, "the first element of {x}, or 0 when it is empty",
        "{x}[0] if {x} else 0"),
    _op("last_or_zero", INTS, INT, "the last element of {x}, or 0 when it is empty",
        "{x}[-1] if {x} else 0"),
    _op("sum_squares", INTS, INT, "the sum of the squares of {x}", "sum({e} * {e} for {e} in {x})",
        loop=("{out} = 0", "for {e} in {x}:", "    {out} += {e} * {e}")),
    # list[int] -> other
    _op("as_text", INTS, STR, "the elements of {x} written in decimal and joined by commas",
        "','.join(str({e}) for {e} in {x})"),
    _op("has_zero", INTS, BOOL, "whether {x} contains a zero", "0 in {x}"),
    _op("all_positive", INTS, BOOL, "whether every element of {x} is greater than zero",
        "all({e} > 0 for {e} in {x})"),
    # int -> int
    _op("plus", INT, INT, "{x} plus {k}", "{x} + {k}", param="k"),
    _op("times", INT, INT, "{x} multiplied by {k}", "{x} * {k}", param="k"),
    _op("square", INT, INT, "the square of {x}", "{x} * {x}"),
    _op("magnitude", INT, INT, "the absolute value of {x}", "abs({x})"),
    _op("modulo", INT, INT, "the remainder of {x} divided by {k}", "{x} % {k}", param="k"),
    _op("floor_div", INT, INT, "{x} divided by {k}, rounded down", "{x} // {k}", param="k"),
    _op("last_digit", INT, INT, "the last decimal digit of {x}, ignoring its sign", "abs({x}) % 10"),
    _op("digit_count", INT, INT, "how many decimal digits {x} has, ignoring its sign",
        "len(str(abs({x})))"),
    _op("cube", INT, INT, "the cube of {x}", "{x} ** 3"),
    # int -> other
    _op("up_to", INT, INTS, "the integers from 0 up to but not including {x}",
        "list(range({x}))", grows=1, loop=("{out} = []", "i = 0", "while i < {x}:",
                                   "    {out}.append(i)", "    i += 1")),
    _op("countdown", INT, INTS, "the integers from {x} down to 1", "list(range({x}, 0, -1))", grows=1),
    _op("multiples_list", INT, INTS, "the first {x} multiples of {k}, starting at {k}",
        "[{k} * i for i in range(1, {x} + 1)]", param="k", grows=1),
    _op("decimal", INT, STR, "{x} written in decimal", "str({x})"),
    _op("hex_text", INT, STR, "{x} in hexadecimal with the 0x prefix", "hex({x})"),
    _op("is_even", INT, BOOL, "whether {x} is even", "{x} % 2 == 0"),
    _op("is_negative", INT, BOOL, "whether {x} is below zero", "{x} < 0"),
    # str -> str
    _op("upper", STR, STR, ("{x} in upper case",
        "{x} with every letter upper-cased"), "{x}.upper()"),
    _op("lower", STR, STR, ("{x} in lower case",
        "{x} with every letter lower-cased"), "{x}.lower()"),
    _op("mirrored", STR, STR, "{x} read from right to left", "{x}[::-1]"),
    _op("stripped", STR, STR, "{x} without leading and trailing whitespace", "{x}.strip()"),
    _op("no_spaces", STR, STR, "{x} with every space removed", "{x}.replace(' ', '')"),
    _op("swapped_case", STR, STR, "{x} with upper and lower case swapped", "{x}.swapcase()"),
    _op("prefix", STR, STR, "the first {k} characters of {x}", "{x}[:{k}]", param="k"),
    _op("suffix", STR, STR, "the last {k} characters of {x}", "{x}[-{k}:]",
        param="k"),
    _op("doubled_chars", STR, STR, "{x} with every character written twice",
        "''.join(ch * 2 for ch in {x})"),
    _op("without_char", STR, STR, "{x} with every '{c}' removed", "{x}.replace('{c}', '')",
        param="c"),
    _op("only_letters", STR, STR, "the letters of {x}, other characters dropped",
        "''.join(ch for ch in {x} if ch.isalpha())",
        loop=("{out} = ''", "for ch in {x}:", "    if ch.isalpha():", "        {out} += ch")),
    _op("only_digits", STR, STR, "the digit characters of {x}, in order",
        "''.join(ch for ch in {x} if ch.isdigit())"),
    _op("padded", STR, STR, "{x} padded on the left with '{c}' to at least 8 characters",
        "{x}.rjust(8, '{c}')", param="c"),
    # str -> other
    _op("length", STR, INT, "the number of characters in {x}", "len({x})"),
    _op("char_count", STR, INT, ("how many times '{c}' occurs in {x}",
        "how many times the character '{c}' appears in {x}"), "{x}.count('{c}')",
        param="c", loop=("{out} = 0", "for ch in {x}:", "    if ch == '{c}':",
                         "        {out} += 1")),
    _op("upper_count", STR, INT, "the number of upper-case letters in {x}",
        "sum(1 for ch in {x} if ch.isupper())"),
    _op("space_count", STR, INT, "the number of spaces in {x}", "{x}.count(' ')"),
    _op("codes", STR, INTS, "the code points of the characters of {x} plus {k}",
        "[ord(ch) + {k} for ch in {x}]", param="k"),
    _op("pieces", STR, STRS, "the parts of {x} between commas", "{x}.split(',')"),
    _op("characters", STR, STRS, "the characters of {x} as a list", "list({x})"),
    _op("starts_upper", STR, BOOL, "whether {x} begins with an upper-case letter",
        "{x}[:1].isupper()"),
    _op("contains_char", STR, BOOL, "whether '{c}' occurs in {x}", "'{c}' in {x}", param="c"),
    # list[str] -> list[str]
    _op("short_ones", STRS, STRS, ("the strings of {x} with fewer than {k} characters",
        "the strings of {x} whose length is less than {k}"),
        "[w for w in {x} if len(w) < {k}]", param="k"),
    _op("non_empty", STRS, STRS, "the strings of {x} that are not empty", "[w for w in {x} if w]"),
    _op("uppered", STRS, STRS, "the strings of {x} in upper case", "[w.upper() for w in {x}]"),
    _op("with_char", STRS, STRS, "the strings of {x} that contain '{c}'",
        "[w for w in {x} if '{c}' in w]", param="c"),
    _op("alphabetical", STRS, STRS, "{x} in alphabetical order", "sorted({x})"),
    _op("reversed_list", STRS, STRS, "the strings of {x} in reverse order", "{x}[::-1]"),
    _op("first_chars", STRS, STRS, "the first character of each non-empty string of {x}",
        "[w[0] for w in {x} if w]"),
    _op("suffixed", STRS, STRS, "each string of {x} followed by '{c}'",
        "[w + '{c}' for w in {x}]", param="c"),
    # list[str] -> other
    _op("joined_dash", STRS, STR, "the strings of {x} joined with '-' between them",
        "'-'.join({x})"),
    _op("concatenated", STRS, STR, "the strings of {x} concatenated", "''.join({x})",
        loop=("{out} = ''", "for w in {x}:", "    {out} += w")),
    _op("total_length", STRS, INT, "the total number of characters in the strings of {x}",
        "sum(len(w) for w in {x})"),
    _op("string_count", STRS, INT, "how many strings {x} holds", "len({x})"),
    _op("sizes_plus", STRS, INTS, "the length of each string of {x} plus {k}",
        "[len(w) + {k} for w in {x}]", param="k"),
    # grids
    _op("row_maxima", GRID, INTS, "the largest cell of each non-empty row of {x}",
        "[max(row) for row in {x} if row]"),
    _op("row_lengths", GRID, INTS, "the number of cells in each row of {x}",
        "[len(row) for row in {x}]"),
    _op("first_column", GRID, INTS, "the first cell of each non-empty row of {x}",
        "[row[0] for row in {x} if row]"),
    _op("grid_total", GRID, INT, "the sum of all cells of {x}", "sum(sum(row) for row in {x})",
        loop=("{out} = 0", "for row in {x}:", "    for cell in row:", "        {out} += cell")),
    _op("rows_reversed", GRID, GRID, "{x} with the order of its rows reversed", "{x}[::-1]"),
    _op("cells_doubled", GRID, GRID, "{x} with every cell doubled",
        "[[cell * 2 for cell in row] for row in {x}]"),
    _op("top_rows", GRID, GRID, "the first {k} rows of {x}", "{x}[:{k}]", param="k"),
    _op("chunked", INTS, GRID, "{x} cut into rows of {k} elements, the last row possibly "
        "shorter", "[{x}[i:i + {k}] for i in range(0, len({x}), {k})]", param="k"),

    # --- everyday ideas (issue 16's concept ops: neighbours of what the tasks use, never a
    # task itself) ---
    # list[int]: running values, neighbours, positions, first occurrences, counts
    _op("running_max", INTS, INTS, ("the running maximum of {x}: element i is the largest of "
                                    "the first i + 1 elements",
                                    "the largest value seen so far at each position of {x}"),
        "list(itertools.accumulate({x}, max))", imports=("itertools",),
        loop=("{out} = []", "for {e} in {x}:", "    {out}.append({e} if not {out} else "
              "max({out}[-1], {e}))")),
    _op("gaps", INTS, INTS, ("the absolute differences between neighbouring elements of {x}",
                             "how far apart each pair of adjacent elements of {x} is"),
        "[abs(b - a) for a, b in zip({x}, {x}[1:])]"),
    _op("first_to_end", INTS, INTS, "{x} with its first element moved to the end",
        "{x}[1:] + {x}[:1]"),
    _op("every_third", INTS, INTS, "every third element of {x}, starting with the first",
        "{x}[::3]"),
    _op("odd_position_total", INTS, INT, ("the sum of the elements of {x} at odd positions "
                                          "(1, 3, 5, ...)", "the total of every second element "
                                          "of {x}, starting from the second"),
        "sum({x}[1::2])"),
    _op("rises", INTS, INT, ("how many elements of {x} are larger than the element before them",
                             "the number of times {x} goes up from one element to the next"),
        "sum(1 for a, b in zip({x}, {x}[1:]) if b > a)",
        loop=("{out} = 0", "for i in range(1, len({x})):", "    if {x}[i] > {x}[i - 1]:",
              "        {out} += 1")),
    _op("position_of_smallest", INTS, INT, ("the index of the smallest element of {x}, the "
                                            "earliest on ties, or -1 for an empty list",
                                            "where the minimum of {x} first occurs (-1 when "
                                            "there are no elements)"),
        "{x}.index(min({x})) if {x} else -1",
        loop=("{out} = -1", "for i in range(len({x})):",
              "    if {out} == -1 or {x}[i] < {x}[{out}]:", "        {out} = i")),
    _op("by_last_digit", INTS, INTS, ("{x} sorted by the last decimal digit of each element, "
                                      "equal digits keeping their order",
                                      "{x} ordered by last digit (of the absolute value), "
                                      "a stable sort"),
        "sorted({x}, key=lambda {e}: abs({e}) % 10)"),
    _op("distinct_ascending", INTS, INTS, ("the distinct values of {x} from smallest to largest",
                                           "each value of {x} once, in increasing order"),
        "sorted(set({x}))"),
    _op("first_occurrences", INTS, INTS, ("the values of {x} without repeats, in order of first "
                                          "appearance", "{x} with every later copy of a value "
                                          "dropped"),
        "list(dict.fromkeys({x}))",
        loop=("{out} = []", "for {e} in {x}:", "    if {e} not in {out}:",
              "        {out}.append({e})")),
    _op("top_frequency", INTS, INT, ("how many times the most common value of {x} occurs, or 0 "
                                     "for an empty list", "the highest number of occurrences "
                                     "of any value in {x}"),
        "max(collections.Counter({x}).values(), default=0)", imports=("collections",),
        loop=("counts = {{}}", "for {e} in {x}:", "    counts[{e}] = counts.get({e}, 0) + 1",
              "{out} = max(counts.values(), default=0)")),
    _op("occurrences_each", INTS, INTS, ("for each element of {x}, how many elements share its "
                                         "value", "the count of each element's value in {x}, "
                                         "element by element"),
        "[{x}.count({e}) for {e} in {x}]"),
    _op("keep_prime", INTS, INTS, ("the prime elements of {x}", "the elements of {x} that are "
                                   "prime numbers (greater than 1, divisible only by 1 and "
                                   "themselves)"),
        "[{e} for {e} in {x} if {e} > 1 and all({e} % d for d in range(2, math.isqrt({e}) + 1))]",
        imports=("math",), grows=0.5,
        loop=("{out} = []", "for {e} in {x}:", "    if {e} < 2:", "        continue",
              "    for d in range(2, math.isqrt({e}) + 1):", "        if {e} % d == 0:",
              "            break", "    else:", "        {out}.append({e})")),
    _op("keep_square", INTS, INTS, ("the elements of {x} that are perfect squares",
                                    "the square numbers (0, 1, 4, 9, ...) among {x}"),
        "[{e} for {e} in {x} if {e} >= 0 and math.isqrt({e}) ** 2 == {e}]", imports=("math",)),
    _op("common_multiple", INTS, INT, "the least common multiple of the elements of {x} (1 for "
        "an empty list)", "math.lcm(*{x})", imports=("math",)),
    _op("xor_all", INTS, INT, ("the bitwise XOR of all elements of {x}, 0 for an empty list",
                               "all elements of {x} combined with ^"),
        "functools.reduce(operator.xor, {x}, 0)", imports=("functools", "operator"),
        loop=("{out} = 0", "for {e} in {x}:", "    {out} ^= {e}")),
    _op("never_decreasing", INTS, BOOL, ("whether {x} never decreases from one element to the "
                                         "next", "whether {x} is sorted in non-decreasing "
                                         "order"),
        "all(a <= b for a, b in zip({x}, {x}[1:]))"),
    _op("floor_mean", INTS, INT, "the sum of {x} floor-divided by its length (0 for an empty "
        "list)", "sum({x}) // len({x}) if {x} else 0"),
    _op("middle_element", INTS, INT, "the element in the middle of {x} (index len // 2), or 0 "
        "when it is empty", "{x}[len({x}) // 2] if {x} else 0"),
    _op("neighbour_products", INTS, INTS, "the products of each element of {x} with the element "
        "after it", "[a * b for a, b in zip({x}, {x}[1:])]"),
    _op("signs", INTS, INTS, ("the sign of each element of {x}: -1, 0 or 1",
                              "-1 for each negative element of {x}, 1 for each positive one and "
                              "0 for zeros"),
        "[({e} > 0) - ({e} < 0) for {e} in {x}]"),
    _op("equal_runs", INTS, GRID, ("{x} cut into runs of equal neighbouring values",
                                   "the maximal blocks of repeated adjacent values of {x}"),
        "[list(group) for _, group in itertools.groupby({x})]", imports=("itertools",),
        loop=("{out} = []", "for {e} in {x}:", "    if {out} and {out}[-1][-1] == {e}:",
              "        {out}[-1].append({e})", "    else:", "        {out}.append([{e}])")),
    # int: divisors, digits, bits, sequences
    _op("divisor_count", INT, INT, ("the number of positive divisors of {x} (0 when it is below "
                                    "1)", "how many positive integers divide {x} evenly"),
        "sum(1 for d in range(1, {x} + 1) if {x} % d == 0)", grows=1),
    _op("proper_divisors", INT, INTS, ("the positive divisors of {x} below itself, ascending",
                                       "the proper divisors of {x} in increasing order"),
        "[d for d in range(1, {x}) if {x} % d == 0]", grows=1,
        loop=("{out} = []", "for d in range(1, {x}):", "    if {x} % d == 0:",
              "        {out}.append(d)")),
    _op("least_factor", INT, INT, ("the smallest divisor of {x} that is greater than 1, or 0 for "
                                   "numbers below 2", "the least factor above 1 of {x} (0 when "
                                   "there is none)"),
        "next((d for d in range(2, {x} + 1) if {x} % d == 0), 0)", grows=1),
    _op("gcd_with", INT, INT, "the greatest common divisor of {x} and {k}", "math.gcd({x}, {k})",
        param="k", imports=("math",),
        loop=("a, b = abs({x}), abs({k})", "while b:", "    a, b = b, a % b", "{out} = a")),
    _op("down_to_multiple", INT, INT, "{x} rounded down to a multiple of {k}",
        "{x} // {k} * {k}", param="k"),
    _op("digits_backwards", INT, INTS, ("the decimal digits of {x}, ignoring its sign, from the "
                                        "last digit to the first", "the digits of {x} (its "
                                        "absolute value), least significant first"),
        "[int(d) for d in reversed(str(abs({x})))]",
        loop=("{out} = []", "rest = abs({x})", "while True:", "    {out}.append(rest % 10)",
              "    rest //= 10", "    if rest == 0:", "        break")),
    _op("digit_product", INT, INT, ("the product of the decimal digits of {x}, ignoring its sign",
                                    "the digits of {x} (without sign) multiplied together"),
        "math.prod(int(d) for d in str(abs({x})))", imports=("math",),
        loop=("{out} = 1", "for d in str(abs({x})):", "    {out} *= int(d)")),
    _op("leading_digit", INT, INT, "the first decimal digit of {x}, ignoring its sign",
        "int(str(abs({x}))[0])"),
    _op("digits_ascending_number", INT, INT, "the number formed by the decimal digits of {x} "
        "in ascending order, ignoring its sign", "int(''.join(sorted(str(abs({x})))))"),
    _op("digits_text_backwards", INT, STR, "the decimal digits of {x} in reverse order as a "
        "string, without its sign", "str(abs({x}))[::-1]"),
    _op("binary_with_prefix", INT, STR, "{x} in binary with the 0b prefix", "bin({x})"),
    _op("octal_text", INT, STR, "{x} in octal with the 0o prefix", "oct({x})"),
    _op("zero_bits", INT, INT, ("the number of 0 bits in the binary form of the absolute value "
                                "of {x}", "how many zeros the binary digits of the absolute "
                                "value of {x} hold"),
        "bin(abs({x}))[2:].count('0')"),
    _op("bits_backwards", INT, INTS, ("the binary digits of the absolute value of {x}, least "
                                      "significant bit first", "the bits of the absolute value of "
                                      "{x} as 0/1 integers, lowest bit first"),
        "[int(b) for b in reversed(bin(abs({x}))[2:])]",
        loop=("{out} = []", "rest = abs({x})", "while True:", "    {out}.append(rest % 2)",
              "    rest //= 2", "    if rest == 0:", "        break")),
    _op("halved_once", INT, INT, "{x} shifted right by one bit", "{x} >> 1"),
    _op("shifted_left", INT, INT, "{x} shifted left by {k} bits", "{x} << {k}", param="k"),
    _op("xor_with", INT, INT, "{x} XOR {k} (bitwise exclusive or)", "{x} ^ {k}", param="k"),
    _op("and_with", INT, INT, "the bitwise AND of {x} and {k}", "{x} & {k}", param="k"),
    _op("halvings", INT, INT, ("how many times {x} can be floor-divided by 2 before it is at "
                               "most 1", "the number of halvings that bring {x} down to 1 or "
                               "less"),
        "", loop=("{out} = 0", "while {x} > 1:", "    {x} //= 2", "    {out} += 1")),
    _op("square_numbers", INT, INTS, "the first {x} square numbers 1, 4, 9, ...",
        "[i * i for i in range(1, {x} + 1)]", grows=1),
    _op("fibonacci", INT, INTS, ("the first {x} Fibonacci numbers 0, 1, 1, 2, 3, 5, ..., each "
                                 "the sum of the two before it",
                                 "the Fibonacci sequence 0, 1, 1, 2, ... up to {x} terms"),
        "", grows=2,  # the terms' digits grow with x too
        loop=("{out} = []", "a, b = 0, 1", "for _ in range({x}):", "    {out}.append(a)",
              "    a, b = b, a + b")),
    _op("powers_of_two", INT, INTS, "the first {x} powers of two, starting at 1",
        "[2 ** i for i in range(max({x}, 0))]", grows=2),
    _op("is_square", INT, BOOL, "whether {x} is a perfect square",
        "{x} >= 0 and math.isqrt({x}) ** 2 == {x}", imports=("math",)),
    _op("sum_up_to", INT, INT, ("the sum 1 + 2 + ... + {x}, or 0 when it is below 1",
                                "the sum of the integers from 1 to {x}"),
        "{x} * ({x} + 1) // 2 if {x} > 0 else 0",
        loop=("{out} = 0", "for i in range(1, {x} + 1):", "    {out} += i"), grows=1),
    _op("times_table", INT, GRID, "the multiplication table from 1 to {x}, one row per number",
        "[[i * j for j in range(1, {x} + 1)] for i in range(1, {x} + 1)]", grows=2),
    # str: positions, runs, first occurrences, letters
    _op("even_chars", STR, STR, "the characters of {x} at even positions (0, 2, 4, ...)",
        "{x}[::2]"),
    _op("last_to_front", STR, STR, "{x} with its last character moved to the front",
        "{x}[-1:] + {x}[:-1]"),
    _op("reads_same_backwards", STR, BOOL, "whether {x} is the same read from right to left",
        "{x} == {x}[::-1]"),
    _op("char_runs", STR, STRS, ("the runs of equal neighbouring characters of {x}",
                                 "{x} cut into maximal blocks of one repeated character"),
        "[''.join(group) for _, group in itertools.groupby({x})]", imports=("itertools",),
        loop=("{out} = []", "for ch in {x}:", "    if {out} and {out}[-1][-1] == ch:",
              "        {out}[-1] += ch", "    else:", "        {out}.append(ch)")),
    _op("distinct_chars", STR, STR, "the distinct characters of {x} in order of first appearance",
        "''.join(dict.fromkeys({x}))"),
    _op("vowel_count", STR, INT, "the number of vowels (a, e, i, o, u in either case) in {x}",
        "sum(1 for ch in {x}.lower() if ch in 'aeiou')"),
    _op("sorted_chars", STR, STR, "the characters of {x} in sorted order", "''.join(sorted({x}))"),
    _op("alphabet_positions", STR, INTS, "the position in the alphabet of each ASCII letter of "
        "{x} (a or A is 0), other characters skipped",
        "[ord(ch.lower()) - ord('a') for ch in {x} if ch.isascii() and ch.isalpha()]"),
    _op("space_parts", STR, STRS, "the parts of {x} between single spaces", "{x}.split(' ')"),
    _op("title_case", STR, STR, "{x} with the first letter of every word upper-cased and the "
        "others lower-cased", "{x}.title()"),
    _op("odd_chars_upper", STR, STR, "{x} with the characters at odd positions (1, 3, ...) in "
        "upper case", "''.join(ch.upper() if i % 2 else ch for i, ch in enumerate({x}))"),
    _op("digit_char_count", STR, INT, "the number of digit characters in {x}",
        "sum(1 for ch in {x} if ch.isdigit())"),
    _op("next_letters", STR, STR, "{x} with each lower-case letter replaced by the one after it "
        "in the alphabet (z wraps to a), other characters kept",
        "''.join(chr((ord(ch) - ord('a') + 1) % 26 + ord('a')) if 'a' <= ch <= 'z' else ch "
        "for ch in {x})"),
    _op("digits_as_number", STR, INT, "the digit characters of {x} read as one decimal number, "
        "or 0 when it has none", "int(''.join(ch for ch in {x} if ch.isdigit()) or 0)"),
    _op("distinct_char_count", STR, INT, "the number of different characters in {x}",
        "len(set({x}))"),
    # list[str]: case, lengths, order, counting
    _op("first_upper", STRS, STRS, "each string of {x} with its first character upper-cased and "
        "the rest unchanged", "[w[:1].upper() + w[1:] for w in {x}]"),
    _op("longest_first", STRS, STRS, "the strings of {x} from longest to shortest, equal lengths "
        "keeping their order", "sorted({x}, key=len, reverse=True)"),
    _op("longest_size", STRS, INT, "the length of the longest string of {x} (0 for an empty "
        "list)", "max((len(w) for w in {x}), default=0)"),
    _op("shortest", STRS, STR, ("the shortest string of {x}, the earliest on ties, or '' for an "
                                "empty list", "the first string of {x} with the fewest "
                                "characters ('' when there is none)"),
        "min({x}, key=len, default='')",
        loop=("{out} = ''", "for i, w in enumerate({x}):",
              "    if i == 0 or len(w) < len({out}):", "        {out} = w")),
    _op("distinct_alphabetical", STRS, STRS, "the different strings of {x} in alphabetical order",
        "sorted(set({x}))"),
    _op("each_backwards", STRS, STRS, "each string of {x} written backwards",
        "[w[::-1] for w in {x}]"),
    _op("starting_with_char", STRS, STRS, "the strings of {x} that begin with '{c}'",
        "[w for w in {x} if w.startswith('{c}')]", param="c"),
    _op("space_joined", STRS, STR, "the strings of {x} joined with single spaces",
        "' '.join({x})"),
    _op("distinct_string_count", STRS, INT, "the number of different strings in {x}",
        "len(set({x}))"),
    _op("letters_sorted_each", STRS, STRS, "each string of {x} with its characters sorted",
        "[''.join(sorted(w)) for w in {x}]"),
    _op("string_frequencies", STRS, INTS, "for each string of {x}, how many times it occurs in "
        "the list", "[{x}.count(w) for w in {x}]"),
    _op("lowered", STRS, STRS, "the strings of {x} in lower case", "[w.lower() for w in {x}]"),
    # grids: columns, rows, cells
    _op("last_column", GRID, INTS, "the last cell of each non-empty row of {x}",
        "[row[-1] for row in {x} if row]"),
    _op("column_sums", GRID, INTS, "the sum of each column of {x}, as many columns as its "
        "shortest row has", "[sum(column) for column in zip(*{x})]"),
    _op("rows_mirrored", GRID, GRID, "{x} with each row reversed", "[row[::-1] for row in {x}]"),
    _op("row_products", GRID, INTS, "the product of each row of {x} (1 for an empty row)",
        "[math.prod(row) for row in {x}]", imports=("math",)),
    _op("largest_cell", GRID, INT, "the largest cell of {x}, or 0 when it has no cells",
        "max((cell for row in {x} for cell in row), default=0)"),
    _op("rows_sorted", GRID, GRID, "{x} with the cells of each row in ascending order",
        "[sorted(row) for row in {x}]"),
    _op("cell_count", GRID, INT, "the number of cells in {x}", "sum(len(row) for row in {x})"),
)
# Each op by its key, as documents, fusions and reports name them.
OPS_BY_KEY: dict[str, Op] = {op.key: op for op in OPS}


@dataclasses.dataclass(frozen=True)
class Fusion:
    """Two ops in a row said as one phrase, as people say the pair's work: "{x} sorted in
    descending order" for `ascending` then `backwards`, "how many elements of {x} are even"
    for `keep_even` then `count`. A chain nests one phrase per op ("the number of elements of
    the even elements of xs"), and a base that only ever read those could not read a task's
    "descending" or "how many ... are ...". Templates are over {x} and the parameter of
    whichever op of the pair has one ({k} or {c})."""

    first: str  # the key of the op applied first
    second: str
    phrases: tuple[str, ...]


# What the list filters keep, as a relative clause ("the elements of xs that <clause>").
_KEPT = {
    "keep_even": ("are even",), "keep_odd": ("are odd",),
    "keep_positive": ("are greater than zero", "are positive"),
    "keep_negative": ("are below zero", "are negative"),
    "keep_above": ("exceed {k}", "are strictly greater than {k}"),
    "keep_at_most": ("are at most {k}", "are not larger than {k}"),
    "multiples_of": ("are divisible by {k}",), "keep_prime": ("are prime",),
    "keep_square": ("are perfect squares",),
    "short_ones": ("have fewer than {k} characters",), "non_empty": ("are not empty",),
    "with_char": ("contain '{c}'",), "starting_with_char": ("begin with '{c}'",),
}
# Reductions of a filtered list said over the filter's clause ({w}).
_OVER_KEPT = {
    "count": ("how many elements of {x} {w}", "the number of elements of {x} that {w}"),
    "total": ("the sum of the elements of {x} that {w}",),
    "largest": ("the largest of the elements of {x} that {w}, or 0 when there is none",),
    "string_count": ("how many strings of {x} {w}", "the number of strings of {x} that {w}"),
    "total_length": ("the total number of characters in the strings of {x} that {w}",),
}
# Everyday names of a two-op computation.
_NAMED_PAIRS = (
    Fusion("ascending", "backwards", ("{x} sorted in descending order",
                                      "{x} sorted from largest to smallest")),
    Fusion("ascending", "head", ("the {k} smallest elements of {x} in ascending order",)),
    Fusion("alphabetical", "reversed_list", ("{x} in reverse alphabetical order",)),
    Fusion("digits_backwards", "backwards", ("the decimal digits of {x}, ignoring its sign, "
                                             "most significant first",)),
    Fusion("digits_backwards", "total", ("the sum of the decimal digits of {x}, ignoring its "
                                         "sign", "the digit sum of {x}")),
    Fusion("bits_backwards", "total", ("the number of 1 bits in the binary form of the "
                                       "absolute value of {x}",)),
    Fusion("distinct_ascending", "count", ("the number of distinct values in {x}",
                                           "how many different values {x} contains")),
    Fusion("negated", "position_of_smallest", ("the index of the largest element of {x}, the "
                                               "earliest on ties, or -1 for an empty list",)),
    Fusion("char_runs", "longest_size", ("the length of the longest run of one repeated "
                                         "character in {x} (0 for an empty string)",)),
    Fusion("space_parts", "non_empty", ("the words of {x}, split on spaces, empty parts "
                                        "dropped",)),
    Fusion("lowered", "first_upper", ("each string of {x} with its first character "
                                      "upper-cased and the rest lower-cased",)),
)


def _fusions() -> dict[tuple[str, str], Fusion]:
    fused = {(f.first, f.second): f for f in _NAMED_PAIRS}
    for kept, clauses in _KEPT.items():
        for reduction, templates in _OVER_KEPT.items():
            if OPS_BY_KEY[kept].gives != OPS_BY_KEY[reduction].takes:
                continue
            fused[kept, reduction] = Fusion(kept, reduction, tuple(
                template.replace("{w}", clause) for template in templates for clause in clauses))
    for first, second in fused:
        a, b = OPS_BY_KEY.get(first), OPS_BY_KEY.get(second)
        if a is None or b is None or a.gives != b.takes:
            raise ValueError(f"fusion {first} -> {second}: not two ops whose types chain")
        if a.param and b.param:
            raise ValueError(f"fusion {first} -> {second}: both ops take a parameter")
    return fused


# (first key, second key) -> its Fusion.
FUSIONS: dict[tuple[str, str], Fusion] = _fusions()
