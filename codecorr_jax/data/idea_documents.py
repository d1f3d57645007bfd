"""Corpus documents around the atoms' ideas (`data.ideas`): as plain functions, and inside
chains as the helper of a main function.

- plain: one of the idea's names (a generic one `GENERIC_NAME_SHARE` of the time, as issue 16
  found the base reads names more than docstrings), one of its docstrings, one of its bodies,
  the arguments under the corpus's usual names or the idea's own.
- chained: a main function whose docstring nests the idea's noun phrase with one grammar op's
  ("the largest element of the digit total of n" is not said; "the digit total of the largest
  element of xs" is), whose body applies the op inline and calls the idea as a helper defined
  below it, the helper documented half the time. Only ideas of one argument chain.

A chained document is a new function, so the corpus build checks it against the atoms'
compositions (`data.compositions`) and leaves out any that computes one.
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
CHAINED_SHARE = 0.5  # of idea documents, for ideas of one argument
DOCUMENTED_HELPER = 0.5


@dataclasses.dataclass(frozen=True)
class IdeaDocument:
    """One document around an idea: its text and how it was drawn."""

    text: str
    idea: Idea
    phrasing: str  # the docstring or noun template used (the manifest counts them)
    op: str = ""  # the grammar op's key in a chained document
    op_value: str = ""
    op_first: bool = False  # the op applied before the idea

    @property
    def chained(self) -> bool:
        return bool(self.op)

    def function(self) -> Callable[[Any], Any]:
        """The document's main function of its first argument (chained documents only)."""
        idea_fn = body_callable(self.idea, 0)
        op_fn = guarded_callable(OPS_BY_KEY[self.op], self.op_value)

        def checked(fn: Callable[[Any], Any], x: Any) -> Any:
            if too_large(x):  # an idea run on an op's huge value would run for minutes
                raise TooMuchWork
            return fn(x)

        if self.op_first:
            return lambda x: checked(idea_fn, op_fn(x))
        return lambda x: checked(op_fn, idea_fn(x))


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
    inner = names[idea.placeholders[0]]
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
    helper_head = fc.signature_line(helper, [(inner, idea.params[0][1])], idea.returns)
    if rng.random() < DOCUMENTED_HELPER:
        helper_head = fc.render_docstring(helper_head.rstrip("\n"),
                                          fill(rng.choice(idea.sentences), names))
    text += "\n\n" + helper_head + fc.indented(fill(body, names).split("\n"))
    return IdeaDocument(text, idea, noun, op.key, value, op_first)


def idea_document(ideas: tuple[Idea, ...], rng: random.Random) -> IdeaDocument:
    """One document around an idea drawn uniformly: chained `CHAINED_SHARE` of the time when
    the idea takes one argument and an op fits, else plain."""
    idea = rng.choice(ideas)
    if len(idea.params) == 1 and rng.random() < CHAINED_SHARE:
        document = chained_document(idea, rng)
        if document is not None:
            return document
    return plain_document(idea, rng)
