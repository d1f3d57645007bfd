"""Validation of candidate composites in the executor sandbox, and their semantic fingerprints.

Each candidate runs once, as its own reference solution, on two sets of inputs, all as executor
*probes* (tests without "expected": the sandbox reports the canonical JSON of each return value):
- its input pool: the first atom's hand-written examples (edge cases) then inputs from the first
  atom's generator, seeded by the candidate. The tests are taken from it in order, passing over
  an input whose output already fills half the tests (so no output fills more than half). They
  must all return a JSON value of the declared type that is not None and not larger than
  `max_output_chars`, and give at least `min_distinct_outputs` distinct values. Their outputs
  become the tests' expected values, so expected values are always computed in the sandbox,
  never in this process. The rest of the pool are spares for synth/adequacy.py.
- the signature probes: fixed inputs shared by every function with the same argument types (the
  probes of every atom with those argument types, `atoms.probes`), so two different wirings that
  compute the same function get the same fingerprint. An exception on a probe (a value outside
  the domain the first atom's description promises) is recorded in the fingerprint, not rejected.

Rejections are counted by reason (REASONS).
"""

from __future__ import annotations

import dataclasses
import functools
import json
import random
from collections import Counter
from typing import Any, Sequence

from codecorr_jax import atoms
from codecorr_jax.atoms.probes import probe_inputs
from codecorr_jax.atoms.validate import value_has_type
from codecorr_jax.canonical import canonical_json, fingerprint
from codecorr_jax.execution import Executor, Program, ProgramResult, Verdict
from codecorr_jax.synth import render
from codecorr_jax.synth.compose import Composite, Node

PROBES_PER_ATOM = 6

# Every reason a candidate can be rejected for, in report order.
REASONS: tuple[str, ...] = (
    "error", "none", "non_json", "wrong_type", "output_too_large", "too_slow", "too_few_distinct",
    "too_few_tests", "dominant_output", "weak_tests", "mutants_failed", "timeout", "memory",
    "crashed", "syntax_error", "duplicate_chain", "duplicate_fingerprint", "no_room",
    "ngram_overlap",
)
_VERDICT_REASON = {Verdict.TIMEOUT: "timeout", Verdict.MEMORY_EXCEEDED: "memory",
                   Verdict.CRASHED: "crashed", Verdict.SYNTAX_ERROR: "syntax_error",
                   Verdict.RUNTIME_ERROR: "error", Verdict.FAIL: "non_json"}


@dataclasses.dataclass(frozen=True)
class ValidationSettings:
    """The `synth` config fields validation reads."""

    tests_per_task: int = 12
    min_tests: int = 10
    min_distinct_outputs: int = 3
    max_output_chars: int = 4096
    seed: int = 0
    line_budget: int = 50_000
    # Test adequacy (synth/adequacy.py): the least share of the reference's mutants its tests
    # must kill (0: no mutant check), and how many tests may be added to reach it.
    min_mutation_score: float = 0.95
    max_added_tests: int = 4

    @property
    def pool_size(self) -> int:
        """Inputs run per candidate: the tests, and spares to replace or add to them."""
        return 3 * self.tests_per_task


@dataclasses.dataclass(frozen=True)
class Validated:
    """A composite that passed: its tests (expected values from the sandbox) and fingerprint.

    `spare`: further valid inputs with their outputs, from which adequacy adds tests;
    `mutation_score_before` / `_after`: the share of mutants its first and final tests kill
    (None until synth/adequacy.py has run), `tests_added` to get there."""

    composite: Composite
    tests: tuple[dict[str, Any], ...]
    fingerprint: str
    spare: tuple[dict[str, Any], ...] = ()
    mutation_score_before: float | None = None
    mutation_score_after: float | None = None
    tests_added: int = 0


@functools.lru_cache(maxsize=None)
def signature_probes(arg_types: tuple[str, ...]) -> tuple[str, ...]:
    """Canonical JSON argument lists shared by all functions taking `arg_types`."""
    seen: dict[str, None] = {}
    for a in atoms.all_atoms():
        if a.arg_types == arg_types:
            for args in probe_inputs(a.generate, n=PROBES_PER_ATOM):
                seen.setdefault(canonical_json(list(args)), None)
    return tuple(seen)


def input_pool(composite: Composite, settings: ValidationSettings) -> list[str]:
    """The first atom's examples, then generated inputs; distinct, at most `pool_size`. The
    tests are the first `tests_per_task` of them unless one output would fill more than half."""
    first = composite.first_atom
    rng = random.Random(f"synth/{settings.seed}/inputs/{composite.key}")
    candidates = [args for args, _ in first.examples]
    candidates += [first.generate(rng) for _ in range(3 * settings.tests_per_task)]
    seen: dict[str, None] = {}
    for args in candidates:
        seen.setdefault(canonical_json(list(args)), None)
        if len(seen) == settings.pool_size:
            break
    return list(seen)


# Appended to the reference solution for validation: a checked copy of the entry point that
# counts the Python lines each call executes and bounds the size of every intermediate value.
# Both limits are deterministic (unlike a wall-clock timeout, which can flip under load and
# would make two builds differ), so slow or explosive candidates are rejected the same way on
# every run; the executor's time limits stay as a safety net far beyond them. The mutants of a
# reference (synth/adequacy.py) run under the same two limits.
BUDGET_PRELUDE = """

class SynthBudgetExceeded(BaseException):
    pass


class SynthValueTooLarge(BaseException):
    pass


def _synth_line(frame, event, arg):
    if event == "line":
        _SYNTH_LEFT[0] -= 1
        if _SYNTH_LEFT[0] < 0:
            raise SynthBudgetExceeded()
    return _synth_line


def _synth_call(frame, event, arg):
    return None if frame.f_code is _synth_guard.__code__ else _synth_line


def _synth_guard(value):
    # a lower bound of the value's JSON length, without converting ints to decimal text
    # (quadratic for huge ints), stopping as soon as it passes the limit; not traced
    left = {max_chars}
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is int:
            left -= item.bit_length() * 3 // 10 + 1
        elif kind is str:
            left -= len(item) + 2
        elif kind is list:
            left -= len(item) + 1
            stack.extend(item)
        else:
            left -= 4
        if left < 0:
            raise SynthValueTooLarge()
    return value


import sys as _synth_sys
_SYNTH_LEFT = [0]
"""
GUARD = "_synth_guard"

# A function whose every call runs under the line budget (its body at 8 spaces).
BUDGETED_FUNCTION = """

def {name}({params}):
    _SYNTH_LEFT[0] = {budget}
    _synth_sys.settrace(_synth_call)
    try:
{body}    finally:
        _synth_sys.settrace(None)
"""


def budgeted(name: str, params: str, body: str, line_budget: int, max_output_chars: int) -> str:
    """The budget prelude and a function `name(params)` running `body` (indented 8 spaces)
    under it: what to append to a program so its calls are bounded deterministically."""
    return (BUDGET_PRELUDE.format(max_chars=max_output_chars)
            + BUDGETED_FUNCTION.format(name=name, params=params, budget=line_budget, body=body))


CHECKED_SUFFIX = "_checked"
_LIMIT_REASONS = {"SynthBudgetExceeded": "too_slow", "SynthValueTooLarge": "output_too_large"}


def program(composite: Composite, inputs: Sequence[str], line_budget: int = 50_000,
            max_output_chars: int = 4096) -> Program:
    """The candidate's reference solution plus its checked entry point, with its inputs and
    the signature probes as probes (tests without expected values)."""
    probes = signature_probes(tuple(t for _, t in composite.params))
    name = render.entry_point(composite)
    checked = budgeted(name + CHECKED_SUFFIX, ", ".join(n for n, _ in composite.params),
                       render.entry_body(composite, wrap=GUARD, indent="        "),
                       line_budget, max_output_chars)
    tests = [{"args": json.loads(a)} for a in (*inputs, *probes)]
    return Program(render.solution(composite, name) + checked, name + CHECKED_SUFFIX, tests)


def judge(composite: Composite, inputs: Sequence[str], result: ProgramResult,
          settings: ValidationSettings) -> Validated | str:
    """A Validated, or the rejection reason for one executed candidate.

    Tests are taken from `inputs` in order, passing over an input whose output already fills
    half of `tests_per_task` (so a constant function earns at most half the `fraction`
    reward); every input up to the last test taken must give a valid output. The valid
    inputs after it are the spares."""
    n_probes = len(signature_probes(tuple(t for _, t in composite.params)))
    if result.verdict is Verdict.SYNTAX_ERROR:
        return "syntax_error"
    if len(result.tests) != len(inputs) + n_probes:
        return _VERDICT_REASON.get(result.verdict, "crashed")
    cap = settings.tests_per_task // 2
    tests: list[dict[str, Any]] = []
    passed_over: list[dict[str, Any]] = []
    spare: list[dict[str, Any]] = []
    counts: Counter = Counter()
    for args, outcome in zip(inputs, result.tests[:len(inputs)]):
        output = _valid_output(outcome, composite.returns, settings)
        full = len(tests) == settings.tests_per_task
        if isinstance(output, str):
            if full:
                continue
            return output
        test = {"args": json.loads(args), "expected": output[0]}
        if full:
            spare.append(test)
        elif counts[output[1]] >= cap:
            passed_over.append(test)
        else:
            counts[output[1]] += 1
            tests.append(test)
    marks = probe_marks(result.tests[len(inputs):])
    if isinstance(marks, str):
        return marks
    if len(counts) < settings.min_distinct_outputs:
        return "too_few_distinct"
    if len(tests) < settings.min_tests:
        return "too_few_tests"
    if 2 * max(counts.values()) > len(tests):
        return "dominant_output"
    return Validated(composite, tuple(tests), semantic_fingerprint(composite, marks),
                     spare=tuple(passed_over + spare))


def _valid_output(outcome: Any, returns: str, settings: ValidationSettings
                  ) -> tuple[Any, str] | str:
    """(value, its canonical JSON) of one test input's outcome, or the rejection reason."""
    if outcome.verdict is not Verdict.PASS:
        return _LIMIT_REASONS.get(outcome.error_type) or _VERDICT_REASON.get(
            outcome.verdict, "crashed")
    if outcome.output == "null":
        return "none"
    if len(outcome.output) > settings.max_output_chars:
        return "output_too_large"
    value = json.loads(outcome.output)
    if not value_has_type(value, returns):
        return "wrong_type"
    return value, outcome.output


def probe_marks(outcomes: Sequence[Any], strict: bool = True) -> list[str] | str:
    """Per probe: the output, or "!fail" / "!runtime_error"; with `strict`, a timeout, memory
    or crash is a rejection reason (returned as a str), otherwise it is marked too."""
    marks = []
    for outcome in outcomes:
        if outcome.verdict is Verdict.PASS:
            marks.append(outcome.output)
        elif outcome.error_type in _LIMIT_REASONS:
            marks.append(f"!{_LIMIT_REASONS[outcome.error_type]}")
        elif strict and outcome.verdict not in (Verdict.RUNTIME_ERROR, Verdict.FAIL):
            return _VERDICT_REASON.get(outcome.verdict, "crashed")
        else:
            marks.append(f"!{outcome.verdict.value}")
    return marks


def semantic_fingerprint(composite: Composite, marks: list[str]) -> str:
    """Hash of argument types, return type and the outputs on the signature probes."""
    return fingerprint([[t for _, t in composite.params], composite.returns, marks])


def atom_as_composite(atom: Any) -> Composite:
    """An atom as a one-node composite (to fingerprint it exactly like composites)."""
    inputs = tuple(("input", i) for i in range(len(atom.params)))
    return Composite(atom.params, (Node(atom.name, inputs),))


def atom_fingerprints(executor: Executor) -> dict[str, str]:
    """Every atom's fingerprint on its signature probes, computed in the sandbox."""
    singles = [atom_as_composite(a) for a in atoms.all_atoms()]
    results = executor.score([program(c, []) for c in singles])
    prints = {}
    for c, r in zip(singles, results):
        marks = probe_marks(r.tests, strict=False)
        if len(r.tests) != len(signature_probes(tuple(t for _, t in c.params))):
            raise RuntimeError(f"atom {c.atoms[0]!r}: its probes did not run ({r.verdict}: "
                               f"{r.message})")
        prints[c.atoms[0]] = semantic_fingerprint(c, marks)
    return prints


def validate_batch(executor: Executor, composites: Sequence[Composite],
                   settings: ValidationSettings) -> list[Validated | str]:
    """Run and judge candidates; one Validated or rejection reason each, in order (the tests'
    adequacy against mutants is synth/adequacy.py's `strengthen_batch`, run after this)."""
    inputs = [input_pool(c, settings) for c in composites]
    results = executor.score([program(c, i, settings.line_budget, settings.max_output_chars)
                              for c, i in zip(composites, inputs)])
    return [judge(c, i, r, settings) for c, i, r in zip(composites, inputs, results)]


def rejection_table(counts: Counter, accepted: int) -> str:
    """Rejections by reason, as text."""
    total = accepted + sum(counts.values())
    lines = [f"  {'accepted':<24}{accepted:>8}", *(
        f"  {reason:<24}{counts[reason]:>8}" for reason in REASONS if counts.get(reason))]
    lines.append(f"  {'candidates':<24}{total:>8}")
    return "\n".join(lines)
