"""Tests that cannot be gamed: no output fills more than half a composite's tests, and its tests
kill its mutants, with tests added from spare inputs where they do not (synth/adequacy.py)."""

from __future__ import annotations

import dataclasses

import pytest

from codecorr_jax.canonical import canonical_json
from codecorr_jax.execution import Executor, ExecutorConfig, Program
from codecorr_jax.synth import adequacy, compose, render, validate
from codecorr_jax.synth.mutants import Mutant, score_tasks, step_mutants

SETTINGS = validate.ValidationSettings()


@pytest.fixture(scope="module")
def executor():
    with Executor(ExecutorConfig(num_workers=2, test_timeout_s=2.0)) as running:
        yield running


def test_score_by_hand():
    kills = [frozenset({0}), frozenset({2}), frozenset()]
    # tests 0 and 1 kill mutant 0 only; two distinct outputs: both constants are killed
    assert adequacy.score(kills, [0, 1], ["1", "2", "1", "3"]) == pytest.approx(3 / 5)
    # one output on every test: its constant passes them all
    assert adequacy.score(kills, [0, 2], ["1", "2", "1", "3"]) == pytest.approx(2 / 4)
    assert adequacy.score([], [0], ["1"]) == 0.0


def _item(outputs, spare_outputs):
    composite = compose.chain_of(["decimal_digits", "running_sum"])
    tests = tuple({"args": [i], "expected": [int(o)]} for i, o in enumerate(outputs))
    spare = tuple({"args": [100 + i], "expected": [int(o)]} for i, o in enumerate(spare_outputs))
    return validate.Validated(composite, tests, "fp", spare=spare)


def test_strengthen_adds_the_test_that_kills_most_within_the_half_rule():
    # ten tests, output 1 on five of them; spares 10 (output 1), 11 (7), 12 (9)
    item = _item([1] * 5 + [2, 3, 4, 5, 6], [1, 7, 9])
    kills = [frozenset({0}), frozenset({10, 12}), frozenset({10, 11}), frozenset({6})]
    # before: 2 of 4 step mutants and all 6 constants killed
    strong = adequacy.strengthen(item, kills, SETTINGS)
    assert strong.mutation_score_before == pytest.approx(8 / 10)
    # spare 10 kills both survivors, but a sixth 1 in 11 tests is more than half: spare 11
    # first (the first of the ties), then spare 10 (six 1s in twelve tests is half)
    assert [t["args"] for t in strong.tests[10:]] == [[101], [100]]
    assert strong.tests_added == 2 and [t["args"] for t in strong.spare] == [[102]]
    assert strong.mutation_score_after == 1.0
    outputs = [canonical_json(t["expected"]) for t in strong.tests]
    assert max(outputs.count(o) for o in outputs) * 2 <= len(outputs)
    # allowed one test only: 10 of 11 killed is under 0.95
    assert adequacy.strengthen(item, kills, dataclasses.replace(SETTINGS, max_added_tests=1)) \
        == "weak_tests"
    # already strong: unchanged
    same = adequacy.strengthen(item, [frozenset({0})], SETTINGS)
    assert same.tests == item.tests and same.tests_added == 0


def test_mutant_bundle_kills_equal_the_executor_judge(executor):
    """The one-program bundle against the reference: each mutant, as its own program, fails
    the test of input i exactly when the bundle says it differs there."""
    c = compose.chain_of(["decimal_digits", "rotate_left_by"], [[1]])
    item = validate.validate_batch(executor, [c], SETTINGS)[0]
    assert isinstance(item, validate.Validated), item
    name = render.entry_point(c)
    solution = render.solution(c, name)
    made = step_mutants(solution, name)
    assert {m.kind for m in made} >= {"dropped_step", "swapped_steps", "off_by_one"}
    pool = [*item.tests, *item.spare]
    result = executor.score([adequacy.mutant_program(solution, made, [t["args"] for t in pool],
                                                     SETTINGS)])[0]
    kills = adequacy._kills(result, pool, len(made))
    assert kills is not None
    each = executor.score([Program(m.source(solution), name, [t]) for m in made for t in pool])
    for k in range(len(made)):
        judged = {i for i, r in enumerate(each[k * len(pool):(k + 1) * len(pool)])
                  if not r.all_passed}
        assert kills[k] == judged, made[k].change
    assert any(kills)  # the mutants differ from the reference somewhere
    # the score of the final tests is what mutants.score_tasks measures on the record
    final = adequacy.strengthen_batch(executor, [item], SETTINGS)[0]
    record = {"task_id": "t", "solution": solution, "entry_point": name,
              "tests": list(final.tests)}
    assert score_tasks([record], executor)[0].score == pytest.approx(final.mutation_score_after)


def test_a_bundle_that_does_not_finish_rejects_the_task(executor):
    c = compose.chain_of(["decimal_digits", "running_sum"])
    item = validate.validate_batch(executor, [c], SETTINGS)[0]
    name = render.entry_point(c)
    exits = Mutant("dropped_step", "exits", f"def {name}(n):\n    __import__('os')._exit(0)")
    result = executor.score([adequacy.mutant_program(
        render.solution(c, name), [exits], [t["args"] for t in item.tests], SETTINGS)])[0]
    assert result.verdict.value != "pass"
    assert adequacy._kills(result, list(item.tests), 1) is None  # "mutants_failed", not kills


def _judged(executor, c, count):
    """judge() on inputs 1..count of a stand-in reference that returns [99] on two thirds."""
    inputs = [canonical_json([n]) for n in range(1, count + 1)]
    program = validate.program(c, inputs)
    body = "    return [n] if n % 3 == 0 else [99]\n"
    program = dataclasses.replace(program, source=f"def {program.entry_point}(n):\n{body}")
    return validate.judge(c, inputs, executor.score([program])[0], SETTINGS)


def test_judge_passes_over_an_output_that_would_fill_more_than_half(executor):
    c = compose.chain_of(["decimal_digits", "rotate_left_by"], [[1]])
    item = _judged(executor, c, 30)
    assert isinstance(item, validate.Validated), item
    # 1 and 2 give 99, 3 gives [3], ...: the seventh 99 (at 10) and after are passed over
    assert [t["args"][0] for t in item.tests] == [1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 15, 18]
    assert [t["expected"] for t in item.tests].count([99]) == 6
    # spares: the passed-over inputs first, then the rest of the pool
    assert [t["args"][0] for t in item.spare][:5] == [10, 11, 13, 14, 16]
    assert [t["args"][0] for t in item.spare][-3:] == [28, 29, 30]
    # fifteen inputs: six 99s and the five others make eleven tests, six of them one output
    assert _judged(executor, c, 15) == "dominant_output"


def test_heldback_tests_by_hand():
    spare = [{"args": [i], "expected": o} for i, o in enumerate([1, 1, 1, 1, 2, 3, 4, 5, 6])]
    # at most 3 of the six on one output: 1, 1, 1, 2, 3, 4
    assert [t["args"][0] for t in adequacy.heldback_tests(spare, 6)] == [0, 1, 2, 4, 5, 6]
    # only four spares, three of them 1: two 1s go, so no output holds more than half
    assert [t["args"][0] for t in adequacy.heldback_tests(spare[1:5], 6)] == [1, 4]
    assert adequacy.heldback_tests(spare, 0) == []
