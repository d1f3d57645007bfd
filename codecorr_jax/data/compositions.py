"""No corpus function computes a composition of two or more atoms: composing atoms stays what
SFT and RL teach (issue 35's judgement on "disjoint").

A function's identity is its outputs on fixed probe inputs, as for the tasks' fingerprints
(`atoms.probes`). For every input type the table holds a probe vector of first arguments drawn
from the generators of the atoms that take that type, and every value vector a type-correct
chain of atoms reaches from it, breadth first, up to `depth` atoms (the deepest test chain,
`synth.deep_max_chain_length`, by default). An atom's arguments after the first are constants:
`CONSTANTS_PER_ARG` drawings of its own generator, as the synthesis pipeline draws them, and,
for an int, the corpus's own small parameters (`function_ops.K_VALUES`), so a chain with any
constant the corpus can write is in the table whatever `synth.seed` a user picks.

A vector first reached by a chain of two or more atoms is a composition; one also reached by a
single atom (sorting after a permutation is still sorting), by none (the probes themselves) or
by one grammar op (`function_ops.OPS`: the sum of a list equals the border sum of its rows of
two, and stays the corpus's primitive) is not. Hand-chosen probes (`HARD_PROBES`) beside the
drawn ones tell apart functions that agree on most random inputs. `CompositionTable.composition(fn, takes)` says whether a function of one argument is
a composition; a function with an int argument `k` is checked at each `K_PROBES` value of it.

The check runs every atom on values no test chose for it: a call whose input is too large
(`too_large`) or whose value cannot be computed gives the marker `_SKIP` in the vector, and a
vector needs `MIN_DEFINED` computed values to count.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import functools
import random
import signal
import sys
import threading
from typing import Any, Callable, Iterable

from tqdm import tqdm

from codecorr_jax import atoms as atom_registry
from codecorr_jax.atoms.spec import Atom
from codecorr_jax.data.function_ops import C_VALUES, K_VALUES, OPS, guarded_callable

# The deepest table the corpus build makes: every chain of training length (3 atoms, ~460,000
# vectors, ~100 s on 2 cores). Depth 4, the deeper suite's, holds ~40x more (~70 min).
MAX_DEPTH = 3
PROBES_PER_TYPE = 12
CONSTANTS_PER_ARG = 2
MIN_DEFINED = 10
K_PROBES = (1, 2, 3, 5)  # values of a corpus function's int argument `k` it is checked at
_SKIP = "<skip>"
_LARGE_INT = 10 ** 6
_LONG = 64
_DRAWINGS = 64  # generator drawings the constants are chosen from
_SECONDS = 0.05  # a call running longer is stopped and counts as no evidence


class CompositionError(ValueError):
    """A corpus function computes a composition of atoms; the message names it and the chain."""


class _TooSlow(Exception):
    """A probe call ran past `_SECONDS`."""


def _stop(signum: int, frame: Any) -> None:
    raise _TooSlow


@contextlib.contextmanager
def _time_limit():
    """Calls inside stop after `_SECONDS` (a timer signal, repeated until the call stops: one
    that lands in a garbage-collection callback is swallowed there; only in the main thread,
    where the corpus build runs, elsewhere the input-size guard alone applies)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGALRM, _stop)
    hook = sys.unraisablehook

    def quiet(unraisable: Any) -> None:
        if not isinstance(unraisable.exc_value, _TooSlow):
            hook(unraisable)

    sys.unraisablehook = quiet
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        sys.unraisablehook = hook


def _call(fn: Callable[..., Any], *args: Any) -> Any:
    """fn(*args) on copies, or `_SKIP` when it fails, runs too long or gives a value too
    large to compare. (A timer signal due as the timer is disarmed still lands inside the
    outer `try`.)"""
    try:
        if threading.current_thread() is threading.main_thread():
            signal.setitimer(signal.ITIMER_REAL, _SECONDS, _SECONDS)
        try:
            value = fn(*copy.deepcopy(args))
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        return _SKIP if too_large(value) else value
    except Exception:  # noqa: BLE001 - outside its domain (or too slow): no evidence
        return _SKIP


def too_large(value: Any) -> bool:
    """A value no atom should be run on here: long sequences, large ints (a range-building or
    prime-testing atom would run for seconds)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return abs(value) > _LARGE_INT
    if isinstance(value, str):
        return len(value) > _LONG
    if isinstance(value, list):
        return len(value) > _LONG or any(too_large(v) for v in value)
    return False


def _key(values: Iterable[Any]) -> str:
    return repr(tuple(values))


@dataclasses.dataclass(frozen=True)
class _Step:
    """An atom with its constants: a function of the first argument."""

    atom: Atom
    constants: tuple

    def __call__(self, x: Any) -> Any:
        if x is _SKIP or too_large(x):
            return _SKIP
        return _call(self.atom.fn, x, *self.constants)

    def __str__(self) -> str:
        extra = "".join(f", {c!r}" for c in self.constants)
        return f"{self.atom.name}(x{extra})"


def _constants(atom: Atom, seed: int) -> list[tuple]:
    """The constant tuples a chain may give `atom` after its first argument: the first
    `CONSTANTS_PER_ARG` distinct drawings of its own generator, and every drawing of
    `_DRAWINGS` made only of the corpus's small int parameters (`function_ops.K_VALUES`), so
    that a corpus function with such a parameter meets the chains it could equal."""
    if len(atom.params) == 1:
        return [()]
    rng = random.Random(f"compositions/{seed}/{atom.name}")
    drawn = [tuple(atom.generate(rng))[1:] for _ in range(_DRAWINGS)]
    found: dict[str, tuple] = {}
    for extra in drawn:
        if len(found) == CONSTANTS_PER_ARG:
            break
        found.setdefault(repr(extra), extra)
    small = {int(k) for k in K_VALUES}
    for extra in drawn:
        if all(type(c) is int and c in small for c in extra):
            found.setdefault(repr(extra), extra)
    return list(found.values())


# Probes chosen by hand besides the drawn ones: values that tell apart functions that agree
# on most random inputs (the sum of a list and the border sum of its parts split at 0 differ
# only where 0 parts it in three or more; case, repeats, blanks and ragged rows likewise).
HARD_PROBES: dict[str, tuple] = {
    "int": (0, 1, -1, 7, 12, 97, 360, -4096, 65535, 123456),
    "str": ("", "a", "Hello, World! 123", "aaabccdddd", "  two  spaces ", "MiXeD cAsE x",
            "racecar", "z9-Y8_x7", "ab ab ba", "0b1011"),
    "list[int]": ((), (0, 3, 4, 5, 0, 6, 7, 8, 0, 1), (5, -2, 0, 0, 7, 7, 7, -9, 3, 0, 2),
                  (1,), (2, 2), (9, 8, 7, 6, 5, 4, 3, 2, 1), (-3, 3, -3, 4, 10, -10, 1),
                  (1, 0, 1, 1, 0, 0, 1)),
    "list[str]": ((), ("a",), ("apple", "Banana", "apple", "cherry", "", "kiwi"),
                  ("x y", "listen", "silent", "enlist", "Google"), ("aa", "b", "ccc", "dd")),
    "list[list[int]]": ((), ((1,),), ((1, 2, 3), (4, 5, 6), (7, 8, 9)), ((1, 2), (3,)),
                        ((0, -1, 2, 5), (3, 3, 3, 3), (9, 8, 7, 6), (1, 1, 1, 1)),
                        ((4, 0, 7), (), (2, 2, 2))),
}


def _as_value(probe: Any) -> Any:
    """A hand probe with its tuples (immutable in the table) made lists."""
    if isinstance(probe, tuple):
        return [_as_value(v) for v in probe]
    return probe


def probe_values(type_: str, seed: int = 0) -> tuple:
    """The hand probes of `type_` and `PROBES_PER_TYPE` first arguments drawn in turn from
    the generators of the atoms that take it."""
    takers = [a for a in atom_registry.all_atoms() if a.arg_types[0] == type_]
    values = [_as_value(probe) for probe in HARD_PROBES.get(type_, ())]
    for i in range(PROBES_PER_TYPE):
        rng = random.Random(f"compositions/probe/{seed}/{type_}/{i}")
        values.append(tuple(takers[i % len(takers)].generate(rng))[0])
    return tuple(values)


class CompositionTable:
    """Every value vector chains of up to `depth` atoms reach from each type's probes, with
    the shortest chain that reaches it."""

    def __init__(self, depth: int = 4, seed: int = 0, progress: bool = False):
        if depth < 2:
            raise ValueError(f"depth must be >= 2 (a composition has two atoms), got {depth}")
        self.depth = depth
        self._memo: dict[Any, str | None] = {}
        steps = [_Step(atom, constants) for atom in atom_registry.all_atoms()
                 for constants in _constants(atom, seed)]
        self._probes: dict[str, tuple] = {}
        # (input type, vector key) -> the shortest chain reaching it (steps, first first)
        self._reached: dict[tuple[str, str], tuple[_Step, ...]] = {}
        takers = {a.arg_types[0] for a in atom_registry.all_atoms()}
        # value vectors of one grammar op: sum, sorted, len are the corpus's primitives, never
        # a composition it teaches, whatever chain of atoms happens to equal them
        self._primitive: set[tuple[str, str]] = set()
        with _time_limit():
            for type_ in tqdm(sorted(takers), desc=f"compositions (chains of <= {depth} atoms)",
                              unit="type", disable=not progress, leave=False):
                probes = probe_values(type_, seed)
                self._probes[type_] = probes
                self._explore(type_, probes, steps)
                self._add_primitives(type_, probes)

    def _explore(self, type_: str, probes: tuple, steps: list[_Step]) -> None:
        self._reached[type_, _key(probes)] = ()
        frontier = [((), list(probes), type_)]
        for _ in range(self.depth):
            grown = []
            for chain, values, holds in frontier:
                for step in steps:
                    if step.atom.arg_types[0] != holds:
                        continue
                    out = [step(v) for v in values]
                    if sum(v is not _SKIP for v in out) < MIN_DEFINED:
                        continue
                    key = (type_, _key(out))
                    if key in self._reached:
                        continue
                    self._reached[key] = chain + (step,)
                    grown.append((chain + (step,), out, step.atom.returns))
            frontier = grown

    def _add_primitives(self, type_: str, probes: tuple) -> None:
        for op in OPS:
            if op.takes != type_:
                continue
            values = {"k": K_VALUES, "c": C_VALUES}.get(op.param, ("",))
            for value in values:
                fn = guarded_callable(op, value)
                self._primitive.add((type_, _key(_call(fn, x) for x in probes)))

    @property
    def size(self) -> int:
        """How many distinct value vectors the table holds."""
        return len(self._reached)

    def composition(self, fn: Callable[..., Any], takes: str, with_k: bool = False,
                    fn_key: Any = None) -> str | None:
        """The chain of two or more atoms `fn` computes ("a(x) -> b(x, 3)"), or None. `fn`
        takes one argument of type `takes` (and, `with_k`, an int `k`, checked at each of
        `K_PROBES`); `fn_key`, when given, names the function, and its answer is kept."""
        probes = self._probes.get(takes)
        if probes is None:
            return None
        memo = (fn_key, takes, with_k) if fn_key is not None else None
        if memo is not None and memo in self._memo:
            return self._memo[memo]
        found = self._composition(fn, probes, takes, with_k)
        if memo is not None:
            self._memo[memo] = found
        return found

    def _composition(self, fn: Callable[..., Any], probes: tuple, takes: str,
                     with_k: bool) -> str | None:
        for k in K_PROBES if with_k else (None,):
            with _time_limit():
                out = [_call(fn, x, k) if with_k else _call(fn, x) for x in probes]
            key = (takes, _key(out))
            chain = self._reached.get(key)
            if chain is not None and len(chain) >= 2 and key not in self._primitive:
                return " -> ".join(str(step) for step in chain) + \
                    (f" (at k = {k})" if with_k else "")
        return None


@functools.lru_cache(maxsize=2)
def composition_table(depth: int, seed: int = 0, progress: bool = False) -> CompositionTable:
    """The table of `depth` and `seed`, built once a process (a build reads it, never
    changes it: the depth-3 one takes minutes)."""
    return CompositionTable(depth=depth, seed=seed, progress=progress)
