"""A generated corpus of small documented Python functions: "description -> code" for the base.

A pretrained code model has read millions of functions whose docstring says what the body does;
the standard library alone (the old base corpus) teaches Python's syntax but hardly ever puts a
plain-English contract right before a short body, so a base trained on it could not write a
function from a description. This module writes such functions from a grammar:

- `data.function_ops.OPS`: typed primitive operations over int, str, list[int], list[str] and
  grids, each with English noun phrases and the Python that computes it (the grammar).
- `data.function_ops.FUSIONS`: pairs of ops also said as one phrase, as people say them
  ("xs sorted in descending order", "how many elements of xs are prime").
- A document chains 1-3 ops whose types match. It is rendered as one function (intermediate
  variables, sometimes an explicit loop; the docstring sometimes states the value for an empty
  input and shows one worked example, and a yes/no function says "True if ..., otherwise False",
  as task descriptions do) or, for a chain of 2-3, as a main function whose docstring
  lists numbered stages and whose body calls one helper per stage, the helpers defined below
  it: the shape of a program that decomposes a task.
- `data.corpus_documents` mixes these with documents drawn around an atom's idea
  (`data.ideas`, rendered by `data.idea_documents`): the idea in its own names, words and code,
  alone or chained with an op.
- The corpus build (`data.corpus`) keeps a document only when it holds no task text
  (`data.contamination`) and computes no composition of atoms (`data.compositions`).

Everything is seeded: the same seed and count give the same texts on every machine.
"""

from __future__ import annotations

import builtins
import copy
import dataclasses
import keyword
import random
import re
from typing import Any, Callable, Sequence

from codecorr_jax.atoms.render import render_docstring
from codecorr_jax.data.function_ops import (BOOL, C_VALUES, FUSIONS, GRID, INT, INTS, K_VALUES,
                                           OPS, OPS_BY_KEY, STR, STRS, Fusion, Op,
                                           chain_callable, guarded_callable)

_FUSION_LIST = tuple(FUSIONS.values())
# The share of documents drawn around a fused pair (a chain of 2-3 ops, 3 two times in three:
# a pair that computes an atom is left out of the corpus when it stands alone). Drawn
# uniformly, a given pair follows in one chain in thousands, too seldom to learn its phrase;
# where a fused phrase can be said, it is, 3 times in 4. Version 7 drew 0.3 of the chains of
# 2-3 ops around a pair and said it fused half the time: a base read its phrases only inside
# longer chains (BENCHMARKS.md, corpus version 7).
_FUSED_SHARE = 0.3
_FUSED_PHRASE = 0.75

# Bumped whenever the generated text changes, so a base pretrained on older text is retrained.
VERSION = 10

# The argument name a function's input of each type gets, with alternatives.
ARG_NAMES = {INT: ("n", "x", "num"), STR: ("s", "text"), INTS: ("xs", "nums", "values"),
              STRS: ("words", "items", "names"), GRID: ("grid", "rows", "matrix")}
# The first name is the usual one (as in most Python code, and in the tasks): drawn 70% of the
# time, so that names vary but a model can rely on the common ones.
USUAL_NAME = 0.7
_ELEM = ("v", "e", "item")  # comprehension variables
# The name of a function's int argument (a parameter "k" of its ops): usually k, as tasks name
# theirs otherwise. None is a name any op's code uses.
INT_ARGUMENT_NAMES = ("k", "target", "width", "step", "limit", "m")


# Stage-style documents: how the main docstring introduces the chain and each stage, in one
# of two wordings ("stage" or "step", the word a document keeps throughout).
STAGE_INTRO = ("Compute the answer in {n} {unit}s, each working on what the previous one "
               "produced.", "Work in {n} {unit}s; every {unit} takes the output of the one "
               "before it.", "The work is split into {n} {unit}s run one after another.")
STAGE_WORDINGS = (("stage", "Stage {i}, given {arg}: {desc}",
                   "Stage {i} ({arg} is the output of stage {j}): {desc}"),
                  ("step", "Step {i}, with input {arg}: {desc}",
                   "Step {i} ({arg} is what step {j} returned): {desc}"))
HELPER_PREFIX = ("", "get_", "compute_", "make_")
# (Never "result": a loop that computes the last value writes to `result`.)
_RESULT_NAMES = {INT: ("value", "amount", "number"), STR: ("text", "word", "line"),
                 INTS: ("values", "numbers", "items"), STRS: ("words", "parts", "strings"),
                 GRID: ("rows", "table"), BOOL: ("flag", "answer")}


def arg_name(type_: str, rng: random.Random) -> str:
    names = ARG_NAMES[type_]
    return names[0] if rng.random() < USUAL_NAME else rng.choice(names[1:])


def param_value(op: Op, rng: random.Random) -> str:
    if op.param == "k":
        return rng.choice(K_VALUES)
    if op.param == "c":
        return rng.choice(C_VALUES)
    return ""


def fill_template(template: str, *, x: str, e: str = "v", k: str = "", c: str = "",
          out: str = "") -> str:
    return template.format(x=x, e=e, k=k, c=c, out=out)


def _chain(rng: random.Random, length: int, fusion: Fusion | None = None) -> list[Op]:
    """`length` ops whose types match, drawn uniformly among the ops that fit; with `fusion`,
    its two ops stand at a drawn place in the chain (fewer ops when no op fits)."""
    if fusion is None:
        return _extended([], rng, length)
    before = rng.randrange(length - 1)
    ops = [OPS_BY_KEY[fusion.first], OPS_BY_KEY[fusion.second]]
    for _ in range(before):  # ops before the pair, drawn backwards from the type it takes
        fits = [op for op in OPS if op.gives == ops[0].takes]
        if not fits:
            return ops
        ops.insert(0, rng.choice(fits))
    return _extended(ops, rng, length)


def _extended(ops: list[Op], rng: random.Random, length: int) -> list[Op]:
    """`ops` with ops appended until there are `length`; only the last may give a bool."""
    while len(ops) < length:
        fits = [op for op in OPS if not ops or op.takes == ops[-1].gives]
        if len(ops) < length - 1:  # nothing takes a bool
            fits = [op for op in fits if op.gives != BOOL]
        if not fits:
            return ops
        ops.append(rng.choice(fits))
    return ops


def description_sentence(phrase: str, clause: str = "", true_if: bool = False) -> str:
    """"Return <phrase><clause>."; with `true_if`, a "whether ..." phrase is said as task
    descriptions say it: "Return True if ..., otherwise False"."""
    if true_if and phrase.startswith("whether "):
        return "Return True if " + phrase[len("whether "):] + ", otherwise False" + clause + "."
    return "Return " + phrase + clause + "."


# A document's function name never names its ops. Up to version 4 it was the ops' keys
# ("backwards_ascending"), and the base learned to write a body from its name and to ignore the
# docstring: asked `sorted_descending` with the docstring "Return xs sorted from smallest to
# largest in reverse order." it wrote a filter, renamed `backwards_ascending` it wrote the
# right body. A task's name is never an op key, so names are generic or a few of the
# description's own words, as people name functions; the docstring is what says the work.
GENERIC_NAMES = ("solve", "compute", "transform", "process", "calculate", "answer", "f",
                  "func", "get_result", "evaluate", "convert", "helper", "do_task", "apply")
_STOP_WORDS = frozenset(
    "the of a an in and or to its it is each that with from by for as at be when which whose "
    "this than are their there all any one has have return returns if otherwise true false "
    "else not no whether".split())


def function_name(description: str, arg_names: Sequence[str], ops: Sequence[Op],
          rng: random.Random) -> str:
    """A generic name half the time, else 2-3 words of `description` in their order (never a
    single word, a keyword, a builtin: `sum` would shadow the body's own call, or the ops'
    keys joined, which the words can spell: "product_shifted_left")."""
    if rng.random() < 0.5:
        return rng.choice(GENERIC_NAMES)
    words = [w for w in dict.fromkeys(re.findall(r"[a-z]+", description.lower()))
             if len(w) > 1 and w not in _STOP_WORDS and w not in arg_names]
    if len(words) < 2:
        return rng.choice(GENERIC_NAMES)
    picked = sorted(rng.sample(range(len(words)), min(len(words), rng.choice((2, 2, 3)))))
    name = "_".join(words[i] for i in picked)
    keys = [op.key for op in ops]
    if keyword.iskeyword(name) or hasattr(builtins, name) or \
            name in ("_".join(keys), "_".join(reversed(keys))):
        return rng.choice(GENERIC_NAMES)
    return name


# Word-level variants of a one-function description (version 6). Each op has one or two fixed
# noun phrases, and a base trained on them reads only those: "the number of distinct values in
# xs" (a task's words) is lost on it where "... of xs" is not. Each rule applies to a whole
# description with probability 1/2, in this order; every variant says the same thing.
_WORDING_VARIANTS: tuple[tuple[str, Callable[[random.Random], str]], ...] = (
    (r"\b(elements|values|items|integers|strings|words|characters|digits|letters) of (?=[a-z])",
     lambda rng: r"\1 in "),
    (r"\bof the (?=[a-z])", lambda rng: "of "),
    (r"\bfrom smallest to largest\b",
     lambda rng: rng.choice(("in ascending order", "in increasing order",
                             "in non-decreasing order"))),
    (r"\bfrom largest to smallest\b",
     lambda rng: rng.choice(("in descending order", "in decreasing order",
                             "in non-increasing order"))),
    (r"\belements\b", lambda rng: rng.choice(("values", "items"))),
    (r"\bstring\b", lambda rng: "word"),
    (r"\bstrings\b", lambda rng: "words"),
    (r"\bthe number of (?=[a-z])", lambda rng: "the count of "),
)


def varied_wording(phrase: str, rng: random.Random) -> str:
    """`phrase` with each of `_WORDING_VARIANTS` applied half the time (one draw per rule,
    the same replacement for every occurrence)."""
    for pattern, replacement in _WORDING_VARIANTS:
        if rng.random() < 0.5:
            phrase = re.sub(pattern, replacement(rng), phrase)
    return phrase


def statement_body(ops: Sequence[Op], arg: str, values: Sequence[str],
                    rng: random.Random) -> list[str]:
    """One function's body: one statement per op (a loop where the op has one), then return."""
    lines: list[str] = []
    current = arg
    used = {arg}
    for i, (op, value) in enumerate(zip(ops, values)):
        e = rng.choice(_ELEM)
        last = i == len(ops) - 1
        fields = dict(x=current, e=e, k=value, c=value)
        if op.loop and (not op.code or rng.random() < 0.5):
            out = "result" if last else _fresh(op.gives, used, rng)
            lines += [fill_template(line, out=out, **fields) for line in op.loop]
            if last:
                lines.append(f"return {out}")
            current = out
            continue
        expr = fill_template(op.code, **fields)
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


def signature_line(name: str, params: Sequence[tuple[str, str]], returns: str) -> str:
    args = ", ".join(f"{p}: {t}" for p, t in params)
    return f"def {name}({args}) -> {returns}:\n"


def prompt_text(name: str, params: Sequence[tuple[str, str]], returns: str, description: str,
            ops: Sequence[Op]) -> str:
    """Imports, signature and docstring exactly as a task prompt renders them (one line when
    it fits, else wrapped with the closing quotes alone)."""
    modules = sorted({m for op in ops for m in op.imports})
    return render_docstring(signature_line(name, params, returns).rstrip("\n"), description,
                            modules)


def indented(lines: Sequence[str]) -> str:
    return "".join(f"    {line}\n" for line in lines)


def draw_values(ops: Sequence[Op], rng: random.Random, argument: bool) -> list[str]:
    """The ops' parameters ("" for an op without one). With `argument`, the first int
    parameter is, half the time, "k": an argument of the function instead of a number."""
    values = [param_value(op, rng) for op in ops]
    takes_k = [i for i, op in enumerate(ops) if op.param == "k"]
    if argument and takes_k and rng.random() < 0.5:
        values[takes_k[0]] = "k"
    return values


_EMPTY = {INT: 0, STR: "", INTS: [], STRS: [], GRID: []}
_EMPTY_WORDS = {STR: "an empty string", INTS: "an empty list", STRS: "an empty list",
                GRID: "an empty grid"}


def _edge_clause(ops: Sequence[Op], values: Sequence[str], arg: str) -> str:
    """"; <value> for an empty list" (or a string, a grid, `arg` = 0): the chain's value on
    the empty input, as task descriptions state their edge cases; "" when it has none."""
    if "k" in values:
        return ""
    try:
        value = chain_callable(ops, values)(_EMPTY[ops[0].takes])
    except Exception:  # noqa: BLE001 - e.g. int('') of an empty string: no clause
        return ""
    shown = "the empty string" if value == "" else repr(value)
    where = f"{arg} = 0" if ops[0].takes == INT else _EMPTY_WORDS[ops[0].takes]
    return f"; {shown} for {where}"


# Small inputs for a worked example in a description ("12 gives [2, 2, 3]").
_EXAMPLE_STRINGS = ("hello", "Hello World", "aab", "banana", "x1y22", "Code 42", "noon", "a b",
                    "")
_EXAMPLE_LONGEST = 60  # characters of the clause; a longer example is left out


def _example_input(type_: str, rng: random.Random):
    if type_ == INT:
        return rng.randint(-20, 120)
    if type_ == STR:
        return rng.choice(_EXAMPLE_STRINGS)
    if type_ == INTS:
        return [rng.randint(-5, 12) for _ in range(rng.randint(2, 5))]
    if type_ == STRS:
        return rng.sample(_EXAMPLE_STRINGS[:-1], rng.randint(2, 4))
    return [[rng.randint(0, 9) for _ in range(rng.randint(1, 3))] for _ in range(rng.randint(2, 3))]


def _example_clause(ops: Sequence[Op], values: Sequence[str], arg: str, k_name: str,
                    rng: random.Random) -> str:
    """The chain's value on a small drawn input, shown as task descriptions show one:
    " ([3, 1] gives [1, 3])", or " (n = 5, k = 2 gives 7)" with an int argument; half the time
    "becomes" when the value has the input's type. "" when the chain fails on the input, would
    run too long, or the clause would be long."""
    x = _example_input(ops[0].takes, rng)
    k = rng.randint(1, 5) if "k" in values else None
    try:
        value = chain_callable(ops, values, step=guarded_callable)(copy.deepcopy(x), k)
    except Exception:  # noqa: BLE001 - e.g. an index out of range: no example
        return ""
    shown = repr(x) if k is None else f"{arg} = {x!r}, {k_name} = {k}"
    verb = "becomes" if ops[0].takes == ops[-1].gives and rng.random() < 0.5 else "gives"
    clause = f" ({shown} {verb} {value!r})"
    return clause if len(clause) <= _EXAMPLE_LONGEST else ""


def phrasings(ops: Sequence[Op], written: Sequence[str], arg: str,
              fuse: bool = True) -> list[str]:
    """Every noun phrase the corpus may say the chain with, in a fixed order: each op's
    wording around the previous one's ("the sum of the decimal digits of n"), and with `fuse`
    each pair of `FUSIONS` also said as one ("the digit sum of n"), fused first, each phrase
    once. `written` are the parameters as the text shows them."""
    def said(i: int, phrase: str) -> list[str]:
        if i == len(ops):
            return [phrase]
        out = []
        fusion = FUSIONS.get((ops[i].key, ops[i + 1].key)) if fuse and i + 1 < len(ops) \
            else None
        if fusion is not None:
            value = written[i] or written[i + 1]
            for template in fusion.phrases:
                out += said(i + 2, fill_template(template, x=phrase, k=value, c=value))
        for template in ops[i].phrases:
            out += said(i + 1, fill_template(template, x=phrase, k=written[i], c=written[i]))
        return out

    return list(dict.fromkeys(said(0, arg)))  # a fused and a nested phrase may coincide


def single_function(ops: Sequence[Op], rng: random.Random,
                    values: Sequence[str] | None = None) -> str:
    """The chain as one documented function: one of its `phrasings`, one statement per op, and
    each half the time: a worked example, the value for an empty input, a yes/no result said
    as "True if ..., otherwise False". `values` are the ops' parameters (drawn by
    `draw_values` when not given); "k" makes an int argument of the function (named `k`, or
    as tasks name theirs: `target`, `width`, ...)."""
    arg = arg_name(ops[0].takes, rng)
    values = draw_values(ops, rng, argument=True) if values is None else list(values)
    k_name = INT_ARGUMENT_NAMES[0] if rng.random() < USUAL_NAME else \
        rng.choice(INT_ARGUMENT_NAMES[1:])
    written = [k_name if value == "k" else value for value in values]
    params = [(arg, ops[0].takes)] + ([(k_name, INT)] if "k" in values else [])
    said = phrasings(ops, written, arg)
    nested = set(phrasings(ops, written, arg, fuse=False))
    fused = [phrase for phrase in said if phrase not in nested]
    phrase = varied_wording(rng.choice(fused if fused and rng.random() < _FUSED_PHRASE
                                       else said), rng)
    says_it = "empty" in phrase or "none" in phrase  # the phrase states its edge case itself
    clause = _example_clause(ops, values, arg, k_name, rng) if rng.random() < 0.5 else ""
    if rng.random() < 0.5 and not says_it:
        clause += _edge_clause(ops, values, arg)
    sentence = description_sentence(phrase, clause, true_if=rng.random() < 0.5)
    body = statement_body(ops, arg, written, rng)
    name = function_name(phrase, [arg, k_name], ops, rng)
    return prompt_text(name, params, ops[-1].gives, sentence, ops) + indented(body)


def stage_intro(n: int, rng: random.Random) -> tuple[str, tuple[str, str, str]]:
    """A staged docstring's first sentence for `n` stages, and the wording its lines keep."""
    wording = rng.choice(STAGE_WORDINGS)
    return rng.choice(STAGE_INTRO).format(n=n, unit=wording[0]), wording


def stage_line(i: int, arg: str, desc: str, wording: tuple[str, str, str]) -> str:
    """Stage i (from 0) of a staged docstring: where its argument comes from, then its work."""
    template = wording[1] if i == 0 else wording[2]
    return template.format(i=i + 1, j=i, arg=arg, desc=desc)


def calls_in_turn(helpers: Sequence[str], arg: str, gives: Sequence[str],
                  rng: random.Random) -> list[str]:
    """A staged main function's body: each helper called on the previous one's result (named
    `stageN` half the time, else after its type `gives`), the last one's returned."""
    body, current, used = [], arg, {arg}
    for i, helper in enumerate(helpers):
        if i == len(helpers) - 1:
            body.append(f"return {helper}({current})")
        else:
            out = f"stage{i + 1}" if rng.random() < 0.5 else _fresh(gives[i], used, rng)
            body.append(f"{out} = {helper}({current})")
            current = out
    return body


def staged_function(ops: Sequence[Op], rng: random.Random,
                    values: Sequence[str] | None = None) -> str:
    """The chain as a main function that calls one helper per stage, helpers defined below."""
    arg = arg_name(ops[0].takes, rng)
    values = draw_values(ops, rng, argument=False) if values is None else list(values)
    prefix = rng.choice(HELPER_PREFIX)
    helpers = []
    seen: set[str] = set()
    for op in ops:
        name = prefix + op.key
        while name in seen:
            name += "_again"
        seen.add(name)
        helpers.append(name)
    stage_args = []
    intro, wording = stage_intro(len(ops), rng)
    parts = [intro]
    for i, (op, value) in enumerate(zip(ops, values)):
        stage_arg = arg if i == 0 else arg_name(op.takes, rng)
        stage_args.append(stage_arg)
        desc = description_sentence(
            fill_template(rng.choice(op.phrases), x=stage_arg, k=value, c=value),
            true_if=rng.random() < 0.5)
        parts.append(stage_line(i, stage_arg, desc, wording))
    main_name = function_name(" ".join(parts[1:]), [arg] + stage_args + helpers, ops, rng)
    while main_name in helpers:
        main_name = "main_" + main_name
    body = calls_in_turn(helpers, arg, [op.gives for op in ops], rng)
    text = (prompt_text(main_name, [(arg, ops[0].takes)], ops[-1].gives, " ".join(parts), ops)
            + indented(body))
    for helper, op, stage_arg, value in zip(helpers, ops, stage_args, values):
        helper_body = statement_body([op], stage_arg, [value], rng)
        text += "\n\n" + signature_line(helper, [(stage_arg, op.takes)], op.gives) + indented(
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
    values: tuple[str, ...] = ()  # the ops' parameters; "k" is the function's argument `k`
    idea: Any = None  # an `idea_documents.IdeaDocument` when drawn around an atom's idea


def grammar_document(rng: random.Random) -> Document | None:
    """One document drawn from the grammar alone (a chain of 1-3 ops, sometimes fused into
    one phrase), or None when the draw found no chain of its length."""
    fusion = rng.choice(_FUSION_LIST) if rng.random() < _FUSED_SHARE else None
    length = rng.choice((2, 3, 3)) if fusion else rng.choice((1, 1, 2, 2, 3))
    ops = _chain(rng, length, fusion)
    if len(ops) < length:
        return None
    staged = length > 1 and rng.random() < 0.4
    values = draw_values(ops, rng, argument=not staged)
    render = staged_function if staged else single_function
    return Document(render(ops, rng, values), tuple(op.key for op in ops), staged,
                    tuple(values))
