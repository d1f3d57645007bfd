"""The atom registry: the 100 atomic functions, ten topics of ten, looked up by name, topic or type.

Each topic is a module of this package that declares its atoms with `spec.atom`; the registry
imports the modules in TOPICS order and keeps the atoms each one declared (matched by module,
so atoms declared elsewhere, e.g. in tests, never enter it). Every atom's topic must be its
module's name, and names are unique across the library.
"""

from __future__ import annotations

import difflib
import importlib
from typing import Mapping, Sequence

from codecorr_jax.atoms.spec import DECLARED, TYPES, Atom, AtomError, atom

TOPICS: tuple[str, ...] = (
    "arithmetic", "digits", "strings", "words", "lists", "sorting", "counting", "sequences",
    "grids", "bits",
)
ATOMS_PER_TOPIC = 10


def index_by_name(per_topic: Mapping[str, Sequence[Atom]]) -> dict[str, Atom]:
    """Atoms by name; AtomError if an atom's topic is not its module's or a name repeats."""
    by_name: dict[str, Atom] = {}
    for topic, atoms in per_topic.items():
        for a in atoms:
            if a.topic != topic:
                raise AtomError(
                    f"atom {a.name!r}: declared in the module of topic {topic!r} with topic "
                    f"{a.topic!r}; the topic must be the module name {topic!r}"
                )
            if a.name in by_name:
                raise AtomError(
                    f"atom {a.name!r}: duplicate name, declared in topics "
                    f"{by_name[a.name].topic!r} and {topic!r}"
                )
            by_name[a.name] = a
    return by_name


def _load() -> dict[str, tuple[Atom, ...]]:
    """Import every topic module; return the atoms each one declared."""
    per_topic = {}
    for topic in TOPICS:
        module = importlib.import_module(f"{__name__}.{topic}")
        per_topic[topic] = tuple(a for a in DECLARED if a.module == module.__name__)
    return per_topic


_PER_TOPIC = _load()
_BY_NAME = index_by_name(_PER_TOPIC)


def _check_type(type_str: str) -> None:
    if type_str not in TYPES:
        raise ValueError(f"unknown atom type {type_str!r}; the vocabulary is {TYPES}")


def all_atoms() -> tuple[Atom, ...]:
    """Every atom, in topic order, then declaration order within a topic."""
    return tuple(a for topic in TOPICS for a in _PER_TOPIC[topic])


def topics() -> tuple[str, ...]:
    """The topic names, in order."""
    return TOPICS


def get(name: str) -> Atom:
    """The atom called `name`; KeyError naming close matches if there is none."""
    try:
        return _BY_NAME[name]
    except KeyError:
        close = difflib.get_close_matches(name, list(_BY_NAME), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise KeyError(f"no atom named {name!r}{hint}") from None


def by_topic(topic: str) -> tuple[Atom, ...]:
    """The atoms of `topic`, in declaration order."""
    if topic not in _PER_TOPIC:
        raise KeyError(f"unknown topic {topic!r}; topics are {TOPICS}")
    return _PER_TOPIC[topic]


def by_input_type(type_str: str) -> tuple[Atom, ...]:
    """Atoms whose first argument has type `type_str`."""
    _check_type(type_str)
    return tuple(a for a in all_atoms() if a.arg_types[0] == type_str)


def by_output_type(type_str: str) -> tuple[Atom, ...]:
    """Atoms that return `type_str`."""
    _check_type(type_str)
    return tuple(a for a in all_atoms() if a.returns == type_str)


def registry_problems() -> list[str]:
    """Library-level problems: topics without exactly ATOMS_PER_TOPIC atoms."""
    return [
        f"topic {topic!r} (module codecorr_jax/atoms/{topic}.py) declares "
        f"{len(_PER_TOPIC[topic])} atoms; it must declare exactly {ATOMS_PER_TOPIC}"
        for topic in TOPICS
        if len(_PER_TOPIC[topic]) != ATOMS_PER_TOPIC
    ]


__all__ = [
    "ATOMS_PER_TOPIC", "TOPICS", "TYPES", "Atom", "AtomError", "all_atoms", "atom", "by_input_type",
    "by_output_type", "by_topic", "get", "index_by_name", "registry_problems", "topics",
]
