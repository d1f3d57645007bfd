"""A generated corpus of small documented Python functions: "description -> code" for the base.

A pretrained code model has read millions of functions whose docstring says what the body does;
the standard library alone (the old base corpus) teaches Python's syntax but hardly ever puts a
plain-English contract right before a short body, so a base trained on it could not write a
function from a description. This module writes such functions from a grammar:

- `OPS`: typed primitive operations over int, str, list[int], list[str] and grids, each with an
  English noun phrase and the Python that computes it. They are generic building blocks
  (filter, map, reduce, slicing, string methods, arithmetic), not the project's atoms: no op is
  an atom, and documents that share an atom's name or a 10-gram with any task are dropped here
  and counted by `data.contamination` when the corpus is built.
- A document chains 1-3 ops whose types match. It is rendered as one function (intermediate
  variables, sometimes an explicit loop) or, for a chain of 2-3, as a main function whose
  docstring lists numbered stages and whose body calls one helper per stage, the helpers
  defined below it: the shape of a program that decomposes a task.

Everything is seeded: the same seed and count give the same texts on every machine.
"""

from __future__ import annotations

import dataclasses
import random
from typing import Callable, Iterator, Sequence

from codecorr_jax.atoms.render import render_docstring

# Bumped whenever the generated text changes, so a base pretrained on older text is retrained.
VERSION = 2

INT, STR, INTS, STRS, GRID, BOOL = "int", "str", "list[int]", "list[str]", "list[list[int]]", \
    "bool"

# The argument name a function's input of each type gets, with alternatives.
_ARG_NAMES = {INT: ("n", "x", "num"), STR: ("s", "text"), INTS: ("xs", "nums", "values"),
              STRS: ("words", "items", "names"), GRID: ("grid", "rows", "matrix")}
# The first name is the usual one (as in most Python code, and in the tasks): drawn 70% of the
# time, so that names vary but a model can rely on the common ones.
_USUAL_NAME = 0.7
_ELEM = ("v", "e", "item")  # comprehension variables
_CHARS = "abcdefghijklmnopqrstuvwxyz"


@dataclasses.dataclass(frozen=True)
class Op:
    """One primitive: `phrase` and `code` are templates over {x} (the input: its noun phrase
    or its variable) and {k} (an extra int parameter, when `param`), {c} (a character)."""

    key: str  # a short snake_case name for the function or helper that does it
    takes: str
    gives: str
    phrase: str  # a noun phrase, e.g. "the even elements of {x}"
    code: str  # a Python expression, e.g. "[{e} for {e} in {x} if {e} % 2 == 0]"
    loop: tuple[str, ...] = ()  # optional statement form; {out} is the result variable
    param: str = ""  # "k" (an int) or "c" (a one-character string)
    imports: tuple[str, ...] = ()


def _op(key, takes, gives, phrase, code, loop=(), param="", imports=()) -> Op:
    return Op(key, takes, gives, phrase, code, tuple(loop), param, tuple(imports))


OPS: tuple[Op, ...] = (
    # list[int] -> list[int]
    _op("keep_even", INTS, INTS, "the even elements of {x}", "[{e} for {e} in {x} if {e} % 2 == 0]"),
    _op("keep_odd", INTS, INTS, "the odd elements of {x}", "[{e} for {e} in {x} if {e} % 2 != 0]"),
    _op("keep_positive", INTS, INTS, "the elements of {x} that are greater than zero",
        "[{e} for {e} in {x} if {e} > 0]"),
    _op("keep_negative", INTS, INTS, "the elements of {x} that are below zero",
        "[{e} for {e} in {x} if {e} < 0]"),
    _op("keep_above", INTS, INTS, "the elements of {x} that exceed {k}",
        "[{e} for {e} in {x} if {e} > {k}]", param="k"),
    _op("keep_at_most", INTS, INTS, "the elements of {x} that are not larger than {k}",
        "[{e} for {e} in {x} if {e} <= {k}]", param="k"),
    _op("multiples_of", INTS, INTS, "the elements of {x} divisible by {k}",
        "[{e} for {e} in {x} if {k} != 0 and {e} % {k} == 0]", param="k"),
    _op("doubled", INTS, INTS, "{x} with every element doubled", "[{e} * 2 for {e} in {x}]"),
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
    _op("ascending", INTS, INTS, "{x} sorted from smallest to largest", "sorted({x})"),
    _op("backwards", INTS, INTS, "{x} in reverse order", "{x}[::-1]"),
    _op("head", INTS, INTS, "the first {k} elements of {x}", "{x}[:{k}]", param="k"),
    _op("tail", INTS, INTS, "{x} without its first {k} elements", "{x}[{k}:]", param="k"),
    _op("odd_positions", INTS, INTS, "the elements of {x} at odd positions (1, 3, 5, ...)",
        "{x}[1::2]"),
    _op("pair_sums", INTS, INTS, "the sums of each element of {x} with the element after it",
        "[a + b for a, b in zip({x}, {x}[1:])]"),
    _op("capped", INTS, INTS, "{x} with every element larger than {k} replaced by {k}",
        "[min({e}, {k}) for {e} in {x}]", param="k"),
    _op("halved", INTS, INTS, "each element of {x} floor-divided by two", "[{e} // 2 for {e} in {x}]"),
    # list[int] -> int
    _op("total", INTS, INT, "the sum of {x}", "sum({x})",
        loop=("{out} = 0", "for {e} in {x}:", "    {out} += {e}")),
    _op("product", INTS, INT, "the product of {x} (1 when it is empty)", "math.prod({x})",
        loop=("{out} = 1", "for {e} in {x}:", "    {out} *= {e}"), imports=("math",)),
    _op("count", INTS, INT, "the number of elements of {x}", "len({x})",
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
        "list(range({x}))", loop=("{out} = []", "i = 0", "while i < {x}:",
                                   "    {out}.append(i)", "    i += 1")),
    _op("countdown", INT, INTS, "the integers from {x} down to 1", "list(range({x}, 0, -1))"),
    _op("multiples_list", INT, INTS, "the first {x} multiples of {k}, starting at {k}",
        "[{k} * i for i in range(1, {x} + 1)]", param="k"),
    _op("decimal", INT, STR, "{x} written in decimal", "str({x})"),
    _op("hex_text", INT, STR, "{x} in hexadecimal with the 0x prefix", "hex({x})"),
    _op("is_even", INT, BOOL, "whether {x} is even", "{x} % 2 == 0"),
    _op("is_negative", INT, BOOL, "whether {x} is below zero", "{x} < 0"),
    # str -> str
    _op("upper", STR, STR, "{x} in upper case", "{x}.upper()"),
    _op("lower", STR, STR, "{x} in lower case", "{x}.lower()"),
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
    _op("char_count", STR, INT, "how many times '{c}' occurs in {x}", "{x}.count('{c}')",
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
    _op("short_ones", STRS, STRS, "the strings of {x} with fewer than {k} characters",
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
)

# Stage-style documents: how the main docstring introduces the chain and each stage.
_STAGE_INTRO = ("Compute the answer in {n} stages, each working on what the previous one "
                "produced.", "Work in {n} stages; every stage takes the output of the one "
                "before it.", "The work is split into {n} stages run one after another.")
_STAGE_LINE = ("Stage {i}, given {arg}: {desc}", "Stage {i} ({arg} is the output of stage "
               "{j}): {desc}")
_HELPER_PREFIX = ("", "get_", "compute_", "make_")
# (Never "result": a loop that computes the last value writes to `result`.)
_RESULT_NAMES = {INT: ("value", "amount", "number"), STR: ("text", "word", "line"),
                 INTS: ("values", "numbers", "items"), STRS: ("words", "parts", "strings"),
                 GRID: ("rows", "table"), BOOL: ("flag", "answer")}


def _arg_name(type_: str, rng: random.Random) -> str:
    names = _ARG_NAMES[type_]
    return names[0] if rng.random() < _USUAL_NAME else rng.choice(names[1:])


def _param_value(op: Op, rng: random.Random) -> str:
    if op.param == "k":
        return str(rng.randint(1, 9))
    if op.param == "c":
        return rng.choice(_CHARS + " ,.")
    return ""


def _fill(template: str, *, x: str, e: str = "v", k: str = "", c: str = "",
          out: str = "") -> str:
    return template.format(x=x, e=e, k=k, c=c, out=out)


def _chain(rng: random.Random, length: int) -> list[Op]:
    """`length` ops whose types match, drawn uniformly among the ops that fit."""
    ops: list[Op] = []
    takes = None
    for _ in range(length):
        fits = [op for op in OPS if takes is None or op.takes == takes]
        if len(ops) < length - 1:  # nothing takes a bool: only the last op may give one
            fits = [op for op in fits if op.gives != BOOL]
        if not fits:
            return ops
        op = rng.choice(fits)
        ops.append(op)
        takes = op.gives
    return ops


def _sentence(phrase: str) -> str:
    return "Return " + phrase + "."


def _name(ops: Sequence[Op], rng: random.Random) -> str:
    keys = [op.key for op in ops]
    if len(keys) == 1:
        return rng.choice(_HELPER_PREFIX) + keys[0]
    return "_".join(reversed(keys)) if rng.random() < 0.5 else "_then_".join(keys)


def _statement_body(ops: Sequence[Op], arg: str, values: Sequence[str],
                    rng: random.Random) -> list[str]:
    """One function's body: one statement per op (a loop where the op has one), then return."""
    lines: list[str] = []
    current = arg
    used = {arg}
    for i, (op, value) in enumerate(zip(ops, values)):
        e = rng.choice(_ELEM)
        last = i == len(ops) - 1
        fields = dict(x=current, e=e, k=value, c=value)
        if op.loop and rng.random() < 0.5:
            out = "result" if last else _fresh(op.gives, used, rng)
            lines += [_fill(line, out=out, **fields) for line in op.loop]
            if last:
                lines.append(f"return {out}")
            current = out
            continue
        expr = _fill(op.code, **fields)
        if last:
            lines.append(f"return {expr}")
        else:
            out = _fresh(op.gives, used, rng)
            lines.append(f"{out} = {expr}")
            current = out
    return lines


def _fresh(type_: str, used: set[str], rng: random.Random) -> str:
    for name in rng.sample(_RESULT_NAMES[type_], len(_RESULT_NAMES[type_])):
        if name not in used:
            used.add(name)
            return name
    name = f"tmp{len(used)}"
    used.add(name)
    return name


def _signature(name: str, params: Sequence[tuple[str, str]], returns: str) -> str:
    args = ", ".join(f"{p}: {t}" for p, t in params)
    return f"def {name}({args}) -> {returns}:\n"


def _prompt(name: str, params: Sequence[tuple[str, str]], returns: str, description: str,
            ops: Sequence[Op]) -> str:
    """Imports, signature and docstring exactly as a task prompt renders them (one line when
    it fits, else wrapped with the closing quotes alone)."""
    modules = sorted({m for op in ops for m in op.imports})
    return render_docstring(_signature(name, params, returns).rstrip("\n"), description,
                            modules)


def _indent(lines: Sequence[str]) -> str:
    return "".join(f"    {line}\n" for line in lines)


def single_function(ops: Sequence[Op], rng: random.Random,
                    values: Sequence[str] | None = None) -> str:
    """The chain as one documented function: nested noun phrases, one statement per op.
    `values` are the ops' parameters (drawn when not given; "" for an op without one). A
    drawn int parameter is, half the time, an argument `k` of the function instead of a
    number written in."""
    arg = _arg_name(ops[0].takes, rng)
    params = [(arg, ops[0].takes)]
    if values is None:
        values = [_param_value(op, rng) for op in ops]
        takes_k = [i for i, op in enumerate(ops) if op.param == "k"]
        if takes_k and rng.random() < 0.5:
            values[takes_k[0]] = "k"
            params.append(("k", INT))
    values = list(values)
    phrase = arg
    for op, value in zip(ops, values):
        phrase = _fill(op.phrase, x=phrase, k=value, c=value)
    body = _statement_body(ops, arg, values, rng)
    return (_prompt(_name(ops, rng), params, ops[-1].gives, _sentence(phrase), ops)
            + _indent(body))


def staged_function(ops: Sequence[Op], rng: random.Random,
                    values: Sequence[str] | None = None) -> str:
    """The chain as a main function that calls one helper per stage, helpers defined below."""
    arg = _arg_name(ops[0].takes, rng)
    values = [_param_value(op, rng) for op in ops] if values is None else list(values)
    prefix = rng.choice(_HELPER_PREFIX)
    helpers = []
    seen: set[str] = set()
    for op in ops:
        name = prefix + op.key
        while name in seen:
            name += "_again"
        seen.add(name)
        helpers.append(name)
    stage_args = []
    parts = [rng.choice(_STAGE_INTRO).format(n=len(ops))]
    for i, (op, value) in enumerate(zip(ops, values)):
        stage_arg = arg if i == 0 else _arg_name(op.takes, rng)
        stage_args.append(stage_arg)
        desc = _sentence(_fill(op.phrase, x=stage_arg, k=value, c=value))
        template = _STAGE_LINE[0] if i == 0 else _STAGE_LINE[1]
        parts.append(template.format(i=i + 1, j=i, arg=stage_arg, desc=desc))
    main_name = "_".join(op.key for op in reversed(ops))
    body, current, used = [], arg, {arg}
    for i, helper in enumerate(helpers):
        if i == len(helpers) - 1:
            body.append(f"return {helper}({current})")
        else:
            out = f"stage{i + 1}" if rng.random() < 0.5 else _fresh(ops[i].gives, used, rng)
            body.append(f"{out} = {helper}({current})")
            current = out
    text = (_prompt(main_name, [(arg, ops[0].takes)], ops[-1].gives, " ".join(parts), ops)
            + _indent(body))
    for helper, op, stage_arg, value in zip(helpers, ops, stage_args, values):
        helper_body = _statement_body([op], stage_arg, [value], rng)
        text += "\n\n" + _signature(helper, [(stage_arg, op.takes)], op.gives) + _indent(
            helper_body)
    return text


def split_prompt(text: str) -> tuple[str, str]:
    """(imports + signature + docstring, the rest): where a task's prompt ends and its
    completion begins, after the first docstring's closing quotes."""
    end = text.index('"""', text.index('"""') + 3) + len('"""\n')
    return text[:end], text[end:]


@dataclasses.dataclass(frozen=True)
class Document:
    """One generated function document and what it was drawn from."""

    text: str
    ops: tuple[str, ...]  # the chain's op keys, first applied first
    staged: bool  # a main function calling one helper per op


def drawn_documents(count: int, seed: int = 0,
                    keep: Callable[[str], bool] = lambda text: True) -> Iterator[Document]:
    """`count` generated function documents (the seed fixes them), skipping any that `keep`
    rejects (the contamination filter) and exact repeats."""
    if count < 0:
        raise ValueError(f"count must be >= 0, got {count}")
    rng = random.Random(f"function_corpus/{seed}")
    seen: set[str] = set()
    made = attempts = 0
    while made < count:
        attempts += 1
        if attempts > 20 * count + 1000:
            raise RuntimeError(f"only {made} of {count} distinct documents after {attempts} "
                               "draws: the grammar is too small for this count")
        length = rng.choice((1, 1, 2, 2, 3))
        ops = _chain(rng, length)
        if len(ops) < length:
            continue
        staged = length > 1 and rng.random() < 0.4
        text = staged_function(ops, rng) if staged else single_function(ops, rng)
        if text in seen or not keep(text):
            continue
        seen.add(text)
        made += 1
        yield Document(text, tuple(op.key for op in ops), staged)


def documents(count: int, seed: int = 0,
              keep: Callable[[str], bool] = lambda text: True) -> Iterator[str]:
    """The texts of `drawn_documents`."""
    return (document.text for document in drawn_documents(count, seed, keep))
