"""What an atomic function is, and the `@atom` decorator that declares one.

An atom is written once, as an ordinary Python function in a topic module. The decorator reads
that function's *source text* (the text a model is trained to write), compiles it again in a fresh
namespace holding only the declared standard-library imports, and registers the compiled copy as
the atom's callable. So the training text and the code that produces expected outputs are the same
bytes and cannot drift apart, and every atom's text is self-contained by construction.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import random
import textwrap
import typing
from typing import Any, Callable

# The closed type vocabulary atoms speak. Composition matches on these strings.
TYPES: tuple[str, ...] = ("int", "bool", "str", "list[int]", "list[str]", "list[list[int]]")

ArgsGenerator = Callable[[random.Random], tuple]


class AtomError(ValueError):
    """A malformed atom; the message names the atom and the reason."""


@dataclasses.dataclass(frozen=True)
class Atom:
    """One atomic function: its contract, its source text and its compiled callable."""

    name: str
    topic: str
    params: tuple[tuple[str, str], ...]  # ((argument name, type), ...) in call order
    returns: str
    description: str  # precise English: what it returns, edge cases
    source: str  # the function definition, decorator stripped, dedented
    imports: tuple[str, ...]  # stdlib modules the source uses ("math", "itertools", ...)
    generate: ArgsGenerator  # seeded generator of one argument tuple
    examples: tuple[tuple[tuple, Any], ...]  # hand-worked (args, expected) pairs
    fn: Callable[..., Any] = dataclasses.field(repr=False, compare=False)
    module: str = ""  # the Python module that declared it; the registry collects atoms by module

    @property
    def arg_types(self) -> tuple[str, ...]:
        return tuple(t for _, t in self.params)

    @property
    def signature(self) -> str:
        args = ", ".join(f"{n}: {t}" for n, t in self.params)
        return f"def {self.name}({args}) -> {self.returns}:"

    @property
    def program(self) -> str:
        """Self-contained program text: the import lines, then the function."""
        head = "".join(f"import {m}\n" for m in self.imports)
        return (head + "\n" if head else "") + self.source

    def __call__(self, *args: Any) -> Any:
        return self.fn(*args)


def _type_name(annotation: Any, where: str) -> str:
    if isinstance(annotation, str):
        name = annotation.replace(" ", "")
    elif isinstance(annotation, type) and not typing.get_args(annotation):
        name = annotation.__name__
    else:
        name = repr(annotation).replace("typing.", "").replace(" ", "")
    if name not in TYPES:
        raise AtomError(f"{where}: type {name!r} is outside the atom type vocabulary {TYPES}")
    return name


def _function_source(fn: Callable[..., Any]) -> str:
    """The `def` text of `fn` without decorators, dedented."""
    text = textwrap.dedent(inspect.getsource(fn))
    tree = ast.parse(text)
    node = tree.body[0]
    if not isinstance(node, ast.FunctionDef):
        raise AtomError(f"atom {fn.__name__!r}: expected a plain function definition")
    lines = text.splitlines(keepends=True)
    return "".join(lines[node.lineno - 1 : node.end_lineno]).rstrip() + "\n"


def compile_source(name: str, source: str, imports: tuple[str, ...]) -> Callable[..., Any]:
    """Compile `source` in a fresh namespace with only `imports`; return the function `name`."""
    namespace: dict[str, Any] = {}
    program = "".join(f"import {m}\n" for m in imports) + source
    exec(compile(program, f"<atom {name}>", "exec"), namespace)  # noqa: S102 - our own source
    fn = namespace.get(name)
    if not callable(fn):
        raise AtomError(f"atom {name!r}: source does not define a function named {name!r}")
    return fn


# Atoms declared so far, in declaration order. The registry reads this; topic modules fill it.
DECLARED: list[Atom] = []


def atom(
    *,
    topic: str,
    description: str,
    generate: ArgsGenerator,
    examples: list[tuple[tuple, Any]],
    imports: tuple[str, ...] = (),
) -> Callable[[Callable[..., Any]], Atom]:
    """Declare the decorated function as an atom (see the module docstring)."""

    def wrap(fn: Callable[..., Any]) -> Atom:
        name = fn.__name__
        where = f"atom {name!r}"
        sig = inspect.signature(fn)
        hints = typing.get_type_hints(fn)
        params = []
        for p in sig.parameters.values():
            if p.name not in hints:
                raise AtomError(f"{where}: argument {p.name!r} has no type annotation")
            params.append((p.name, _type_name(hints[p.name], f"{where} argument {p.name!r}")))
        if "return" not in hints:
            raise AtomError(f"{where}: missing return annotation")
        source = _function_source(fn)
        declared = Atom(
            name=name,
            topic=topic,
            params=tuple(params),
            returns=_type_name(hints["return"], f"{where} return"),
            description=" ".join(description.split()),
            source=source,
            imports=tuple(imports),
            generate=generate,
            examples=tuple((tuple(args), expected) for args, expected in examples),
            fn=compile_source(name, source, tuple(imports)),
            module=fn.__module__,
        )
        DECLARED.append(declared)
        return declared

    return wrap
