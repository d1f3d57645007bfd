"""Test adequacy at build time: a composite's tests must tell its mutants from it, or no task.

A composite's tests decide its RL reward, so tests that a slightly wrong program passes pay for
the wrong program. After validation (synth/validate.py), each candidate's step mutants
(synth/mutants.py: a step left out, two steps swapped, an atom replaced by another of the same
signature, an integer constant +-1) run in one sandboxed program on its tests and spare inputs,
each call under validation's line and size budget, so the outcome is the same on every build.
A test kills a mutant when the mutant's output differs from the reference's (another value, an
exception or a budget overrun). A constant mutant (one expected output returned for every input)
is killed unless every test expects that value, so it needs no run.

The inputs left over are spares; up to `heldback_tests` of them become a second test set the
reward never sees (`heldback_tests`).

When the tests kill less than `min_mutation_score` of the mutants, the spare input killing the
most surviving mutants is added, again until the score is reached, at most `max_added_tests`,
never letting one output fill more than half the tests; a task still under the score is
rejected (`weak_tests`). The scores before and after go into the manifest, per family.

A mutant that computes the reference's function (an equivalent mutant) can never be killed, so
a task holding one can be rejected though its tests are sound: the rule errs towards strong
tests. The scores equal `mutants.score_tasks` on the built records (tested).
"""

from __future__ import annotations

import ast
import collections
import dataclasses
import hashlib
import json
from typing import Any, Sequence

from codecorr_jax.canonical import canonical_json
from codecorr_jax.execution import Executor, Program, ProgramResult, Verdict
from codecorr_jax.synth import render
from codecorr_jax.synth.mutants import Mutant, step_mutants
from codecorr_jax.synth.validate import GUARD, Validated, ValidationSettings, budgeted

DISPATCH = "_synth_mutant"
# Outputs come back as a digest of their canonical JSON: a bundle runs each mutant on every
# input, and whole outputs could outgrow the executor's result limit.
_DIGEST = '''
def _synth_digest(value):
    import hashlib as _h
    import json as _j
    text = _j.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False,
                    ensure_ascii=True)
    return _h.sha256(text.encode()).hexdigest()[:16]
'''
_FINISHED = (Verdict.PASS, Verdict.FAIL, Verdict.RUNTIME_ERROR)  # per-test outcomes only


def digest(expected: Any) -> str:
    """What the sandbox reports for an output equal to `expected`."""
    return hashlib.sha256(canonical_json(expected).encode()).hexdigest()[:16]


def _guard_steps(fn: ast.FunctionDef) -> None:
    """Every step's result through validation's size guard, as in the checked reference."""
    for statement in fn.body:
        statement.value = ast.Call(ast.Name(GUARD, ast.Load()), [statement.value], [])


def mutant_program(solution: str, made: Sequence[Mutant], inputs: Sequence[Any],
                   settings: ValidationSettings) -> Program:
    """One program running every mutant in `made` on every input (argument lists): test
    k * len(inputs) + i calls mutant k on input i and returns the digest of its output."""
    parts = [solution.rstrip(), *dict.fromkeys(m.extra.strip() for m in made if m.extra)]
    names = []
    for k, mutant in enumerate(made):
        fn = ast.parse(mutant.entry).body[0]
        fn.name = f"{DISPATCH}_{k}"
        _guard_steps(fn)
        parts.append(ast.unparse(ast.fix_missing_locations(fn)))
        names.append(fn.name)
    parts += [_DIGEST.strip(), f"_SYNTH_MUTANTS = [{', '.join(names)}]"]
    source = "\n\n\n".join(parts) + budgeted(
        DISPATCH, "_k, *_args", "        return _synth_digest(_SYNTH_MUTANTS[_k](*_args))\n",
        settings.line_budget, settings.max_output_chars)
    tests = [{"args": [k, *args]} for k in range(len(made)) for args in inputs]
    return Program(source, DISPATCH, tests)


def score(kills: Sequence[frozenset[int]], chosen: Sequence[int], outputs: Sequence[str]
          ) -> float:
    """The share of mutants the tests `chosen` (pool indices) kill: step mutants by `kills`
    (the pool indices where each differs from the reference), one constant mutant per
    distinct expected output (`outputs`: canonical JSON per pool index)."""
    taken = set(chosen)
    steps = sum(bool(k & taken) for k in kills)
    distinct = {outputs[i] for i in chosen}
    constants = len(distinct) if len(distinct) > 1 else 0
    made = len(kills) + len(distinct)
    return (steps + constants) / made if made else 1.0


def strengthen(item: Validated, kills: Sequence[frozenset[int]],
               settings: ValidationSettings) -> Validated | str:
    """`item` with tests added from its spares until its mutation score is reached, or
    "weak_tests" (the module doc)."""
    pool = [*item.tests, *item.spare]
    outputs = [canonical_json(t["expected"]) for t in pool]
    chosen = list(range(len(item.tests)))
    counts = collections.Counter(outputs[i] for i in chosen)
    before = after = score(kills, chosen, outputs)
    while after < settings.min_mutation_score and len(chosen) - len(item.tests) < \
            settings.max_added_tests:
        taken = set(chosen)
        survivors = [k for k in kills if not k & taken]
        best, best_hits = None, 0
        for i in range(len(item.tests), len(pool)):
            if i in taken or 2 * (counts[outputs[i]] + 1) > len(chosen) + 1:
                continue
            hits = sum(i in k for k in survivors)
            if hits > best_hits:
                best, best_hits = i, hits
        if best is None:
            break
        chosen.append(best)
        counts[outputs[best]] += 1
        after = score(kills, chosen, outputs)
    if after < settings.min_mutation_score:
        return "weak_tests"
    unused = tuple(t for i, t in enumerate(pool) if i not in chosen)
    return dataclasses.replace(item, tests=tuple(pool[i] for i in chosen), spare=unused,
                               mutation_score_before=before, mutation_score_after=after,
                               tests_added=len(chosen) - len(item.tests))


def _kills(result: ProgramResult, pool: Sequence[dict[str, Any]], mutants: int
           ) -> list[frozenset[int]] | None:
    """Per mutant, the pool indices where its output differs; None if the run did not finish."""
    if result.verdict not in _FINISHED or len(result.tests) != mutants * len(pool):
        return None
    reference = [digest(t["expected"]) for t in pool]
    kills = []
    for k in range(mutants):
        outcomes = result.tests[k * len(pool):(k + 1) * len(pool)]
        kills.append(frozenset(
            i for i, (outcome, want) in enumerate(zip(outcomes, reference))
            if outcome.verdict is not Verdict.PASS or json.loads(outcome.output) != want))
    return kills


def strengthen_batch(executor: Executor, judged: Sequence[Validated | str],
                     settings: ValidationSettings) -> list[Validated | str]:
    """`strengthen` every Validated in `judged` (rejection reasons pass through), running all
    their mutants in one executor batch. `min_mutation_score` 0 skips it."""
    if settings.min_mutation_score <= 0:
        return list(judged)
    made: dict[int, list[Mutant]] = {}
    programs = []
    for index, item in enumerate(judged):
        if isinstance(item, Validated):
            name = render.entry_point(item.composite)
            solution = render.solution(item.composite, name)
            made[index] = step_mutants(solution, name)
            if made[index]:
                pool = [t["args"] for t in (*item.tests, *item.spare)]
                programs.append(mutant_program(solution, made[index], pool, settings))
    results = iter(executor.score(programs))
    out: list[Validated | str] = []
    for index, item in enumerate(judged):
        if not isinstance(item, Validated):
            out.append(item)
            continue
        kills: list[frozenset[int]] | None = []
        if made[index]:
            kills = _kills(next(results), [*item.tests, *item.spare], len(made[index]))
        out.append("mutants_failed" if kills is None else strengthen(item, kills, settings))
    return out


def heldback_tests(spare: Sequence[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    """A second test set from the inputs the tests do not use, at most `count`, no output on
    more than half of them: RL counts rewarded samples that fail it (ppo_inputs.py). The
    inputs are later draws of the same generator as the tests, so the set is independent of
    them without another sandbox run."""
    chosen: list[tuple[str, dict[str, Any]]] = []
    counts: collections.Counter = collections.Counter()
    for test in spare:
        output = canonical_json(test["expected"])
        if len(chosen) < count and counts[output] < max(count // 2, 1):
            counts[output] += 1
            chosen.append((output, test))
    if chosen:  # fewer spares than `count`: drop the commonest output's last until half
        top, most = counts.most_common(1)[0]
        drop = max(2 * most - len(chosen), 0)
        while drop:
            last = max(i for i, (o, _) in enumerate(chosen) if o == top)
            chosen.pop(last)
            drop -= 1
    return [test for _, test in chosen]


def family_summary(items: Sequence[Validated], threshold: float) -> dict[str, Any]:
    """The mutation scores of a family's tasks before and after tests were added (what the
    manifest records): means, the tasks under `threshold`, the tasks given tests, and a
    histogram of each."""
    before = [i.mutation_score_before for i in items if i.mutation_score_before is not None]
    after = [i.mutation_score_after for i in items if i.mutation_score_after is not None]
    edges = (0.8, 0.9, threshold, 1.0)

    def histogram(scores: list[float]) -> dict[str, int]:
        labels = ["< 0.8", "0.8-0.9", f"0.9-{threshold:g}", f"{threshold:g}-1", "1"]
        counts = dict.fromkeys(labels, 0)
        for s in scores:
            counts[labels[sum(s >= e for e in edges)]] += 1
        return counts

    return {
        "tasks": len(after),
        "mean_before": sum(before) / len(before) if before else None,
        "mean_after": sum(after) / len(after) if after else None,
        "under_threshold_before": sum(s < threshold for s in before),
        "under_threshold_after": sum(s < threshold for s in after),
        "tasks_given_tests": sum(i.tests_added > 0 for i in items),
        "tests_added": sum(i.tests_added for i in items),
        "histogram_before": histogram(before),
        "histogram_after": histogram(after),
    }
