"""Mutants of a composite's reference solution, and the score of its tests against them."""

from __future__ import annotations

import pytest

from codecorr_jax import atoms
from codecorr_jax.execution import Executor, ExecutorConfig, Program
from codecorr_jax.synth.mutants import dominant_output_share, mutants, score_tasks, summary

ENTRY = "composed_test"


def _record(tests):
    """A two-step composite of real atoms: xor_prefix, then grid_outer_product, with a
    constant-free wiring and a third step with an integer constant."""
    body = (f"def {ENTRY}(xs: list[int]) -> list[list[int]]:\n"
            "    step1 = xor_prefix(xs)\n"
            "    return grid_outer_product(step1)\n")
    helpers = "\n\n".join(atoms.get(n).source for n in ("xor_prefix", "grid_outer_product"))
    return {"task_id": "t/0", "entry_point": ENTRY, "solution": body + "\n\n" + helpers,
            "tests": tests, "atoms": ["xor_prefix", "grid_outer_product"]}


STRONG = [{"args": [[1, 2, 3]], "expected": [[1, 3, 0], [3, 9, 0], [0, 0, 0]]},
          {"args": [[5]], "expected": [[25]]}, {"args": [[]], "expected": []},
          {"args": [[2, 2]], "expected": [[4, 0], [0, 0]]}]


@pytest.fixture(scope="module")
def executor():
    with Executor(ExecutorConfig(num_workers=2, test_timeout_s=2.0)) as running:
        yield running


def test_every_kind_of_mutant_is_made_and_runs(executor):
    record = _record(STRONG)
    made = mutants(record)
    kinds = [m.kind for m in made]
    assert kinds.count("constant") == 4  # one per distinct expected output
    assert kinds.count("dropped_step") == 1 and kinds.count("swapped_steps") == 1
    dropped = next(m for m in made if m.kind == "dropped_step")
    assert "return grid_outer_product(xs)" in dropped.entry  # the next step reads xs
    swapped = next(m for m in made if m.kind == "swapped_steps")
    assert "step1 = grid_outer_product(xs)" in swapped.entry
    # every mutant is a whole program that loads (the reference's own tests run on it)
    results = executor.score([Program(m.source(record["solution"]), ENTRY, STRONG) for m in made])
    assert all(r.verdict.value != "syntax_error" for r in results)
    # the reference itself passes: the mutants differ from it, not the harness
    assert executor.score([Program(record["solution"], ENTRY, STRONG)])[0].all_passed


def test_strong_tests_kill_every_mutant_and_weak_ones_do_not(executor):
    strong, weak = score_tasks([_record(STRONG), _record(STRONG[2:3] * 3 + STRONG[1:2])],
                               executor)
    assert strong.score == 1.0 and strong.dominant_output_share == 0.25
    # inputs [] and [5], where xor_prefix changes nothing: leaving step 1 out passes them all,
    # and a constant [] earns 3 of 4 tests under the `fraction` reward
    assert weak.dominant_output_share == 0.75
    assert weak.made["dropped_step"] == 1 and weak.killed["dropped_step"] == 0
    assert weak.score < 1.0
    report = summary([strong, weak])
    assert report["tasks"] == 2 and report["tasks_under_threshold"] == 1
    assert report["tasks_with_dominant_output_at_least_half"] == 1


def test_dominant_output_share_by_hand():
    tests = [{"args": [i], "expected": v} for i, v in enumerate([1, 1, 2, [1], [1], [1]])]
    assert dominant_output_share(tests) == 0.5
    assert dominant_output_share([]) == 0.0
