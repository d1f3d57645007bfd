"""Corpus documents around the atoms' ideas (`data.ideas`): as plain functions, inside
chains as the helper of a main function, and as one stage of a staged function.

- plain: one of the idea's names (a generic one `GENERIC_NAME_SHARE` of the time, as issue 16
  found the base reads names more than docstrings), one of its docstrings, one of its bodies,
  the arguments under the corpus's usual names or the idea's own.
- chained: a main function whose docstring nests the idea's noun phrase with one grammar op's
  ("the largest element of the digit total of n" is not said; "the digit total of the largest
  element of xs" is), whose body applies the op inline and calls the idea as a helper defined
  below it, the helper documented half the time. Only ideas of one argument chain.
- staged: the docstring lists 2-3 stages in order, one of them the idea in one of its whole
  sentences and the others grammar ops, each stage saying where its argument comes from; the
  main function calls one helper per stage and the helpers follow it (version 10). This is a
  long document of the shape a multi-step task has, so the base meets long docstrings and
  main functions of helper calls before it meets a task of that shape; it never chains two
  ideas, so it never composes two atoms.

A chained or staged document is a new function, so the corpus build checks it against the
atoms' compositions (`data.compositions`) and leaves out any that computes one.
"""

from __future__ import annotations

import dataclasses
import random
import re
from typing import Any, Callable

from codecorr_jax.data import function_corpus as fc
from codecorr_jax.data.compositions import too_large
from codecorr_jax.data.function_ops import (BOOL, OPS, OPS_BY_KEY, Op, TooMuchWork,
                                           guarded_callable)
from codecorr_jax.data.ideas import Idea, body_callable, fill

GENERIC_NAME_SHARE = 0.25
CHAINED_SHARE = 0.3  # of idea documents, for ideas of one argument
STAGED_SHARE = 0.3  # of idea documents, for ideas of one argument
DOCUMENTED_HELPER = 0.5
# Grammar-op stages beside the idea in a staged document (2-3 stages in all).
STAGED_OPS = (1, 1, 2)

OpStep = tuple[str, str]  # (op key, its parameter value)


@dataclasses.dataclass(frozen=True)
class IdeaDocument:
    """One document around an idea: its text and how it was drawn."""

    text: str
    idea: Idea
    phrasing: str  # the docstring, sentence or noun template used (the manifest counts them)
    before: tuple[OpStep, ...] = ()  # grammar ops applied before the idea, first first
    after: tuple[OpStep, ...] = ()  # grammar ops applied to the idea's result, first first
    staged: bool = False  # stages in the docstring, one helper each

    @property
    def chained(self) -> bool:
        """Whether the document's main function is more than the idea (ops around it)."""
        return bool(self.before or self.after)

    @property
    def shape(self) -> str:
        return "staged" if self.staged else "chained" if self.chained else "plain"

    @property
    def takes(self) -> str:
        """The type of the main function's first argument."""
        return OPS_BY_KEY[self.before[0][0]].takes if self.before else self.idea.params[0][1]

    def function(self) -> Callable[[Any], Any]:
        """The document's main function of its first argument (chained or staged only)."""
        idea_fn = body_callable(self.idea, 0)
        steps = [guarded_callable(OPS_BY_KEY[key], value) for key, value in self.before]
        steps.append(lambda x: _checked(idea_fn, x))
        steps += [guarded_callable(OPS_BY_KEY[key], value) for key, value in self.after]

        def main(x: Any) -> Any:
            for step in steps:
                x = step(x)
            return x
        return main


def _checked(fn: Callable[[Any], Any], x: Any) -> Any:
    if too_large(x):  # an idea run on an op's huge value would run for minutes
        raise TooMuchWork
    return fn(x)


def _argument_names(idea: Idea, texts: list[str], rng: random.Random) -> dict[str, str]:
    """Concrete names for the idea's placeholders: half the time the idea's own, else the
    corpus's usual name for the type, never one the texts already use for something else."""
    taken = set()
    for text in texts:
        taken |= set(re.findall(r"(?<!\$)\b[A-Za-z_]\w*", text))
    names: dict[str, str] = {}
    for placeholder, type_ in idea.params:
        name = placeholder
        if rng.random() < 0.5:
            if placeholder == idea.placeholders[0]:
                candidate = fc.arg_name(type_, rng)
            else:
                candidate = rng.choice(fc.INT_ARGUMENT_NAMES)
            if candidate not in taken and candidate not in names.values():
                name = candidate
        names[placeholder] = name
    return names


def _function_name(idea: Idea, rng: random.Random) -> str:
    return rng.choice(fc.GENERIC_NAMES) if rng.random() < GENERIC_NAME_SHARE else \
        rng.choice(idea.names)


def plain_document(idea: Idea, rng: random.Random) -> IdeaDocument:
    """The idea as one documented function."""
    sentence = rng.choice(idea.sentences)
    body = rng.choice(idea.bodies)
    names = _argument_names(idea, [body], rng)
    params = [(names[p], t) for p, t in idea.params]
    text = fc.render_docstring(fc.signature_line(_function_name(idea, rng), params,
                                                 idea.returns).rstrip("\n"),
                               fill(sentence, names), sorted(idea.imports))
    return IdeaDocument(text + fc.indented(fill(body, names).split("\n")), idea, sentence)


def _idea_helper(idea: Idea, name: str, body: str, names: dict[str, str],
                 rng: random.Random) -> str:
    """The idea as the helper `name` of a main function (of its first argument), documented
    `DOCUMENTED_HELPER` of the time."""
    head = fc.signature_line(name, [(names[idea.placeholders[0]], idea.params[0][1])],
                             idea.returns)
    if rng.random() < DOCUMENTED_HELPER:
        head = fc.render_docstring(head.rstrip("\n"), fill(rng.choice(idea.sentences), names))
    return head + fc.indented(fill(body, names).split("\n"))


def _ops_after(idea: Idea) -> list[Op]:
    return [op for op in OPS if op.takes == idea.returns and op.code]


def _ops_before(idea: Idea) -> list[Op]:
    return [op for op in OPS if op.gives == idea.params[0][1] and op.gives != BOOL and op.code]


def chained_document(idea: Idea, rng: random.Random) -> IdeaDocument | None:
    """The idea and one grammar op as a main function calling the idea as a helper; None when
    no op fits the idea's types."""
    after, before = _ops_after(idea), _ops_before(idea)
    op_first = bool(before) and (not after or rng.random() < 0.5)
    if not (after or before):
        return None
    op = rng.choice(before if op_first else after)
    value = fc.param_value(op, rng)
    noun = rng.choice(idea.nouns)
    body = rng.choice(idea.bodies)
    helper = rng.choice(idea.names)
    names = _argument_names(idea, [body], rng)
    main_arg = fc.arg_name(op.takes if op_first else idea.params[0][1], rng)
    if main_arg == helper:
        main_arg += "_in"
    if op_first:
        phrase = fill(noun, {idea.placeholders[0]: fc.fill_template(
            rng.choice(op.phrases), x=main_arg, k=value, c=value)})
        lines = [f"value = {fc.fill_template(op.code, x=main_arg, k=value, c=value)}",
                 f"return {helper}(value)"]
        takes, gives = op.takes, idea.returns
    else:
        phrase = fc.fill_template(rng.choice(op.phrases), x=fill(noun, {
            idea.placeholders[0]: main_arg}), k=value, c=value)
        lines = [f"value = {helper}({main_arg})",
                 f"return {fc.fill_template(op.code, x='value', k=value, c=value)}"]
        takes, gives = idea.params[0][1], op.gives
    sentence = fc.description_sentence(phrase, true_if=rng.random() < 0.5)
    main = fc.function_name(phrase, [main_arg], [op], rng)
    if main == helper:
        main = "main_" + main
    imports = sorted(set(idea.imports) | set(op.imports))
    text = fc.render_docstring(fc.signature_line(main, [(main_arg, takes)], gives).rstrip("\n"),
                               sentence, imports) + fc.indented(lines)
    text += "\n\n" + _idea_helper(idea, helper, body, names, rng)
    step = ((op.key, value),)
    return IdeaDocument(text, idea, noun, before=step if op_first else (),
                        after=() if op_first else step)


def _one_paragraph(sentence: str) -> str:
    """A docstring as one paragraph, for a stage line."""
    return " ".join(part.strip() for part in sentence.split("\n\n"))


def _draw_stage_ops(idea: Idea, rng: random.Random) -> tuple[list[Op], list[Op]] | None:
    """Ops to stand before and after the idea: `STAGED_OPS` in all, types matching; the idea's
    own stage is first, in the middle or last as the types allow. None when no op fits."""
    count = rng.choice(STAGED_OPS)
    before: list[Op] = []
    after: list[Op] = []
    for _ in range(count):
        fits_before = [op for op in OPS if op.gives != BOOL and op.gives == (
            before[0].takes if before else idea.params[0][1])]
        fits_after = [op for op in OPS if op.takes == (after[-1].gives if after else
                                                       idea.returns)
                      and (not after or after[-1].gives != BOOL)]
        if fits_before and (not fits_after or rng.random() < 0.5):
            before.insert(0, rng.choice(fits_before))
        elif fits_after:
            after.append(rng.choice(fits_after))
        else:
            break
    return (before, after) if before or after else None


def staged_document(idea: Idea, rng: random.Random) -> IdeaDocument | None:
    """The idea as one stage among grammar-op stages (module docstring); None when no op fits
    the idea's types."""
    drawn = _draw_stage_ops(idea, rng)
    if drawn is None:
        return None
    before, after = drawn
    values_before = [fc.param_value(op, rng) for op in before]
    values_after = [fc.param_value(op, rng) for op in after]
    body = rng.choice(idea.bodies)
    names = _argument_names(idea, [body], rng)
    inner = names[idea.placeholders[0]]
    sentence = _one_paragraph(rng.choice(idea.sentences))
    prefix = rng.choice(fc.HELPER_PREFIX)
    helper_names: list[str] = []
    for op in before + [None] + after:
        name = rng.choice(idea.names) if op is None else prefix + op.key
        while name in helper_names:
            name += "_again"
        helper_names.append(name)
    stages: list[tuple[Op | None, str]] = [(op, v) for op, v in zip(before, values_before)]
    stages.append((None, ""))
    stages += [(op, v) for op, v in zip(after, values_after)]
    stage_args: list[str] = []
    gives: list[str] = []
    intro, wording = fc.stage_intro(len(stages), rng)
    lines = [intro]
    for i, (op, value) in enumerate(stages):
        if op is None:
            arg = inner
            desc = fill(sentence, names)
            gives.append(idea.returns)
        else:
            arg = fc.arg_name(op.takes, rng)
            while arg in helper_names:
                arg += "_in"
            desc = fc.description_sentence(
                fc.fill_template(rng.choice(op.phrases), x=arg, k=value, c=value),
                true_if=rng.random() < 0.5)
            gives.append(op.gives)
        stage_args.append(arg)
        lines.append(fc.stage_line(i, arg, desc, wording))
    main = fc.function_name(" ".join(lines[1:]), stage_args + helper_names, before + after, rng)
    while main in helper_names:
        main = "main_" + main
    takes = before[0].takes if before else idea.params[0][1]
    imports = sorted(set(idea.imports) | {m for op in before + after for m in op.imports})
    text = fc.render_docstring(fc.signature_line(main, [(stage_args[0], takes)],
                                                 gives[-1]).rstrip("\n"),
                               " ".join(lines), imports)
    text += fc.indented(fc.calls_in_turn(helper_names, stage_args[0], gives, rng))
    for helper, (op, value), arg in zip(helper_names, stages, stage_args):
        if op is None:
            text += "\n\n" + _idea_helper(idea, helper, body, names, rng)
        else:
            text += "\n\n" + fc.signature_line(helper, [(arg, op.takes)], op.gives) + \
                fc.indented(fc.statement_body([op], arg, [value], rng))
    return IdeaDocument(text, idea, sentence,
                        before=tuple((op.key, v) for op, v in zip(before, values_before)),
                        after=tuple((op.key, v) for op, v in zip(after, values_after)),
                        staged=True)


def idea_document(ideas: tuple[Idea, ...], rng: random.Random) -> IdeaDocument:
    """One document around an idea drawn uniformly: for an idea of one argument, staged
    `STAGED_SHARE` of the time and chained `CHAINED_SHARE` (when an op fits), else plain."""
    idea = rng.choice(ideas)
    if len(idea.params) == 1:
        draw = rng.random()
        document = None
        if draw < STAGED_SHARE:
            document = staged_document(idea, rng)
        elif draw < STAGED_SHARE + CHAINED_SHARE:
            document = chained_document(idea, rng)
        if document is not None:
            return document
    return plain_document(idea, rng)
